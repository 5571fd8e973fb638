"""What a rule is, as data, and whether a message meets its conditions. Pure: no database.

A rule's ``conditions`` and ``actions`` are JSON checked here with pydantic, so the API, the
UI and the engine share one definition and errors name the field ("conditions.time.start:
...") . Matching works on :class:`Facts`, a plain picture of one inbound message.

Each condition is a field of :class:`Conditions` and a function registered with
``@condition("field")``: adding one (e.g. business hours) is one field and one function.
A check answers True, False or None ("not known yet": the message's sentiment arrives from
the worker after ingest); :func:`evaluate` folds them so that a rule whose other conditions
already fail is decided at once, and only a rule that could still match waits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import cached_property, lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from breakwater.analysis.lemmas import Query, query_terms, satisfies, tokenize

KINDS = ("comment", "ad_comment", "mention", "dm", "review", "post", "reply")
SENTIMENTS = ("positive", "neutral", "negative")
STATUSES = ("open", "pending", "done")
PRIORITIES = ("none", "low", "normal", "high", "urgent")
_LANGUAGE = re.compile(r"^(?:[a-z]{2,3}|und)$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContactCondition(_Strict):
    """Who wrote: one of these handles (or network ids), and/or someone writing for the
    first time."""

    handles: list[str] = Field(default_factory=list, max_length=100)
    first_time: bool = False

    @field_validator("handles")
    @classmethod
    def _clean_handles(cls, value: list[str]) -> list[str]:
        return [h.strip().lstrip("@").lower() for h in value if h.strip().lstrip("@")]


class TimeWindow(_Strict):
    """When the message was written, in the workspace's time zone: between ``start`` and
    ``end`` ("HH:MM"; an end before the start runs past midnight) on ``weekdays`` (0 is
    Monday). Leave a part out to match any."""

    start: str | None = None
    end: str | None = None
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(default_factory=list)

    @field_validator("start", "end")
    @classmethod
    def _check_time(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not _HHMM.match(value):
            raise ValueError("write the time as HH:MM, e.g. 08:30")
        return value


class Conditions(_Strict):
    """Every given condition must hold (AND); inside a list, any value (OR)."""

    networks: list[str] = Field(default_factory=list, description='e.g. ["facebook", "x"]')
    channels: list[int] = Field(default_factory=list, description="channel ids")
    kinds: list[Literal[KINDS]] = Field(default_factory=list)  # type: ignore[valid-type]
    text: str = Field("", max_length=500, description=(
        'a search query, as in the inbox search: words in any inflection, "exact phrase", prefix*'
    ))
    languages: list[str] = Field(default_factory=list, description='e.g. ["fi", "sv"]')
    sentiments: list[Literal[SENTIMENTS]] = Field(default_factory=list)  # type: ignore[valid-type]
    contact: ContactCondition | None = None
    time: TimeWindow | None = None
    business_hours: Literal["inside", "outside"] | None = Field(None, description=(
        "written inside or outside the workspace's business hours (holidays count as closed)"
    ))

    @field_validator("languages")
    @classmethod
    def _check_languages(cls, value: list[str]) -> list[str]:
        codes = [v.strip().lower() for v in value]
        for code in codes:
            if not _LANGUAGE.match(code):
                raise ValueError(f"{code!r} is not an ISO 639 code such as fi, sv or en")
        return codes

    @field_validator("networks")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [v.strip().lower() for v in value if v.strip()]

    @field_validator("text")
    @classmethod
    def _check_text(cls, value: str) -> str:
        value = value.strip()
        if value and not query_terms(value):
            raise ValueError("the query has no words to look for")
        return value


# -- actions -------------------------------------------------------------------------------


class TagAction(_Strict):
    type: Literal["tag"]
    tags: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1)


class AssignAction(_Strict):
    """``mode`` "member" gives every match to ``member`` (a user id); "round_robin" and
    "least_loaded" pick from ``pool`` (user ids; empty: every agent), skipping away and
    offline members."""

    type: Literal["assign"]
    mode: Literal["member", "round_robin", "least_loaded"] = "member"
    member: int | None = None
    pool: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _needs_member(self) -> AssignAction:
        if self.mode == "member" and not self.member:
            raise ValueError("choose the member who gets the conversation")
        return self


class PriorityAction(_Strict):
    type: Literal["priority"]
    priority: Literal[PRIORITIES]  # type: ignore[valid-type]


class StatusAction(_Strict):
    type: Literal["status"]
    status: Literal[STATUSES]  # type: ignore[valid-type]


class ReplyAction(_Strict):
    type: Literal["reply"]
    saved_reply: int = Field(description="id of a saved reply of the workspace")


class SpamAction(_Strict):
    type: Literal["spam"]


class ForwardAction(_Strict):
    """Forward the message to another team: a feedback destination (email or webhook)."""

    type: Literal["forward"]
    destination: int = Field(description="id of a forwarding destination of the workspace")
    comment: str = Field("", max_length=500)


Action = Annotated[
    TagAction | AssignAction | PriorityAction | StatusAction | ReplyAction | SpamAction
    | ForwardAction,
    Field(discriminator="type"),
]


ACTION_TYPES = ("tag", "assign", "priority", "status", "reply", "spam", "forward")


class RuleBody(_Strict):
    conditions: Conditions = Field(default_factory=Conditions)
    actions: list[Action] = Field(default_factory=list, max_length=20)


class RuleError(ValueError):
    """Invalid conditions or actions; ``problems`` lists ``{"field", "message"}``."""

    def __init__(self, problems: list[dict[str, str]]):
        self.problems = problems
        first = problems[0]
        super().__init__(f"{first['field']}: {first['message']}" if first["field"] else first["message"])


def _problems(exc: ValidationError, prefix: str) -> list[dict[str, str]]:
    out = []
    for e in exc.errors():
        # A discriminated union puts the action's type after its index ("actions", 0,
        # "assign", "member"): leave the type out.
        parts = list(e.get("loc", ()))
        loc = [str(p) for i, p in enumerate(parts)
               if not (i and isinstance(parts[i - 1], int) and p in ACTION_TYPES)]
        message = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        out.append({"field": ".".join([prefix, *loc]) if prefix else ".".join(loc),
                    "message": message})
    return out


def parse_body(conditions: Any, actions: Any) -> RuleBody:
    try:
        return RuleBody.model_validate({"conditions": conditions or {}, "actions": actions or []})
    except ValidationError as exc:
        raise RuleError(_problems(exc, "")) from None


# -- facts and matching --------------------------------------------------------------------


@dataclass
class Facts:
    """One inbound message as the rules see it."""

    network: str
    channel_id: int
    kind: str
    text: str
    search_text: str
    language: str
    sentiment: str  # "" until the worker scored it
    created_at: datetime
    timezone: str = "UTC"
    handle: str = ""
    author_external_id: str = ""
    first_time: bool = False
    # Whether the workspace was open when the message was written; asked only by a rule
    # that needs it (it reads the workspace's business hours).
    is_open: Callable[[], bool] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def words(self) -> list[str]:
        return tokenize(self.text)

    @cached_property
    def terms(self) -> set[str]:
        # What the full-text index holds for the message: its words and stored lemmas.
        return {*self.words, *self.search_text.split()}

    @cached_property
    def local_time(self) -> datetime:
        return self.created_at.astimezone(ZoneInfo(self.timezone))


Check = Callable[[Any, Facts], bool | None]
CHECKS: dict[str, Check] = {}


def condition(name: str) -> Callable[[Check], Check]:
    """Register the check for the ``Conditions`` field ``name``."""

    def register(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return register


@condition("networks")
def _networks(value: list[str], facts: Facts) -> bool:
    return facts.network in value


@condition("channels")
def _channels(value: list[int], facts: Facts) -> bool:
    return facts.channel_id in value


@condition("kinds")
def _kinds(value: list[str], facts: Facts) -> bool:
    return facts.kind in value


@lru_cache(maxsize=1024)
def parsed_query(text: str) -> Query:
    return query_terms(text)


@condition("text")
def _text(value: str, facts: Facts) -> bool:
    return satisfies(parsed_query(value), facts.words, facts.terms)


@condition("languages")
def _languages(value: list[str], facts: Facts) -> bool:
    return (facts.language or "und").split("-")[0] in value


@condition("sentiments")
def _sentiments(value: list[str], facts: Facts) -> bool | None:
    if not facts.sentiment:
        return None
    return facts.sentiment in value


@condition("contact")
def _contact(value: ContactCondition, facts: Facts) -> bool:
    if value.first_time and not facts.first_time:
        return False
    if value.handles:
        who = {facts.handle.lstrip("@").lower(), facts.author_external_id.lower()} - {""}
        return not who.isdisjoint(value.handles)
    return True


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


@condition("business_hours")
def _business_hours(value: str, facts: Facts) -> bool:
    inside = facts.is_open() if facts.is_open is not None else False
    return inside == (value == "inside")


@condition("time")
def _time(value: TimeWindow, facts: Facts) -> bool:
    local = facts.local_time
    if value.weekdays and local.weekday() not in value.weekdays:
        return False
    return in_window(local.time(), value.start, value.end)


def in_window(at: time, start: str | None, end: str | None) -> bool:
    """Whether ``at`` is in [start, end); a window ending before it starts wraps midnight."""
    now = at.hour * 60 + at.minute
    lo = _minutes(start) if start else 0
    hi = _minutes(end) if end else 24 * 60
    if lo <= hi:
        return lo <= now < hi
    return now >= lo or now < hi


def _is_set(value: Any) -> bool:
    return value not in (None, "", [], ())


def evaluate(conditions: Conditions, facts: Facts) -> bool | None:
    """True when every set condition holds, False when one fails, None when none fails but
    one cannot tell yet (sentiment not scored)."""
    unknown = False
    for name, check in CHECKS.items():
        value = getattr(conditions, name, None)
        if not _is_set(value):
            continue
        verdict = check(value, facts)
        if verdict is False:
            return False
        if verdict is None:
            unknown = True
    return None if unknown else True


def uses(conditions: Conditions, name: str) -> bool:
    return _is_set(getattr(conditions, name, None))
