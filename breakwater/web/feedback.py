"""The feedback view (grouped by category, forwarding) and filing messages as feedback from
the conversation page. Thin: parse the form, call one action, say what happened."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from breakwater.core.actions import RANK
from breakwater.core.errors import ActionError
from breakwater.core.models import Channel, Role
from breakwater.feedback import actions, queries
from breakwater.feedback.models import DestinationKind
from breakwater.feedback.queries import FeedbackFilters
from breakwater.web.views import member_for

PERIODS = (7, 30, 90, 365)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _filters(request: HttpRequest) -> tuple[FeedbackFilters, dict[str, Any]]:
    """The period (last N days, or from/to dates), category and channel of the page."""
    get = request.GET
    days = _int(get.get("days"))
    start, end = parse_date(get.get("from") or ""), parse_date(get.get("to") or "")
    tz = timezone.get_current_timezone()
    since = until = None
    if start or end:
        since = datetime.combine(start, time.min, tz) if start else None
        until = datetime.combine(end + timedelta(days=1), time.min, tz) if end else None
    else:
        days = days if days in PERIODS else 30
        since = timezone.now() - timedelta(days=days)
    filters = FeedbackFilters(
        since=since,
        until=until,
        category=_int(get.get("category")),
        channel=_int(get.get("channel")),
    )
    shown = {
        "days": None if (start or end) else days,
        "from": get.get("from", ""),
        "to": get.get("to", ""),
        "category": filters.category,
        "channel": filters.channel,
    }
    return filters, shown


@login_required
def page(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    filters, shown = _filters(request)
    groups = queries.groups(member, filters)
    context = {
        "member": member,
        "groups": groups,
        "total": sum(g.count for g in groups),
        "shown": shown,
        "periods": PERIODS,
        "categories": queries.categories(member),
        "channels": Channel.objects.filter(workspace_id=member.workspace_id).order_by("name"),
        "destinations": queries.destinations(member),
        "destination_kinds": DestinationKind.choices,
        "forwards": queries.recent_forwards(member, 10),
        "can_manage": RANK[Role(member.role)] >= RANK[Role.MANAGER],
        "since": filters.since.isoformat() if filters.since else "",
        "until": filters.until.isoformat() if filters.until else "",
    }
    return render(request, "web/feedback/page.html", context)


def _back(request: HttpRequest, error: str = "", ok: str = "") -> HttpResponse:
    if error:
        messages.error(request, error)
    elif ok:
        messages.success(request, ok)
    target = request.POST.get("next") or reverse("web:feedback")
    return redirect(target if target.startswith("/") else reverse("web:feedback"))


def _run(request: HttpRequest, ok: str, call: Any, *args: Any) -> HttpResponse:
    try:
        call(member_for(request), *args)
    except ActionError as exc:
        return _back(request, error=exc.message)
    return _back(request, ok=ok)


@login_required
@require_POST
def tag(request: HttpRequest, message_id: int) -> HttpResponse:
    category = _int(request.POST.get("category"))
    if category is None:
        return _back(request, error=_("Choose a category to file this message under."))
    return _run(
        request,
        _("Filed as feedback."),
        actions.do_tag_feedback,
        message_id,
        category,
        request.POST.get("note", ""),
    )


@login_required
@require_POST
def untag(request: HttpRequest, message_id: int) -> HttpResponse:
    return _run(request, _("Removed from feedback."), actions.do_remove_feedback, message_id)


def _no_destination() -> str:
    return _("Choose where to forward it; managers add destinations on the Feedback page.")


def _destination(request: HttpRequest) -> int | None:
    return _int(request.POST.get("destination"))


@login_required
@require_POST
def forward_message(request: HttpRequest, message_id: int) -> HttpResponse:
    if _destination(request) is None:
        return _back(request, error=_no_destination())
    ok = _("Forwarded. Its delivery shows on the Feedback page.")
    return _run(
        request,
        ok,
        actions.do_forward,
        [message_id],
        _destination(request),
        request.POST.get("comment", ""),
    )


@login_required
@require_POST
def forward_group(request: HttpRequest) -> HttpResponse:
    post = request.POST
    if _destination(request) is None:
        return _back(request, error=_no_destination())
    group = FeedbackFilters(
        since=datetime.fromisoformat(post["since"]) if post.get("since") else None,
        until=datetime.fromisoformat(post["until"]) if post.get("until") else None,
        category=_int(post.get("category")),
        channel=_int(post.get("channel")),
    )
    return _run(
        request,
        _("Forwarded. Its delivery shows below."),
        actions.do_forward_group,
        _destination(request),
        group,
        post.get("comment", ""),
    )


@login_required
@require_POST
def retry(request: HttpRequest, forward_id: int) -> HttpResponse:
    return _run(request, _("Sending again."), actions.do_retry_forward, forward_id)


@login_required
@require_POST
def add_destination(request: HttpRequest) -> HttpResponse:
    post = request.POST
    return _run(
        request,
        _("Destination added."),
        actions.do_create_destination,
        post.get("name", ""),
        post.get("kind", ""),
        post.get("address", ""),
    )


@login_required
@require_POST
def delete_destination(request: HttpRequest, destination_id: int) -> HttpResponse:
    return _run(request, _("Destination deleted."), actions.do_delete_destination, destination_id)


@login_required
@require_POST
def add_category(request: HttpRequest) -> HttpResponse:
    return _run(
        request, _("Category added."), actions.do_create_category, request.POST.get("name", "")
    )


@login_required
@require_POST
def rename_category(request: HttpRequest, category_id: int) -> HttpResponse:
    return _run(
        request,
        _("Category renamed."),
        actions.do_rename_category,
        category_id,
        request.POST.get("name", ""),
    )


@login_required
@require_POST
def delete_category(request: HttpRequest, category_id: int) -> HttpResponse:
    return _run(request, _("Category deleted."), actions.do_delete_category, category_id)
