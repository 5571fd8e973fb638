"""The overview dashboard: which figures it shows, each for the period and the one before it.

Reads only; every number comes from ``reports.metrics`` (one definition per figure), so the page,
the exports, the PDF and the API agree. A figure's table rows are its series (a date, an agent, a
tag, an hour of a weekday...); its drill-down is the inbox filtered to the conversations behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from breakwater.inbox.models import Tag
from breakwater.reports import metrics
from breakwater.reports.periods import Period

# (section key, title, metric keys in order). A key the registry lacks is left out; a registered
# metric listed nowhere is shown under "Other figures", so a new metric is never hidden.
LAYOUT: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("inbox", _("Inbox"), (
        "inbound_volume", "response_rate", "first_response_time", "first_response_time_p90",
        "resolution_time", "sla_attainment", "backlog", "inbound_heatmap", "inbound_by_kind",
        "inbound_by_network",
    )),
    ("team", _("Team"), ("replies_per_agent", "agent_response_times")),
    ("topics", _("Sentiment and topics"), (
        "sentiment_share", "sentiment_trend", "top_tags", "feedback_categories", "top_questions",
    )),
    ("publishing", _("Publishing"), ("posts_per_channel", "engagement_per_post")),
    ("listening", _("Listening"), ("listening_volume", "share_of_voice", "listening_spikes")),
    ("paid", _("Paid"), ("paid_spend",)),
)
DRILL_OPEN = ("backlog",)
# A table's label column: the first of these it has (else its first column).
LABEL_COLUMNS = ("name", "sentiment", "kind", "network", "keywords", "date", "email")


@dataclass(frozen=True)
class Selection:
    """What the dashboard is looking at: a period and the optional filters."""

    workspace_id: int
    period: Period
    channel: int | None = None
    network: str | None = None
    tag: int | None = None
    member: int | None = None  # a user id

    def metric_filters(self, period: Period | None = None) -> metrics.Filters:
        period = period or self.period
        return metrics.Filters(
            workspace_id=self.workspace_id, start=period.start, end=period.end,
            channel_id=self.channel, network=self.network, tag_id=self.tag,
            member_id=self.member,
        )

    def as_params(self) -> dict[str, str]:
        """The query string of this selection (for links and exports)."""
        params = {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()}
        for key in ("channel", "network", "tag", "member"):
            value = getattr(self, key)
            if value not in (None, ""):
                params[key] = str(value)
        return params


@dataclass
class Figure:
    """One metric for the selection: its value, the previous period's, its daily series and
    its table (``rows``/``columns`` of the metric, or the series when it has no rows)."""

    key: str
    label: str
    unit: str
    definition: str
    value: float | None
    previous: float | None
    series: list[dict[str, Any]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    table_shape: bool = False  # the metric is a table (by category, heat map) first
    available: bool = True
    note: str = ""
    drill: dict[str, str] = field(default_factory=dict)
    selection: dict[str, str] = field(default_factory=dict)  # the query string it was made for

    @property
    def change(self) -> float | None:
        """Relative change from the previous period (0.25: up 25 %); None when not defined."""
        if self.value is None or self.previous in (None, 0):
            return None
        return (self.value - self.previous) / abs(self.previous)

    @property
    def shape(self) -> str:
        """How to chart it: "heatmap" (weekday x hour), "category" (bars or a ring of its
        rows), "time" (a line over its days) or "single" (this period against the previous)."""
        if self.rows and {"weekday", "hour"} <= set(self.columns):
            return "heatmap"
        if self.rows and self.table_shape and self.label_column != "date":
            return "category"
        if self.series:
            return "time"
        return "single"

    @property
    def label_column(self) -> str:
        first = self.columns[0] if self.columns else ""
        return next((c for c in LABEL_COLUMNS if c in self.columns), first)

    @property
    def value_column(self) -> str:
        """The rows' first numeric column that is not an id or a label (what a bar shows)."""
        for column in self.columns:
            if column in LABEL_COLUMNS or column in ("tag", "agent", "category", "message",
                                                     "weekday", "hour", "share"):
                continue
            if any(isinstance(r.get(column), int | float) and not isinstance(r.get(column), bool)
                   for r in self.rows):
                return column
        return "share" if "share" in self.columns else ""

    def table(self) -> tuple[list[str], list[dict[str, Any]]]:
        """The numbers of the chart as a table: the rows for a table metric, else the series."""
        if self.rows and (self.shape in ("heatmap", "category") or not self.series):
            return self.columns, self.rows
        return ["date", "value"], self.series

    def details(self) -> tuple[list[str], list[dict[str, Any]]] | None:
        """The metric's own rows when the table shows its series (e.g. per-day counts)."""
        if self.rows and self.table()[1] is not self.rows:
            return self.columns, self.rows
        return None


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure]


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def _rows(items: Any) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in dict(item).items()} for item in items or ()]


def figure(key: str, selection: Selection, compare: bool = True) -> Figure:
    metric = metrics.METRICS[key]
    filters = selection.metric_filters()
    result = metrics.compute(key, filters)
    previous = None
    if compare and result.available:
        previous = metrics.compute(key, filters.previous()).value
    rows = _rows(result.rows)
    columns = list(result.columns or (list(rows[0]) if rows else []))
    return Figure(
        key=key, label=str(metric.label), unit=result.unit, definition=str(result.definition),
        value=result.value, previous=previous, series=_rows(result.series), rows=rows,
        columns=columns, table_shape=metric.shape == "table", available=result.available,
        # The page says "Not available yet" itself; the reason follows it.
        note=result.reason.removeprefix("not available yet: "),
        drill=drill_params(key, selection), selection=selection.as_params(),
    )


def sections(selection: Selection) -> list[Section]:
    """The overview dashboard: every registered metric, grouped, in the layout's order."""
    placed: set[str] = set()
    found = []
    for key, title, keys in LAYOUT:
        present = [k for k in keys if k in metrics.METRICS]
        placed.update(present)
        if present:
            found.append(Section(key, str(title), [figure(k, selection) for k in present]))
    rest = [k for k in metrics.METRICS if k not in placed]
    if rest:
        others = [figure(k, selection) for k in rest]
        found.append(Section("other", str(_("Other figures")), others))
    return found


def drill_params(key: str, selection: Selection) -> dict[str, str]:
    """The inbox query string of the conversations behind a figure: those with an inbound
    message in the period, under the same channel, network, tag and member, in any status
    (the backlog: open ones)."""
    params = {
        "status": "open" if key in DRILL_OPEN else "",
        "since": selection.period.start.isoformat(),
        "until": selection.period.end.isoformat(),
    }
    if selection.channel:
        params["channel"] = str(selection.channel)
    if selection.network:
        params["network"] = selection.network
    if selection.tag:
        name = (Tag.objects.filter(pk=selection.tag, workspace_id=selection.workspace_id)
                .values_list("name", flat=True).first())
        if name:
            params["tag"] = name
    if selection.member:
        params["assignee"] = str(selection.member)
    return params


def table(key: str, selection: Selection) -> tuple[list[str], list[list[Any]]]:
    """One figure as a table (header and rows) for the CSV and XLSX exports: the numbers its
    chart shows, or its single value when it has neither rows nor a series."""
    fig = figure(key, selection, compare=False)
    columns, rows = fig.table()
    if not rows:
        return ["metric", "start", "end", "value", "unit"], [
            [fig.key, selection.period.start.isoformat(), selection.period.end.isoformat(),
             fig.value, fig.unit]
        ]
    return columns, [[row.get(c) for c in columns] for row in rows]
