"""SLA: the workspace's business hours and holidays, and its first-response targets."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from breakwater.sla import actions, due
from breakwater.sla.actions import HoursChange, TargetChange
from breakwater.sla.models import Holiday, SlaTarget

router = Router(tags=["sla"])


class HolidayIn(Schema):
    date: date
    name: str = ""


class BusinessHoursIO(Schema):
    week: list[list[list[str]]] = Field(
        description='Seven days, Monday first; each a list of ["HH:MM", "HH:MM"] open intervals '
        'in the workspace\'s time zone (an empty list: closed all day; "24:00" ends at midnight)',
        examples=[[[["08:00", "16:00"]]] * 5 + [[], []]],
    )
    finnish_holidays: bool = Field(True, description="closed on Finland's public holidays")
    holidays: list[HolidayIn] = Field([], description="the workspace's own closed dates")
    breaching_soon_minutes: int = Field(
        30,
        description='the inbox\'s "breaching soon" filter: overdue or due within this many minutes',
    )


class BusinessHoursOut(BusinessHoursIO):
    timezone: str = Field(description="the workspace's time zone the hours are in")
    open_now: bool


def _hours_out(member: Any) -> dict[str, Any]:
    hours = due.business_hours(member.workspace_id)
    holidays = Holiday.objects.filter(workspace_id=member.workspace_id).order_by("date")
    return {
        "week": hours.week,
        "finnish_holidays": hours.finnish_holidays,
        "holidays": [{"date": h.date, "name": h.name} for h in holidays],
        "breaching_soon_minutes": hours.breaching_soon_minutes,
        "timezone": member.workspace.timezone,
        "open_now": due.is_open(member.workspace_id, timezone.now()),
    }


@router.get("/business-hours", response=BusinessHoursOut, summary="Get business hours")
def get_business_hours(request: HttpRequest) -> dict[str, Any]:
    """The open hours and closed dates that business-hours SLA targets count."""
    return _hours_out(request.member)  # type: ignore[attr-defined]


@router.put("/business-hours", response=BusinessHoursOut, summary="Set business hours")
def put_business_hours(request: HttpRequest, body: BusinessHoursIO) -> dict[str, Any]:
    """Replace the whole setting (managers and up). Due times of open conversations follow."""
    member = request.member  # type: ignore[attr-defined]
    actions.do_set_business_hours(
        member,
        HoursChange(
            week=body.week,
            finnish_holidays=body.finnish_holidays,
            holidays=[(h.date, h.name) for h in body.holidays],
            breaching_soon_minutes=body.breaching_soon_minutes,
        ),
    )
    return _hours_out(member)


class TargetIn(Schema):
    minutes: int = Field(description="first response due this many minutes after the message")
    priority: int | None = Field(None, description="0..4 (none..urgent); null: any priority")
    channel: int | None = Field(None, description="a channel id; null: any channel")
    business_hours: bool = Field(
        True, description="count open business hours only; false: wall-clock"
    )

    model_config = {"extra": "forbid"}

    def change(self) -> TargetChange:
        return TargetChange(
            minutes=self.minutes,
            priority=self.priority,
            channel_id=self.channel,
            business_hours=self.business_hours,
        )


class TargetOut(Schema):
    id: int
    minutes: int
    priority: int | None
    channel: int | None = Field(alias="channel_id")
    business_hours: bool


@router.get("/sla-targets", response=list[TargetOut], summary="List SLA targets")
def list_targets(request: HttpRequest) -> Any:
    """The most specific target wins: priority and channel, then priority, then channel,
    then the one for everything."""
    return SlaTarget.objects.filter(
        workspace_id=request.member.workspace_id  # type: ignore[attr-defined]
    ).order_by("priority", "channel_id", "pk")


@router.post("/sla-targets", response={201: TargetOut}, summary="Create an SLA target")
def create_target(request: HttpRequest, body: TargetIn) -> Any:
    return Status(201, actions.do_create_target(request.member, body.change()))  # type: ignore[attr-defined]


@router.put("/sla-targets/{int:target_id}", response=TargetOut, summary="Change an SLA target")
def update_target(request: HttpRequest, target_id: int, body: TargetIn) -> Any:
    return actions.do_update_target(request.member, target_id, body.change())  # type: ignore[attr-defined]


@router.delete("/sla-targets/{int:target_id}", response={204: None}, summary="Delete an SLA target")
def delete_target(request: HttpRequest, target_id: int) -> Any:
    actions.do_delete_target(request.member, target_id)  # type: ignore[attr-defined]
    return Status(204, None)
