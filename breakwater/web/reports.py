"""Reports pages: the overview dashboard (charts + tables + drill-down), its exports (CSV, XLSX,
PDF) and the scheduled reports. Thin: parse the selection, ask ``reports.dashboard``, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from breakwater.core.actions import RANK
from breakwater.core.errors import ActionError
from breakwater.core.models import Channel, Membership, Role
from breakwater.inbox.queries import workspace_tags
from breakwater.reports import actions, dashboard, exports, periods
from breakwater.reports.actions import ScheduleChange
from breakwater.reports.dashboard import Figure, Selection
from breakwater.reports.models import Frequency, ScheduledReport
from breakwater.web import charts
from breakwater.web.views import member_for


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def selection_from(member: Membership, get: Any) -> tuple[Selection, str]:
    """The dashboard's period (a preset or a custom range) and filters from a query string."""
    today = timezone.localdate(timezone=_zone(member))
    shown = (get.get("shown_start"), get.get("shown_end")) if "shown_start" in get else None
    period, preset = periods.parse_period(get.get("start"), get.get("end"), get.get("preset"),
                                          today, shown)
    return Selection(
        workspace_id=member.workspace_id, period=period, channel=_int(get.get("channel")),
        network=get.get("network") or None, tag=_int(get.get("tag")),
        member=_int(get.get("member")),
    ), preset


def _zone(member: Membership) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(member.workspace.timezone)


# -- charts and tables ----------------------------------------------------------------------------


def format_value(value: Any, unit: str) -> str:
    if value is None:
        return "–"
    if not isinstance(value, int | float):
        return str(value)
    if unit == "ratio":
        return charts.percent(value)
    if unit == "seconds":
        return duration(value)
    return f"{value:,.0f}".replace(",", "\u00a0") if float(value).is_integer() else f"{value:.2f}"


def duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return _("%(n)s s") % {"n": seconds}
    minutes = seconds // 60
    if minutes < 60:
        return _("%(n)s min") % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    return _("%(d)s d %(h)s h") % {"d": hours // 24, "h": hours % 24}


def _formatter(unit: str) -> Any:
    return lambda v: format_value(v, unit)


def chart_for(fig: Figure, *, width: int = 560, height: int = 240) -> SafeString | str:
    """The figure's chart: a heat map over weekday x hour, bars (or a ring for shares) by
    category, a line over its days, or this period against the previous one."""
    if not fig.available:
        return ""
    fmt = _formatter(fig.unit)
    if fig.shape == "heatmap":
        return _heatmap(fig)
    if fig.shape == "category":
        return _category_chart(fig, width, height)
    if fig.shape == "time":
        if all(r.get("value") is None for r in fig.series):
            return ""  # the template says "No data for this period" at a readable size
        labels = [_short_date(r.get("date"), len(fig.series)) for r in fig.series]
        return charts.line("", labels, {fig.label: [r.get("value") for r in fig.series]},
                           width=width, height=height, formatter=fmt, description=fig.label)
    if fig.value is None and fig.previous is None:
        return ""
    return charts.bar("", [_("Previous period"), _("This period")],
                      {fig.label: [fig.previous, fig.value]}, width=360, height=height,
                      formatter=fmt, description=fig.label)


def _category_chart(fig: Figure, width: int, height: int) -> SafeString | str:
    label_col, value_col = fig.label_column, fig.value_column
    if not value_col:
        return ""
    rows = fig.rows[:20]
    labels = [str(r.get(label_col) or r.get(fig.columns[0]) or "–") for r in rows]
    values = [r.get(value_col) for r in rows]
    if not any(values):
        return ""
    fmt = charts.percent if value_col == "share" else _formatter(
        fig.unit if value_col.endswith("seconds") or value_col == "value" else "count")
    if "share" in fig.columns and label_col in ("sentiment", "kind", "network"):
        return charts.share("", dict(zip(labels, [v or 0 for v in values], strict=True)),
                            width=380, height=height, formatter=fmt, description=fig.label)
    return charts.bar("", labels, {fig.label: values}, horizontal=True, width=width,
                      height=max(height, 60 + 22 * len(labels)), formatter=fmt,
                      description=fig.label)


def _short_date(value: Any, days: int) -> str:
    """An axis label short enough that pygal does not cut it: the day of the month for up to
    two months (the table beside it has the full dates), else day and month."""
    text = str(value or "")
    if len(text) != 10:
        return text
    return str(int(text[8:10])) if days <= 62 else f"{int(text[8:10])}.{int(text[5:7])}"


def _heatmap(fig: Figure) -> SafeString:
    grid: list[list[float | None]] = [[None] * 24 for _ in range(7)]
    value_col = fig.value_column or "count"
    for row in fig.rows:
        day, hour = row.get("weekday"), row.get("hour")
        if isinstance(day, int) and 1 <= day <= 7 and isinstance(hour, int) and 0 <= hour < 24:
            grid[day - 1][hour] = row.get(value_col)  # ISO weekday: 1 Monday .. 7 Sunday
    return charts.heatmap("", [str(WEEKDAYS_ABBR[d]) for d in range(7)],
                          [f"{h:02d}" for h in range(24)], grid,
                          formatter=_formatter("count"), description=fig.label)


def _drill_url(fig: Figure, day: str | None = None) -> str:
    """The drill view of a figure (or of one day of it): it asks the metric which conversations
    it counted and opens the inbox on them."""
    params = {k: v for k, v in fig.selection.items() if v}
    if day:
        params["day"] = day
    return f"{reverse('web:report_drill', args=[fig.key])}?{urlencode(params)}"


def _row_link(fig: Figure, row: dict[str, Any], inbox_url: str) -> str:
    day = row.get("date")
    if isinstance(day, str) and len(day) == 10:
        return _drill_url(fig, day)
    return f"{inbox_url}?{urlencode(_row_drill(fig, row))}"


def _row_drill(fig: Figure, row: dict[str, Any]) -> dict[str, str]:
    """A breakdown row's own drill-down in the inbox's filters: its tag, its sentiment or its
    agent, among the conversations with inbound messages in the period."""
    params = dict(fig.drill)
    if fig.key.startswith("sentiment_share") and row.get("sentiment"):
        params["sentiment"] = str(row["sentiment"])
    if fig.key == "top_tags" and row.get("name"):
        params["tag"] = str(row["name"])
    if isinstance(row.get("agent"), int):
        params["assignee"] = str(row["agent"])
    return params


def _cell(value: Any, column: str, unit: str) -> str:
    if column == "value":
        return format_value(value, unit)
    if column == "share":
        return "–" if value is None else charts.percent(value)
    if column.endswith("seconds"):
        return format_value(value, "seconds")
    if isinstance(value, float):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def _table_context(fig: Figure, columns: list[str], rows: list[dict[str, Any]],
                   inbox_url: str) -> dict[str, Any]:
    return {
        "columns": columns,
        "rows": [{"cells": [_cell(r.get(c), c, fig.unit) for c in columns],
                  "drill": _row_link(fig, r, inbox_url)} for r in rows],
    }


def _period_table(fig: Figure) -> dict[str, Any]:
    """A single number's table: this period and the previous one, each with its drill-down."""
    from dataclasses import replace
    from datetime import date

    this = periods.Period(date.fromisoformat(fig.selection["start"]),
                          date.fromisoformat(fig.selection["end"]))
    before = this.previous()
    earlier = replace(fig, selection={**fig.selection, "start": before.start.isoformat(),
                                      "end": before.end.isoformat()})
    return {
        "columns": [_("Period"), _("Value")],
        "rows": [
            {"cells": [_("This period"), format_value(fig.value, fig.unit)],
             "drill": _drill_url(fig)},
            {"cells": [_("Previous period"), format_value(fig.previous, fig.unit)],
             "drill": _drill_url(earlier)},
        ],
    }


def figure_context(fig: Figure, inbox_url: str) -> dict[str, Any]:
    change = fig.change
    columns, rows = fig.table()
    details = fig.details()
    table = _table_context(fig, columns, rows, inbox_url)
    if not rows and not fig.table_shape:
        table = _period_table(fig)
    return {
        "fig": fig,
        "chart": chart_for(fig),
        "value": format_value(fig.value, fig.unit),
        "previous": format_value(fig.previous, fig.unit),
        "change": None if change is None else f"{change * 100:+.0f} %",
        "change_sign": 0 if not change else (1 if change > 0 else -1),
        "table": table,
        "details": _table_context(fig, *details, inbox_url) if details else None,
        "table_open": len(rows) <= 31,
        "drill": _drill_url(fig),
    }


def dashboard_context(member: Membership, selection: Selection) -> list[dict[str, Any]]:
    inbox_url = reverse("web:inbox")
    return [
        {"key": s.key, "title": s.title,
         "figures": [figure_context(f, inbox_url) for f in s.figures]}
        for s in dashboard.sections(selection)
    ]


# -- pages ---------------------------------------------------------------------------------------


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    selection, preset = selection_from(member, request.GET)
    params = urlencode(selection.as_params())
    return render(request, "web/reports/overview.html", {
        "member": member,
        "selection": selection,
        "preset": preset,
        "presets": [("last7", _("Last 7 days")), ("last30", _("Last 30 days")),
                    ("this_month", _("This month")), ("last_month", _("Last month")),
                    ("custom", _("Custom"))],
        "previous": selection.period.previous(),
        "sections": dashboard_context(member, selection),
        "channels": Channel.objects.filter(workspace_id=member.workspace_id).order_by("name"),
        "networks": sorted(set(Channel.objects.filter(workspace_id=member.workspace_id)
                               .values_list("network", flat=True))),
        "tags": workspace_tags(member),
        "members": Membership.objects.filter(workspace_id=member.workspace_id)
        .select_related("user").order_by("user__email"),
        "params": params,
        "can_schedule": RANK[Role(member.role)] >= RANK[Role.MANAGER],
    })


@login_required
def drill(request: HttpRequest, key: str) -> HttpResponse:
    """The conversations behind a figure (or one ``day`` of it), as the inbox filtered to them:
    the metric itself says which it counted (``metrics.conversations_behind``)."""
    from datetime import date

    from breakwater.reports import metrics

    member = member_for(request)
    selection, _preset = selection_from(member, request.GET)
    if key not in metrics.METRICS:
        raise Http404(_("There is no such report table."))
    try:
        day = date.fromisoformat(request.GET["day"]) if request.GET.get("day") else None
    except ValueError:
        day = None
    if day and not selection.period.start <= day <= selection.period.end:
        day = None
    ids = metrics.conversations_behind(key, selection.metric_filters(), day)
    # No conversation has id 0: an empty figure opens an empty list, not the whole inbox.
    query = urlencode({"status": "", "ids": ",".join(map(str, ids)) or "0"})
    return redirect(f"{reverse('web:inbox')}?{query}")


@login_required
def export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """One table (``key`` a metric) or every table (``key`` "overview", XLSX) as a file."""
    member = member_for(request)
    selection, _preset = selection_from(member, request.GET)
    return export_response(selection, key, fmt)


def export_response(selection: Selection, key: str, fmt: str) -> HttpResponse:
    from breakwater.reports import metrics

    stem = f"{key}_{selection.period.start:%Y%m%d}-{selection.period.end:%Y%m%d}"
    if key == "overview" and fmt == "xlsx":
        tables = [(k, *dashboard.table(k, selection)) for k in metrics.METRICS]
        body, content_type = exports.to_xlsx(tables), exports.XLSX_TYPE
    elif key in metrics.METRICS and fmt in ("csv", "xlsx"):
        header, rows = dashboard.table(key, selection)
        if fmt == "csv":
            body, content_type = exports.to_csv(header, rows), exports.CSV_TYPE
        else:
            body, content_type = exports.to_xlsx([(key, header, rows)]), exports.XLSX_TYPE
    else:
        raise Http404(_("There is no such report table."))
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@login_required
def pdf(request: HttpRequest) -> HttpResponse:
    from breakwater.web.reports_pdf import render_selection

    member = member_for(request)
    selection, _preset = selection_from(member, request.GET)
    filename, body = render_selection(member.workspace, selection)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- scheduled reports ---------------------------------------------------------------------------


def _change_from_post(request: HttpRequest) -> ScheduleChange:
    post = request.POST
    recipients = post.get("recipients", "").replace(",", "\n").split()
    filters = {k: post.get(k) for k in actions.FILTER_KEYS if post.get(k)}
    for k in ("channel", "tag", "member"):
        if k in filters:
            filters[k] = _int(filters[k])
    return ScheduleChange(name=post.get("name", ""), frequency=post.get("frequency", ""),
                          recipients=recipients, filters=filters)


@login_required
def schedules(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    if request.method == "POST":
        try:
            actions.do_create_schedule(member, _change_from_post(request))
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The scheduled report was saved."))
        return redirect("web:report_schedules")
    return render(request, "web/reports/schedules.html", _schedules_context(member))


def _schedules_context(member: Membership,
                       editing: ScheduledReport | None = None) -> dict[str, Any]:
    return {
        "member": member,
        "can_edit": RANK[Role(member.role)] >= RANK[Role.MANAGER],
        "schedules": ScheduledReport.objects.filter(workspace_id=member.workspace_id)
        .prefetch_related("runs").order_by("name"),
        "frequencies": Frequency.choices,
        "editing": editing,
        "channels": Channel.objects.filter(workspace_id=member.workspace_id).order_by("name"),
        "tags": workspace_tags(member),
    }


@login_required
def schedule_edit(request: HttpRequest, schedule_id: int) -> HttpResponse:
    member = member_for(request)
    try:
        schedule = actions.access_schedule(member, schedule_id)
    except ActionError:
        raise Http404(_("This scheduled report does not exist.")) from None
    if request.method == "POST":
        try:
            actions.do_update_schedule(member, schedule_id, _change_from_post(request))
        except ActionError as exc:
            messages.error(request, exc.message)
            return redirect("web:report_schedule", schedule_id)
        messages.success(request, _("The scheduled report was saved."))
        return redirect("web:report_schedules")
    return render(request, "web/reports/schedules.html", _schedules_context(member, schedule))


@login_required
@require_POST
def report_run_resend(request: HttpRequest, run_id: int) -> HttpResponse:
    try:
        actions.do_resend_run(member_for(request), run_id)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The report will be sent again within a minute."))
    return redirect("web:report_schedules")


@login_required
@require_POST
def schedule_delete(request: HttpRequest, schedule_id: int) -> HttpResponse:
    member = member_for(request)
    try:
        actions.do_delete_schedule(member, schedule_id)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The scheduled report was deleted."))
    return redirect("web:report_schedules")
