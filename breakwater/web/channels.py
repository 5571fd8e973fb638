"""The channels page: connect a network, see each channel's health, pause, reconnect, disconnect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from breakwater.connectors.base import Connector, connector_classes
from breakwater.core import actions
from breakwater.core.errors import ActionError
from breakwater.core.models import Channel, Role
from breakwater.ingest import sync
from breakwater.web.views import member_for

MANAGE = (Role.OWNER, Role.ADMIN)


def _config_from_post(request: HttpRequest, connector: type[Connector]) -> dict[str, Any]:
    """The connector's declared settings from the form; empty fields are left out."""
    values = {p.name: request.POST.get(f"cfg_{p.name}", "").strip() for p in connector.parameters}
    return {name: value for name, value in values.items() if value}


@login_required
def channels(request: HttpRequest, *, status: int = 200, form: dict[str, Any] | None = None) -> HttpResponse:
    member = member_for(request)
    rows = [
        {"channel": c, "health": sync.health(c), "connector": connector_classes().get(c.network)}
        for c in Channel.objects.filter(workspace_id=member.workspace_id).order_by("name", "pk")
    ]
    context = {
        "member": member,
        "rows": rows,
        "networks": sorted(connector_classes().values(), key=lambda c: c.label),
        "can_manage": member.role in MANAGE,
        "form": form or {},
    }
    return render(request, "web/channels/channels.html", context, status=status)


@login_required
@require_POST
def connect(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    network = request.POST.get("network", "")
    connector = connector_classes().get(network)
    name = request.POST.get("name", "")
    if connector is None:
        messages.error(request, _("Choose a network."))
        return redirect("web:channels")
    config = _config_from_post(request, connector)
    try:
        channel = actions.do_create_channel(member, network, name, config)
    except ActionError as exc:
        messages.error(request, exc.message)
        # Keep what was typed, except secrets.
        sensitive = connector.sensitive_parameters()
        kept = {k: v for k, v in config.items() if k not in sensitive}
        return channels(request, status=exc.status, form={"network": network, "name": name, **kept})
    messages.success(request, _("%(name)s is connected and syncing.") % {"name": channel.name})
    return redirect("web:channels")


def _channel_action(request: HttpRequest, channel_id: int, verb: str) -> HttpResponse:
    member = member_for(request)
    try:
        if verb == "pause":
            channel = actions.do_pause_channel(member, channel_id)
            done = _("%(name)s is paused. Nothing is lost: resume picks up where it stopped.")
        elif verb == "resume":
            channel = actions.do_resume_channel(member, channel_id)
            done = _("%(name)s syncs again.")
        elif verb == "disconnect":
            channel = actions.do_disconnect_channel(member, channel_id)
            done = _("%(name)s is disconnected. Its conversations stay in the inbox.")
        else:
            channel = actions.access_channel(member, channel_id)
            connector = connector_classes()[channel.network]
            channel = actions.do_reconnect_channel(member, channel_id, _config_from_post(request, connector))
            done = _("%(name)s is reconnected and resumes from where it stopped.")
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("web:channels")
    messages.success(request, done % {"name": channel.name})
    return redirect("web:channels")


@login_required
@require_POST
def pause(request: HttpRequest, channel_id: int) -> HttpResponse:
    return _channel_action(request, channel_id, "pause")


@login_required
@require_POST
def resume(request: HttpRequest, channel_id: int) -> HttpResponse:
    return _channel_action(request, channel_id, "resume")


@login_required
@require_POST
def disconnect(request: HttpRequest, channel_id: int) -> HttpResponse:
    return _channel_action(request, channel_id, "disconnect")


@login_required
@require_POST
def reconnect(request: HttpRequest, channel_id: int) -> HttpResponse:
    return _channel_action(request, channel_id, "reconnect")
