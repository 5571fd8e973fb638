"""Assignment: policies per channel or tag, a member's availability, the team's workload."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from breakwater.automation import actions, queries

router = Router(tags=["assignment"])


class PolicyOut(Schema):
    id: int
    channel: int | None = Field(None, alias="channel_id")
    tag: str | None = None
    mode: str = Field(description="manual | round_robin | least_loaded")
    pool: list[int] = Field(description="user ids; empty: every agent and up")

    @staticmethod
    def resolve_tag(obj: Any) -> str | None:
        return obj.tag.name if obj.tag_id else None


class PolicyIn(Schema):
    channel: int | None = Field(None, description="a channel id, or give `tag`")
    tag: str | None = Field(None, description="a tag name, or give `channel`")
    mode: str = Field(..., description="manual | round_robin | least_loaded")
    pool: list[int] = Field(default_factory=list)


@router.get("/assignment-policies", response=list[PolicyOut], summary="List assignment policies")
def list_policies(request: HttpRequest) -> Any:
    return list(queries.list_policies(request.member))  # type: ignore[attr-defined]


@router.put("/assignment-policies", response=PolicyOut, summary="Set a channel's or tag's policy")
def save_policy(request: HttpRequest, body: PolicyIn) -> Any:
    """New conversations of the channel (or with the tag, which wins) go to the pool's
    available members in turn (`round_robin`) or to whoever has the fewest open and pending
    conversations (`least_loaded`). Managers and up."""
    return actions.do_save_policy(request.member, body.mode, body.pool,  # type: ignore[attr-defined]
                                  channel_id=body.channel, tag=body.tag)


@router.delete("/assignment-policies/{int:policy_id}", response={204: None},
               summary="Delete an assignment policy")
def delete_policy(request: HttpRequest, policy_id: int) -> Status[None]:
    actions.do_delete_policy(request.member, policy_id)  # type: ignore[attr-defined]
    return Status(204, None)


class AvailabilityIn(Schema):
    availability: str = Field(..., description="available | away | offline")


class AvailabilityOut(Schema):
    availability: str


@router.put("/me/availability", response=AvailabilityOut, summary="Set my availability")
def set_availability(request: HttpRequest, body: AvailabilityIn) -> Any:
    """Away and offline members get no new conversations automatically."""
    return actions.do_set_availability(request.member, body.availability)  # type: ignore[attr-defined]


class MemberLoadOut(Schema):
    user_id: int
    name: str
    email: str
    role: str
    availability: str
    open: int
    pending: int
    assigned_today: int = Field(description="assignments to them since midnight (workspace time)")
    oldest_waiting_at: datetime | None = Field(
        description="last customer message of their longest-waiting open conversation"
    )


@router.get("/workload", response=list[MemberLoadOut], summary="Team workload")
def workload(request: HttpRequest) -> Any:
    return queries.workload(request.member)  # type: ignore[attr-defined]
