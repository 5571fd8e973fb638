"""Channels: list and connect."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from breakwater.api.schemas import ChannelOut
from breakwater.core import actions
from breakwater.core.models import Channel

router = Router(tags=["channels"])


class ChannelIn(Schema):
    network: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=200)
    config: dict[str, Any] = {}


@router.get("/channels", response=list[ChannelOut], summary="List channels")
def list_channels(request: HttpRequest) -> Any:
    member = request.member  # type: ignore[attr-defined]
    return list(Channel.objects.filter(workspace_id=member.workspace_id).order_by("id"))


@router.post("/channels", response={201: ChannelOut}, summary="Connect a channel")
def create_channel(request: HttpRequest, body: ChannelIn) -> Status[Any]:
    """`network` is a connector key (`demo`, `api`, ...). Sensitive settings are stored
    encrypted and never returned."""
    channel = actions.do_create_channel(request.member, body.network, body.name, body.config)  # type: ignore[attr-defined]
    return Status(201, channel)
