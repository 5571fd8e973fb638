"""The channels page: connect a network, see each channel's health, pause, reconnect, disconnect."""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from breakwater.connectors.base import Connector, connector_classes
from breakwater.core import actions, crypto
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


# -- OAuth: the admin signs in on the network, which sends the browser back with a code --------

OAUTH_SESSION_KEY = "channel_oauth"
OAUTH_MAX_AGE = 15 * 60  # seconds an unfinished sign-in is kept


@login_required
@require_POST
def oauth_start(request: HttpRequest) -> HttpResponse:
    """Register with the network and send the browser to its sign-in page. What finishing
    needs (the app's client secret) waits encrypted in the session, keyed by ``state``."""
    member = member_for(request)
    network = request.POST.get("network", "")
    connector = connector_classes().get(network)
    if connector is None:
        messages.error(request, _("Choose a network."))
        return redirect("web:channels")
    channel_id = request.POST.get("channel", "")
    channel_id = int(channel_id) if channel_id.isdigit() else None
    name = request.POST.get("name", "").strip()
    if channel_id is None and not name:
        messages.error(request, _("Give the channel a name first."))
        return channels(request, status=422, form={"network": network,
                                                   **_config_from_post(request, connector)})
    state = secrets.token_urlsafe(24)
    redirect_uri = request.build_absolute_uri(reverse("web:channel_oauth_callback"))
    try:
        started = actions.start_channel_oauth(member, network, _config_from_post(request, connector),
                                              redirect_uri, state, channel_id)
    except ActionError as exc:
        messages.error(request, exc.message)
        return channels(request, status=exc.status, form={"network": network, "name": name,
                                                          **_config_from_post(request, connector)})
    waiting = _fresh_sign_ins(request)
    waiting[state] = {"network": network, "name": name, "redirect_uri": redirect_uri,
                      "channel": channel_id, "at": time.time(),
                      "pending": crypto.encrypt_json(started.pending)}
    request.session[OAUTH_SESSION_KEY] = waiting
    return redirect(started.authorize_url)


def _fresh_sign_ins(request: HttpRequest) -> dict[str, Any]:
    waiting = request.session.get(OAUTH_SESSION_KEY) or {}
    return {k: v for k, v in waiting.items() if time.time() - v["at"] < OAUTH_MAX_AGE}


@login_required
@require_GET
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """Where the network sends the browser back: ``code`` and our ``state`` (or ``error``)."""
    member = member_for(request)
    waiting = _fresh_sign_ins(request)
    started = waiting.pop(request.GET.get("state", ""), None)
    request.session[OAUTH_SESSION_KEY] = waiting
    if started is None:
        messages.error(request, _("This sign-in is unknown or took longer than 15 minutes. "
                                  "Start it again from this page."))
        return redirect("web:channels")
    label = connector_classes()[started["network"]].label
    if request.GET.get("error") or not request.GET.get("code"):
        said = request.GET.get("error_description") or request.GET.get("error") or _("no code")
        messages.error(request, _("%(network)s did not grant access: %(reason)s. Nothing was "
                                  "connected; try again and allow Breakwater on the network's "
                                  "page.") % {"network": label, "reason": said})
        return redirect("web:channels")
    try:
        channel = actions.do_finish_channel_oauth(
            member, started["network"], started["name"], crypto.decrypt_json(started["pending"]),
            request.GET["code"], started["redirect_uri"], started["channel"])
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("web:channels")
    if started["channel"]:
        messages.success(request, _("%(name)s is reconnected and resumes from where it stopped.")
                         % {"name": channel.name})
    else:
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
