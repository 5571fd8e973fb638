"""Listening pages: topics with share of voice, a topic's charts, terms and spikes, a spike's
explanation, the topic form with its live preview, sources, and alerts."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from breakwater.core.actions import RANK
from breakwater.core.errors import ActionError, NotFound
from breakwater.core.models import Channel, Role
from breakwater.listening import actions, queries
from breakwater.listening.actions import QueryInvalid, SourceFields, TopicFields
from breakwater.listening.models import AlertDestination, Topic, TopicGroup
from breakwater.web import charts
from breakwater.web.views import member_for

PREVIEW_MENTIONS = 10


def _can_edit(member: Any) -> bool:
    return RANK[Role(member.role)] >= RANK[Role.MANAGER]


def _share_chart(share: list[dict[str, Any]]) -> Any:
    return charts.share(_("Share of voice, last 30 days"),
                        {row["name"]: row["mentions"] for row in share},
                        description=_("Share of voice"))


@login_required
def topics(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    share = queries.share_of_voice(member)
    return render(request, "web/listening/topics.html", {
        "member": member, "topics": queries.topics(member), "share": share,
        "share_chart": _share_chart(share) if any(r["mentions"] for r in share) else None,
        "alerts": queries.alerts(member, 5), "unread": queries.unread_alerts(member),
        "can_edit": _can_edit(member),
    })


def _topic(member: Any, topic_id: int) -> Topic:
    try:
        return queries.access_topic(member, topic_id)
    except NotFound:
        raise Http404(_("No such topic.")) from None


@login_required
def topic(request: HttpRequest, topic_id: int) -> HttpResponse:
    member = member_for(request)
    found = _topic(member, topic_id)
    volume = queries.volume(member, [found.pk], 30)
    trend = queries.sentiment_trend(member, found.pk, 30)
    share = queries.share_of_voice(member)
    labels = [f"{int(d[8:])}.{int(d[5:7])}." for d in volume.labels]
    return render(request, "web/listening/topic.html", {
        "member": member, "topic": found,
        "volume_chart": charts.line(_("Mentions per day"), labels,
                                    {found.name: volume.series.get(found.name, [])},
                                    description=_("Mentions per day")),
        "sentiment_chart": charts.bar(
            _("Sentiment per day"), labels,
            # In this order the palette gives neutral blue, negative red and positive green.
            {_("neutral"): trend.series["neutral"], _("negative"): trend.series["negative"],
             _("positive"): trend.series["positive"]},
            stacked=True, description=_("Sentiment per day")),
        "share_chart": _share_chart(share) if any(r["mentions"] for r in share) else None,
        "share": share,
        "terms": queries.top_terms(member, found.pk),
        "emerging": queries.emerging_terms(member, found.pk),
        "spikes": queries.spikes(member, found.pk, days=28),
        "mentions": queries.mentions(member, found.pk, limit=20),
        "channels": Channel.objects.filter(workspace_id=member.workspace_id).order_by("name"),
        "can_edit": _can_edit(member),
    })


@login_required
def spike(request: HttpRequest, topic_id: int) -> HttpResponse:
    member = member_for(request)
    found = _topic(member, topic_id)
    try:
        start = datetime.fromisoformat(request.GET.get("start", ""))
        end = datetime.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        raise Http404(_("No such spike.")) from None
    explained = queries.explain_spike(member, found.pk, start, end)
    return render(request, "web/listening/spike.html", {"member": member, **explained,
                                                          "kind": request.GET.get("kind", "")})


@login_required
def edit_topic(request: HttpRequest, topic_id: int | None = None) -> HttpResponse:
    member = member_for(request)
    found = _topic(member, topic_id) if topic_id is not None else None
    if request.method == "POST":
        post = request.POST
        fields = TopicFields(post.get("name", ""), post.get("query", ""),
                             post.get("group", TopicGroup.BRAND), post.get("active") == "1")
        try:
            if found is None:
                found = actions.do_create_topic(member, fields)
            else:
                found = actions.do_update_topic(member, found.pk, fields)
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Topic saved."))
            return redirect("web:listening_topic", topic_id=found.pk)
    return render(request, "web/listening/edit.html", {
        "member": member, "topic": found, "groups": TopicGroup.choices,
        "form": request.POST if request.method == "POST" else None,
    })


@login_required
@require_POST
def delete_topic(request: HttpRequest, topic_id: int) -> HttpResponse:
    try:
        actions.do_delete_topic(member_for(request), topic_id)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Topic deleted."))
    return redirect("web:listening")


@login_required
@require_POST
def preview(request: HttpRequest) -> JsonResponse:
    """The topic form's live preview: errors at their position, or the stored mentions the
    query matches (the same matcher as live listening), and matches of sample texts."""
    member = member_for(request)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": _("send JSON")}, status=400)
    query = str(body.get("query", ""))
    texts = [str(t) for t in body.get("texts", [])][: actions.MAX_PREVIEW_TEXTS]
    try:
        found = actions.dry_run(member, query)
        sample = actions.preview(member, query, texts) if texts else []
    except QueryInvalid as exc:
        return JsonResponse({"error": exc.message, "position": exc.position}, status=422)
    except ActionError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    return JsonResponse({
        "matches": sample,
        "count": len(found),
        "mentions": [{"text": m.text[:280], "author": m.author, "network": m.network,
                      "created_at": m.created_at.isoformat()} for m in found[:PREVIEW_MENTIONS]],
    })


@login_required
@require_POST
def send_to_inbox(request: HttpRequest, mention_id: int) -> HttpResponse:
    member = member_for(request)
    channel = request.POST.get("channel", "")
    try:
        conversation_id = actions.do_send_to_inbox(
            member, mention_id, int(channel) if channel.isdigit() else None)
    except ActionError as exc:
        messages.error(request, exc.message)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
            back = reverse("web:listening")
        return redirect(back)
    return redirect("web:conversation", conversation_id=conversation_id)


@login_required
def sources(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    return render(request, "web/listening/sources.html", {
        "member": member, "sources": queries.sources(member), "can_edit": _can_edit(member),
        "channels": [c for c in Channel.objects.filter(workspace_id=member.workspace_id)
                     .order_by("name")
                     if actions.can_search(c.network) or actions.can_stream(c.network)],
    })


@login_required
@require_POST
def source_command(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    post = request.POST
    command = post.get("command", "")
    source_id = int(post["source"]) if post.get("source", "").isdigit() else 0
    try:
        if command == "add":
            channel = post.get("channel", "")
            actions.do_create_source(member, SourceFields(
                post.get("kind", ""), post.get("name", ""), url=post.get("url", "").strip(),
                channel_id=int(channel) if channel.isdigit() else None,
                query=post.get("query", ""), dedicated=post.get("dedicated") == "1"))
        elif command == "starter":
            actions.do_create_starter_sources(member)
        elif command in ("pause", "resume"):
            actions.do_set_source_active(member, source_id, command == "resume")
        elif command == "delete":
            actions.do_delete_source(member, source_id)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sources saved."))
    return redirect("web:listening_sources")


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("command") == "add":
                actions.do_create_destination(member, post.get("kind", ""),
                                              post.get("address", ""))
            elif post.get("command") == "delete" and post.get("destination", "").isdigit():
                actions.do_delete_destination(member, int(post["destination"]))
            elif post.get("command") == "read":
                actions.do_mark_alerts_read(member)
        except ActionError as exc:
            messages.error(request, exc.message)
        return redirect("web:listening_alerts")
    return render(request, "web/listening/alerts.html", {
        "member": member, "alerts": queries.alerts(member),
        "destinations": AlertDestination.objects.filter(workspace_id=member.workspace_id)
        .order_by("pk"),
        "can_edit": _can_edit(member),
    })
