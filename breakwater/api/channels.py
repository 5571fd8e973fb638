"""Channels: list and connect."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from breakwater.api.schemas import ChannelOut
from breakwater.connectors.base import get_connector_class
from breakwater.core import actions
from breakwater.core.errors import NotFound
from breakwater.core.models import Channel, Membership, Role

router = Router(tags=["channels"])


class ChannelIn(Schema):
    network: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=200)
    config: dict[str, Any] = {}


@router.get("/channels", response=list[ChannelOut], summary="List channels")
def list_channels(request: HttpRequest) -> Any:
    member = request.member  # type: ignore[attr-defined]
    return list(Channel.objects.filter(workspace_id=member.workspace_id).order_by("id"))


class ChannelWithSecretOut(ChannelOut):
    secret: str | None = Field(
        None, description="The signing secret Breakwater generated for this channel (the `api` "
        "network signs each reply webhook with it); shown to admins only"
    )


def _with_secret(member: Membership, channel: Channel) -> dict[str, Any]:
    data = ChannelOut.from_orm(channel).dict()
    generated = get_connector_class(channel.network).generated_config()
    if "secret" in generated and member.role in (Role.OWNER, Role.ADMIN):
        data["secret"] = actions.channel_config(channel).get("secret")
    return data


@router.post("/channels", response={201: ChannelWithSecretOut}, summary="Connect a channel")
def create_channel(request: HttpRequest, body: ChannelIn) -> Status[Any]:
    """`network` is a connector key (`demo`, `api`, ...). Sensitive settings are stored
    encrypted and never returned, except a secret Breakwater generated for you to check
    its signatures with (`api` channels: `secret`)."""
    member = request.member  # type: ignore[attr-defined]
    channel = actions.do_create_channel(member, body.network, body.name, body.config)
    return Status(201, _with_secret(member, channel))


@router.get("/channels/{channel_id}", response=ChannelWithSecretOut, summary="Get a channel")
def get_channel(request: HttpRequest, channel_id: int) -> Any:
    member = request.member  # type: ignore[attr-defined]
    channel = Channel.objects.filter(pk=channel_id, workspace_id=member.workspace_id).first()
    if channel is None:
        raise NotFound("no such channel in this workspace")
    return _with_secret(member, channel)
