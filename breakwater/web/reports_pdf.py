"""The overview dashboard as a PDF, rendered on the server: the page's charts (SVG) and tables
laid out by WeasyPrint (Pango underneath), for the download and for scheduled reports."""

from __future__ import annotations

import base64
import logging
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from breakwater.core.models import Workspace
from breakwater.reports.dashboard import Selection
from breakwater.reports.periods import Period

# WeasyPrint logs every layout step at INFO, and warns of the anchors each pygal chart repeats
# (ids like "activate-serie-0"), which mean nothing in a PDF.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("weasyprint.progress").setLevel(logging.ERROR)


def render_selection(workspace: Workspace, selection: Selection) -> tuple[str, bytes]:
    """``(file name, PDF)`` of the overview dashboard for this selection."""
    import weasyprint

    from breakwater.web.reports import dashboard_context

    sections = dashboard_context(None, selection)  # type: ignore[arg-type]
    for section in sections:
        for fig in section["figures"]:
            fig["chart"] = _as_image(fig["chart"])
    html = render_to_string("web/reports/pdf.html", {
        "workspace": workspace,
        "selection": selection,
        "previous": selection.period.previous(),
        "sections": sections,
        "generated": timezone.now(),
    })
    body = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    period = selection.period
    return f"report_{period.start:%Y%m%d}-{period.end:%Y%m%d}.pdf", body


def _as_image(svg: str) -> str:
    """An SVG chart as an image: WeasyPrint draws it the same, about a third faster than the
    same markup inline (measured: ten 31-point line charts, 3.1 s inline, 2.2 s as images)."""
    if not svg:
        return svg
    data = base64.b64encode(str(svg).encode()).decode()
    return mark_safe(f'<img src="data:image/svg+xml;base64,{data}" alt="">')  # noqa: S308 -- base64


def render_overview(workspace: Workspace, period: Period,
                    filters: dict[str, Any]) -> tuple[str, bytes]:
    """The scheduled reports' renderer (``reports.tasks.RENDERER``), in the site's language."""
    selection = Selection(
        workspace_id=workspace.pk, period=period, channel=filters.get("channel"),
        network=filters.get("network"), tag=filters.get("tag"), member=filters.get("member"),
    )
    with translation.override(settings.LANGUAGE_CODE):
        return render_selection(workspace, selection)
