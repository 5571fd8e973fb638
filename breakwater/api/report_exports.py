"""Report exports: every dashboard table as CSV or XLSX, with the same filters as
``GET /api/v1/reports/{metric}``."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from breakwater.core.errors import NotFound
from breakwater.reports import dashboard, exports, metrics, periods, queries
from breakwater.reports.dashboard import Selection

router = Router(tags=["reports"])


class ExportFilters(Schema):
    start: date | None = Field(None, description="first day (YYYY-MM-DD, workspace time zone); "
                               "default: 29 days before end")
    end: date | None = Field(None, description="last day, included; default: today")
    channel: int | None = Field(None, description="a channel id")
    network: str | None = Field(None, description="a network key, e.g. mastodon")
    tag: int | None = Field(None, description="a tag id")
    member: int | None = Field(None, description="a team member's user id")


def _selection(request: HttpRequest, f: ExportFilters) -> Selection:
    """The export's selection; a foreign or unknown channel, tag or member is a 404, as for
    ``GET /api/v1/reports/{metric}``."""
    member = request.member  # type: ignore[attr-defined]
    checked = queries.filters_for(member, f.start, f.end, channel=f.channel, network=f.network,
                                  tag=f.tag, member_id=f.member)
    return Selection(workspace_id=member.workspace_id,
                     period=periods.Period(checked.start, checked.end), channel=checked.channel_id,
                     network=checked.network, tag=checked.tag_id, member=checked.member_id)


def _file(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _table(key: str, selection: Selection) -> tuple[list[str], list[list[object]]]:
    if key not in metrics.METRICS:
        raise NotFound(f"unknown metric {key!r}; one of {', '.join(metrics.METRICS)}")
    return dashboard.table(key, selection)


@router.get("/reports/export/overview.xlsx", summary="Export every report table as XLSX",
            response={200: bytes})
def export_overview(request: HttpRequest, filters: Query[ExportFilters]) -> HttpResponse:
    """One workbook, a sheet per metric (the table the dashboard shows under its chart)."""
    selection = _selection(request, filters)
    tables = [(k, *dashboard.table(k, selection)) for k in metrics.METRICS]
    return _file(exports.to_xlsx(tables), exports.XLSX_TYPE, "overview.xlsx")


@router.get("/reports/export/{metric}.csv", summary="Export a report table as CSV",
            response={200: bytes})
def export_csv(request: HttpRequest, metric: str, filters: Query[ExportFilters]) -> HttpResponse:
    """The metric's table (its rows, or its daily series), UTF-8 with a byte-order mark."""
    header, rows = _table(metric, _selection(request, filters))
    return _file(exports.to_csv(header, rows), exports.CSV_TYPE, f"{metric}.csv")


@router.get("/reports/export/{metric}.xlsx", summary="Export a report table as XLSX",
            response={200: bytes})
def export_xlsx(request: HttpRequest, metric: str, filters: Query[ExportFilters]) -> HttpResponse:
    """The metric's table as a one-sheet workbook."""
    header, rows = _table(metric, _selection(request, filters))
    return _file(exports.to_xlsx([(metric, header, rows)]), exports.XLSX_TYPE, f"{metric}.xlsx")
