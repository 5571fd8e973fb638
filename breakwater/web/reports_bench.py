"""How long the overview dashboard and its PDF take, beside the metrics they are made of:
``BREAKWATER_DATA_DIR=$(mktemp -d) python -m breakwater.web.reports_bench [--messages N]``.

A fresh database gets ``--messages`` messages from the reports bench's seeding
(``breakwater.bench.seed``); then, for the last 30 days of the seeded year, it times
``reports.dashboard.sections`` (every figure for the period and the one before it: what the page
computes), each metric once (the sum is the floor the dashboard pays twice), and the PDF
(``web/reports_pdf.render_selection``: the same figures, the charts and WeasyPrint's layout).
Wall-clock seconds, the median of ``--runs``; the machine's other load counts in them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m breakwater.web.reports_bench")
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "breakwater.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.db import connection

    from breakwater.bench import seed
    from breakwater.bench.common import migrate_fresh
    from breakwater.bench.reports import enrich, setup_workspace
    from breakwater.core.models import Workspace
    from breakwater.reports import dashboard, metrics
    from breakwater.reports.dashboard import Selection
    from breakwater.reports.periods import Period
    from breakwater.web.reports_pdf import render_selection

    db = migrate_fresh()
    ws = setup_workspace()
    connection.close()
    seeded = seed.seed(db, ws, args.messages)
    enrich(connection.vendor)
    last = (seed.END - timedelta(days=1)).date()
    selection = Selection(ws.workspace_id, Period(last - timedelta(days=29), last))
    workspace = Workspace.objects.get(pk=ws.workspace_id)

    def timed(fn: object) -> float:
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            fn()  # type: ignore[operator]
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    filters = selection.metric_filters()
    dashboard.sections(selection)  # warm the caches once
    per_metric = sum(timed(lambda k=k: metrics.compute(k, filters)) for k in metrics.METRICS)
    page = timed(lambda: dashboard.sections(selection))
    pdf = timed(lambda: render_selection(workspace, selection))
    print(f"reports dashboard bench: {seeded.messages:,} messages on {connection.vendor}, "
          f"{len(metrics.METRICS)} metrics, 30 days, median of {args.runs}")
    print(f"  every metric once (sum)        {per_metric:7.2f} s")
    print(f"  dashboard (+ previous period)  {page:7.2f} s  ({page / per_metric:.1f} x the sum)")
    print(f"  PDF (figures + WeasyPrint)     {pdf:7.2f} s  ({pdf / page:.1f} x the dashboard)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
