"""The SLA settings page: business hours, closed dates and first-response targets."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import holidays
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from breakwater.core.actions import RANK
from breakwater.core.errors import ActionError
from breakwater.core.models import Channel, Role
from breakwater.inbox.models import Priority
from breakwater.sla import actions, calendar, due
from breakwater.sla.actions import HoursChange, TargetChange
from breakwater.sla.models import Holiday, SlaTarget
from breakwater.web.views import member_for


def _day_text(day: list[list[str]]) -> str:
    return ", ".join(f"{a}-{b}" for a, b in day)


def _upcoming_closed(workspace_id: int, days: int = 120) -> list[tuple[date, str]]:
    """The closed dates of the coming months, with their names, for the page to show."""
    hours = due.business_hours(workspace_id)
    public = holidays.country_holidays("FI", language="fi" if get_language() == "fi" else "en_US")
    own = dict(Holiday.objects.filter(workspace_id=workspace_id).values_list("date", "name"))
    today = timezone.localdate()
    found = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        if day in own:
            found.append((day, own[day] or _("Closed")))
        elif hours.finnish_holidays and day in public:
            found.append((day, public.get(day)))
    return found


@login_required
def settings(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    hours = due.business_hours(member.workspace_id)
    holidays = Holiday.objects.filter(workspace_id=member.workspace_id).order_by("date")
    context: dict[str, Any] = {
        "member": member,
        "can_edit": RANK[Role(member.role)] >= RANK[Role.MANAGER],
        "days": [(i, WEEKDAYS[i], _day_text(d)) for i, d in enumerate(hours.week)],
        "hours": hours,
        "holidays_text": "\n".join(f"{h.date.isoformat()} {h.name}".strip() for h in holidays),
        "upcoming": _upcoming_closed(member.workspace_id),
        "open_now": due.is_open(member.workspace_id, timezone.now()),
        "targets": SlaTarget.objects.filter(workspace_id=member.workspace_id)
        .select_related("channel")
        .order_by("priority", "channel_id", "pk"),
        "priorities": Priority.choices,
        "channels": Channel.objects.filter(workspace_id=member.workspace_id).order_by("name"),
    }
    return render(request, "web/sla/settings.html", context)


def _holidays_from(text: str) -> list[tuple[date, str]]:
    found = []
    for line in text.splitlines():
        if not line.strip():
            continue
        when, _sep, name = line.strip().partition(" ")
        try:
            found.append((date.fromisoformat(when), name.strip()))
        except ValueError:
            raise ValueError(
                _("%(line)s: start each line with a date such as 2026-12-31")
                % {"line": line.strip()}
            ) from None
    return found


@login_required
@require_POST
def save_hours(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    post = request.POST
    try:
        minutes = post.get("breaching_soon_minutes", "30")
        change = HoursChange(
            week=[calendar.parse_day_text(post.get(f"day{i}", "")) for i in range(7)],
            finnish_holidays=post.get("finnish_holidays") == "1",
            holidays=_holidays_from(post.get("holidays", "")),
            breaching_soon_minutes=int(minutes) if minutes.isdigit() else 0,
        )
        actions.do_set_business_hours(member, change)
    except ValueError as exc:
        messages.error(request, str(exc))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Business hours saved. Due times follow the new hours."))
    return redirect("web:sla")


@login_required
@require_POST
def add_target(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    post = request.POST
    priority, channel, minutes = (post.get(k, "") for k in ("priority", "channel", "minutes"))
    try:
        actions.do_create_target(
            member,
            TargetChange(
                minutes=int(minutes) if minutes.isdigit() else 0,
                priority=int(priority) if priority.isdigit() else None,
                channel_id=int(channel) if channel.isdigit() else None,
                business_hours=post.get("business_hours") == "1",
            ),
        )
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Target added."))
    return redirect("web:sla")


@login_required
@require_POST
def delete_target(request: HttpRequest, target_id: int) -> HttpResponse:
    try:
        actions.do_delete_target(member_for(request), target_id)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Target deleted."))
    return redirect("web:sla")
