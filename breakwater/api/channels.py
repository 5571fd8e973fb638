"""Channels: connect (tested first), health, pause and resume, reconnect, disconnect."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from breakwater.api.schemas import ChannelOut
from breakwater.connectors.base import get_connector_class
from breakwater.core import actions
from breakwater.core.models import Channel, Membership, Role
from breakwater.ingest import sync

router = Router(tags=["channels"])


class ChannelIn(Schema):
    network: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=200)
    config: dict[str, Any] = {}


@router.get("/channels", response=list[ChannelOut], summary="List channels")
def list_channels(request: HttpRequest) -> Any:
    member = request.member  # type: ignore[attr-defined]
    return list(Channel.objects.filter(workspace_id=member.workspace_id).order_by("id"))


class ChannelDetailOut(ChannelOut):
    last_synced_at: datetime | None = Field(None, description="The last successful sync")
    last_error: str = Field("", description="The network's own text of the last failed sync "
                            "(or what made the channel need attention)")
    recovered_gaps: int = Field(0, description="Items reconciliation found missing and stored, "
                                "last 7 days")
    last_error_at: datetime | None = None
    next_sync_at: datetime | None = None
    rate_limit_remaining: int | None = Field(None, description="Calls left, from the network's "
                                             "rate-limit headers at the last sync")
    items_stored: int = Field(0, description="New items the sync engine stored, all time")
    secret: str | None = Field(
        None, description="The signing secret of an `api` channel's reply webhook (generated "
        "when the channel is created); shown to admins and owners only"
    )


def _detail(member: Membership, channel: Channel) -> dict[str, Any]:
    data = {**ChannelOut.from_orm(channel).dict(), **sync.health(channel)}
    if "secret" in get_connector_class(channel.network).generated_config() and member.role in (
        Role.OWNER, Role.ADMIN
    ):
        data["secret"] = actions.channel_config(channel).get("secret")
    return data


@router.post("/channels", response={201: ChannelDetailOut}, summary="Connect a channel")
def create_channel(request: HttpRequest, body: ChannelIn) -> Status[Any]:
    """`network` is a connector key (`demo`, `api`, `rss`, ...) and `config` its settings.
    The connection is tested before anything is saved (a refused password is a 422 with the
    server's own message), and the channel then syncs by itself. Sensitive settings are
    stored encrypted and never returned, except a secret Breakwater generated for you to
    check its signatures with (`api` channels: `secret`)."""
    member = request.member  # type: ignore[attr-defined]
    channel = actions.do_create_channel(member, body.network, body.name, body.config)
    return Status(201, _detail(member, channel))


@router.get("/channels/{int:channel_id}", response=ChannelDetailOut, summary="Get a channel")
def get_channel(request: HttpRequest, channel_id: int) -> Any:
    """The channel's health: `status` (`active`, `needs_attention`, `paused`,
    `disconnected`), `last_synced_at`, `last_error` and `recovered_gaps`."""
    member = request.member  # type: ignore[attr-defined]
    return _detail(member, actions.access_channel(member, channel_id))


@router.post("/channels/{int:channel_id}/pause", response=ChannelDetailOut, summary="Pause a channel")
def pause_channel(request: HttpRequest, channel_id: int) -> Any:
    member = request.member  # type: ignore[attr-defined]
    return _detail(member, actions.do_pause_channel(member, channel_id))


@router.post("/channels/{int:channel_id}/resume", response=ChannelDetailOut, summary="Resume a channel")
def resume_channel(request: HttpRequest, channel_id: int) -> Any:
    member = request.member  # type: ignore[attr-defined]
    return _detail(member, actions.do_resume_channel(member, channel_id))


class ReconnectIn(Schema):
    config: dict[str, Any] = Field(default_factory=dict, description="Settings to change "
                                   "(e.g. a new password); the others stay")


@router.post("/channels/{int:channel_id}/reconnect", response=ChannelDetailOut,
             summary="Reconnect a channel")
def reconnect_channel(request: HttpRequest, channel_id: int, body: ReconnectIn) -> Any:
    """Test the (new) settings and resume syncing from the saved cursor: nothing twice."""
    member = request.member  # type: ignore[attr-defined]
    return _detail(member, actions.do_reconnect_channel(member, channel_id, body.config))


@router.delete("/channels/{int:channel_id}", response=ChannelDetailOut, summary="Disconnect a channel")
def disconnect_channel(request: HttpRequest, channel_id: int) -> Any:
    """Forget the credentials and stop syncing; every conversation and message stays."""
    member = request.member  # type: ignore[attr-defined]
    return _detail(member, actions.do_disconnect_channel(member, channel_id))
