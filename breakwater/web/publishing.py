"""Publishing pages: the calendar (month and week, drag to reschedule), the composer with a
preview per network, a post's page (variants, versions, comments, approval), the queue and
cadence settings, campaigns with budget pacing, and the weekly digest."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from breakwater.core.actions import RANK, in_workspace
from breakwater.core.errors import ActionError
from breakwater.core.models import Channel, Membership, Role
from breakwater.publishing import actions, cadence, clock, queries
from breakwater.publishing import campaigns as budgets
from breakwater.publishing.actions import PostFields, VariantFields
from breakwater.publishing.models import (
    Budget,
    Campaign,
    Post,
    PostStatus,
)
from breakwater.web.views import member_for


def _today(member: Membership) -> date:
    return clock.now().astimezone(ZoneInfo(member.workspace.timezone)).date()


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _local(value: str, tz: str) -> datetime | None:
    """A ``datetime-local`` input (the workspace's time), or None when empty."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


@login_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    tz = member.workspace.timezone
    view = "week" if request.GET.get("view") == "week" else "month"
    anchor = _day(request.GET.get("date"), _today(member))
    if view == "week":
        start = cadence.monday(anchor)
        end = start + timedelta(days=6)
        prev, nxt = start - timedelta(days=7), start + timedelta(days=7)
    else:
        first = anchor.replace(day=1)
        last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
        start, end = cadence.monday(first), cadence.monday(last) + timedelta(days=6)
        prev = (first - timedelta(days=1)).replace(day=1)
        nxt = last + timedelta(days=1)
    data = queries.calendar(member.workspace_id, start, end, tz)
    zone = ZoneInfo(tz)
    by_day: dict[str, list[dict[str, Any]]] = {}
    for post in data["posts"]:
        local = datetime.fromisoformat(post["scheduled_at"]).astimezone(zone)
        post["time"] = local.strftime("%H:%M")
        by_day.setdefault(local.date().isoformat(), []).append(post)
    bursts = {f["date"] for f in data["flags"] if f["kind"] == "burst"}
    gaps: dict[str, list[dict[str, Any]]] = {}
    names = {c.pk: c.name for c in queries.channels(member.workspace_id)}
    for f in data["flags"]:
        if f["kind"] == "gap":
            gaps.setdefault(f["date"], []).append({**f, "name": names.get(f["channel"], "")})
    weeks = []
    day = start
    while day <= end:
        week = []
        for _n in range(7):
            key = day.isoformat()
            week.append({"date": day, "key": key, "posts": by_day.get(key, []),
                         "burst": key in bursts, "outside": view == "month" and day.month != anchor.month,
                         "today": day == _today(member)})
            day += timedelta(days=1)
        weeks.append({"days": week, "gaps": gaps.get(week[0]["key"], [])})
    return render(request, "web/publishing/calendar.html", {
        "member": member, "view": view, "anchor": anchor, "weeks": weeks, "prev": prev,
        "next": nxt, "weekdays": [WEEKDAYS[i] for i in range(7)], "timezone": tz,
    })


@login_required
@require_POST
def reschedule(request: HttpRequest, post_id: int) -> HttpResponse:
    """The calendar's drag (JSON answer for the script) and the post page's form."""
    member = member_for(request)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        moment = _local(request.POST.get("scheduled_at", ""), member.workspace.timezone)
        if moment is None:
            raise ValueError
        post = actions.do_reschedule(member, post_id, moment)
    except ValueError:
        error, status = _("Give a date and time."), 422
    except ActionError as exc:
        error, status = exc.message, exc.status
    else:
        if wants_json:
            return JsonResponse({"id": post.pk, "scheduled_at": post.scheduled_at.isoformat(),
                                 "status": post.status})
        messages.success(request, _("Post rescheduled."))
        return redirect("web:publishing_post", post_id=post.pk)
    if wants_json:
        return JsonResponse({"error": error}, status=status)
    messages.error(request, error)
    return redirect("web:publishing_post", post_id=post_id)


def _fields_from(request: HttpRequest, member: Membership) -> PostFields:
    channel_ids = [int(c) for c in request.POST.getlist("channels") if c.isdigit()]
    variants = [VariantFields(
        channel=c, text=request.POST.get(f"text_{c}", "").strip(),
        media=[int(m) for m in request.POST.get(f"media_{c}", "").replace(",", " ").split()
               if m.isdigit()],
        first_comment=request.POST.get(f"first_comment_{c}", ""),
        alt_text=request.POST.get(f"alt_{c}", "")) for c in channel_ids]
    campaign = request.POST.get("campaign", "")
    return PostFields(
        text=request.POST.get("text", ""), variants=variants,
        scheduled_at=_local(request.POST.get("scheduled_at", ""), member.workspace.timezone),
        link=request.POST.get("link", "").strip(),
        campaign=int(campaign) if campaign.isdigit() else None)


def _composer_context(member: Membership, post: Post | None) -> dict[str, Any]:
    chosen = {v.channel_id: v for v in post.variants.all()} if post else {}
    zone = ZoneInfo(member.workspace.timezone)
    channels = [{"channel": c, "variant": chosen.get(c.pk), "on": c.pk in chosen}
                for c in queries.channels(member.workspace_id)]
    previews = []
    if post is not None:
        for v in post.variants.select_related("channel"):
            previews.append({"channel": v.channel, **queries.preview(
                member, v.channel.network, actions.variant_text(post, v),
                v.media, v.link or post.link, post.campaign)})
    return {
        "member": member, "post": post, "channels": channels, "previews": previews,
        "campaigns": Campaign.objects.filter(workspace_id=member.workspace_id).order_by("name"),
        "local_time": post.scheduled_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
        if post and post.scheduled_at else "",
        "timezone": member.workspace.timezone,
        "is_manager": RANK[Role(member.role)] >= RANK[Role.MANAGER],
    }


@login_required
@require_POST
def live_preview(request: HttpRequest) -> JsonResponse:
    """The composer's live preview while typing: the same as ``POST /api/v1/posts/preview``."""
    member = member_for(request)
    try:
        fields = _fields_from(request, member)
        campaign = (in_workspace(member, Campaign, fields.campaign, "campaign")
                    if fields.campaign else None)
        out = []
        for v in fields.variants:
            channel = in_workspace(member, Channel, v.channel, "channel")
            out.append({"channel": channel.pk, "name": channel.name, **queries.preview(
                member, channel.network, v.text or fields.text, v.media, fields.link, campaign)})
    except ActionError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=422)
    return JsonResponse({"previews": out})


