"""Reports: every metric of ``reports.metrics`` over a period and filters (viewers may read)."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from breakwater.reports import queries

router = Router(tags=["reports"])


class MetricInfo(Schema):
    key: str = Field(examples=["first_response_time"])
    label: str
    unit: str = Field(description='"count", "ratio" (0..1) or "seconds"')
    shape: str = Field(description='"scalar" (value and series) or "table" (rows too)')
    definition: str


class Point(Schema):
    date: str = Field(description="a local date of the workspace, YYYY-MM-DD")
    value: float | int | None


class ReportOut(Schema):
    metric: str
    value: float | int | None = Field(description="null: nothing to measure, or not available")
    unit: str = Field(description='"count", "ratio" (0..1) or "seconds"')
    series: list[Point] = Field(description="one point per local day (empty for tables)")
    definition: str = Field(description="exactly what is counted")
    label: str
    available: bool = Field(description="false: the source app is not installed yet (see reason)")
    reason: str | None = None
    rows: list[dict[str, Any]] | None = Field(
        None, description="the breakdown table (heat map cells, per agent, top tags, ...)"
    )
    columns: list[str] | None = None


class ReportQuery(Schema):
    start: date | None = Field(None, description="first local date, YYYY-MM-DD (default: 29 days before end)")
    end: date | None = Field(None, description="last local date, inclusive (default: today)")
    channel: int | None = Field(None, description="a channel id")
    network: str | None = Field(None, description="a network key, e.g. facebook")
    tag: int | None = Field(None, description="a tag id")
    member: int | None = Field(
        None, description="a team member's user id: conversations assigned to them "
        "(replies_per_agent: replies they sent)",
    )


class ErrorOut(Schema):
    error: str
    detail: Any = None


@router.get("/reports", response=list[MetricInfo], summary="List report metrics")
def list_metrics(request: HttpRequest) -> Any:
    """Every metric key with its label, unit and definition."""
    return queries.catalogue()


@router.get(
    "/reports/{metric}",
    response={200: ReportOut, 404: ErrorOut, 422: ErrorOut},
    summary="Compute a report metric",
)
def get_metric(request: HttpRequest, metric: str, q: Query[ReportQuery]) -> Any:
    """One metric over local dates ``start``..``end`` (the workspace's time zone). An unknown
    metric is a 404 whose detail lists the keys; bad dates are a 422."""
    member = request.member  # type: ignore[attr-defined]
    filters = queries.filters_for(member, q.start, q.end, channel=q.channel,
                                  network=q.network, tag=q.tag, member_id=q.member)  # fmt: skip
    return queries.report(member, metric, filters).as_dict()