@login_required
def new_post(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    if request.method == "POST":
        try:
            post = actions.do_create_post(member, _fields_from(request, member))
        except (ActionError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        else:
            messages.success(request, _("Post saved."))
            return redirect("web:publishing_post", post_id=post.pk)
    context = _composer_context(member, None)
    context["local_time"] = request.GET.get("at", "")
    return render(request, "web/publishing/post.html", context)


@login_required
def post_view(request: HttpRequest, post_id: int) -> HttpResponse:
    member = member_for(request)
    try:
        post = actions.access_post(member, post_id)
        if request.method == "POST":
            _post_command(request, member, post)
            return redirect("web:publishing_post", post_id=post.pk)
    except ActionError as exc:
        if request.method != "POST":
            return HttpResponse(exc.message, status=exc.status)
        messages.error(request, exc.message)
        return redirect("web:publishing_post", post_id=post_id)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("web:publishing_post", post_id=post_id)
    post = Post.objects.select_related("campaign").prefetch_related("variants__channel").get(pk=post.pk)
    context = _composer_context(member, post)
    context["versions"] = post.versions.select_related("edited_by").order_by("-number")
    context["comments"] = post.comments.select_related("author").order_by("created_at")
    context["editable"] = post.status in actions.EDITABLE
    return render(request, "web/publishing/post.html", context)


def _post_command(request: HttpRequest, member: Membership, post: Post) -> None:
    command = request.POST.get("do", "save")
    if command == "save":
        actions.do_update_post(member, post.pk, _fields_from(request, member))
        messages.success(request, _("Post saved."))
    elif command == "comment":
        actions.do_comment(member, post.pk, request.POST.get("comment", ""))
    elif command == "submit":
        actions.do_submit(member, post.pk)
    elif command == "queue":
        actions.do_add_to_queue(member, post.pk)
        messages.success(request, _("Added to the queue."))
    elif command == "approve":
        actions.do_approve_post(member, post.pk, None, request.POST.get("comment", ""))
    elif command == "reject":
        actions.do_reject_post(member, post.pk, request.POST.get("comment", ""))
    elif command == "delete":
        actions.do_delete_post(member, post.pk)
        messages.success(request, _("Post deleted."))


@login_required
def delete_post(request: HttpRequest, post_id: int) -> HttpResponse:
    member = member_for(request)
    if request.method == "POST":
        try:
            actions.do_delete_post(member, post_id)
            messages.success(request, _("Post deleted."))
        except ActionError as exc:
            messages.error(request, exc.message)
            return redirect("web:publishing_post", post_id=post_id)
    return redirect("web:publishing")


@login_required
def queue_settings(request: HttpRequest) -> HttpResponse:
    """Each channel's cadence target and posting slots ("0 09:00, 3 15:30")."""
    member = member_for(request)
    if request.method == "POST":
        try:
            channel_id = int(request.POST.get("channel", "0"))
            actions.do_set_cadence_target(member, channel_id,
                                          int(request.POST.get("posts_per_week") or 0),
                                          int(request.POST.get("min_interval_minutes") or 0))
            actions.do_set_queue_slots(member, channel_id, _slots(request.POST.get("slots", "")))
            messages.success(request, _("Queue saved."))
        except ActionError as exc:
            messages.error(request, exc.message)
        except ValueError:
            messages.error(request, _("Write slots as weekday number and time, e.g. 0 09:00, 3 15:30."))
        return redirect("web:publishing_queue")
    return render(request, "web/publishing/queue.html",
                  {"member": member, "rows": queries.queue_overview(member.workspace_id)})


def _slots(text: str) -> list[tuple[int, Any]]:
    from datetime import time

    found = []
    for part in text.replace(";", ",").split(","):
        if part.strip():
            day, at = part.split()
            found.append((int(day), time.fromisoformat(at)))
    return found


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    if request.method == "POST":
        try:
            fields = {k: request.POST.get(k, "").strip() for k in
                      ("name", "utm_source", "utm_medium", "utm_campaign", "external_id")}
            for k in ("starts_on", "ends_on"):
                fields[k] = _day(request.POST.get(k), None)  # type: ignore[arg-type]
            campaign = budgets.do_save_campaign(member, fields)
        except ActionError as exc:
            messages.error(request, exc.message)
            return redirect("web:publishing_campaigns")
        return redirect("web:publishing_campaign", campaign_id=campaign.pk)
    rows = Campaign.objects.filter(workspace_id=member.workspace_id).order_by("name")
    return render(request, "web/publishing/campaigns.html", {"member": member, "campaigns": rows})


@login_required
def campaign_view(request: HttpRequest, campaign_id: int) -> HttpResponse:
    member = member_for(request)
    try:
        campaign = in_workspace(member, Campaign, campaign_id, "campaign")
        if request.method == "POST":
            _campaign_command(request, member, campaign)
            return redirect("web:publishing_campaign", campaign_id=campaign.pk)
    except ActionError as exc:
        if request.method != "POST":
            return HttpResponse(exc.message, status=exc.status)
        messages.error(request, exc.message)
        return redirect("web:publishing_campaign", campaign_id=campaign_id)
    except ValueError:
        messages.error(request, _("Check the dates and the amount."))
        return redirect("web:publishing_campaign", campaign_id=campaign_id)
    today = _today(member)
    budgets = [{"budget": b, "pacing": queries.budget_pacing(b, today)}
               for b in Budget.objects.filter(campaign=campaign).select_related("channel")]
    posts = Post.objects.filter(campaign=campaign).order_by("-scheduled_at")[:50]
    return render(request, "web/publishing/campaign.html", {
        "member": member, "campaign": campaign, "budgets": budgets, "posts": posts,
        "ad_comments": queries.ad_comments(campaign),
        "channels": queries.channels(member.workspace_id), "today": today,
    })


def _campaign_command(request: HttpRequest, member: Membership, campaign: Campaign) -> None:
    if request.POST.get("do") == "budget":
        budgets.do_create_budget(
            member, campaign.pk, int(request.POST.get("channel", "0")), request.POST.get("amount"),
            date.fromisoformat(request.POST.get("period_start", "")),
            date.fromisoformat(request.POST.get("period_end", "")),
            request.POST.get("currency", "EUR"))
    elif request.POST.get("do") == "spend":
        budgets.do_add_spend(member, int(request.POST.get("budget", "0")),
                             date.fromisoformat(request.POST.get("date", "")),
                             request.POST.get("amount"), note=request.POST.get("note", ""))
    messages.success(request, _("Saved."))


@login_required
def digest(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    week = cadence.monday(_day(request.GET.get("week"), _today(member)))
    data = queries.digest(member.workspace_id, week, member.workspace.timezone)
    names = {c.pk: c.name for c in queries.channels(member.workspace_id)}
    for f in data["flags"]:
        f["name"] = names.get(f["channel"], "")
    return render(request, "web/publishing/digest.html", {
        "member": member, "digest": data, "prev": week - timedelta(days=7),
        "next": week + timedelta(days=7), "statuses": PostStatus})
