"""Rules, assignment policies, the team's workload and a member's availability. Thin: the
rule editor turns its form rows into a rule's conditions and actions and calls one action
(or the dry run). Every form works without JavaScript; ``static/web/automation.js`` runs
the dry run as the conditions change."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from breakwater.automation import actions, queries
from breakwater.automation.models import AssignmentMode, Trigger
from breakwater.composer.models import SavedReply
from breakwater.core.actions import RANK
from breakwater.core.errors import ActionError, NotFound
from breakwater.core.models import Availability, Channel, Membership, Role
from breakwater.feedback.models import Destination
from breakwater.inbox.models import Kind, Priority, Sentiment, Status
from breakwater.web.views import language_choices, member_for

DRY_RUN_DAYS = 30
WEEKDAYS = [(0, _lazy("Mon")), (1, _lazy("Tue")), (2, _lazy("Wed")), (3, _lazy("Thu")),
            (4, _lazy("Fri")), (5, _lazy("Sat")), (6, _lazy("Sun"))]


def _can_edit(member: Membership) -> bool:
    return RANK[Role(member.role)] >= RANK[Role.MANAGER]


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace("\n", ",").split(",") if v.strip()]


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def conditions_from_post(post: Any) -> dict[str, Any]:
    """The editor's condition rows as a rule's ``conditions``; empty rows are left out."""
    conditions: dict[str, Any] = {
        "networks": post.getlist("c_networks"),
        "channels": _ints(post.getlist("c_channels")),
        "kinds": post.getlist("c_kinds"),
        "text": post.get("c_text", "").strip(),
        "languages": post.getlist("c_languages"),
        "sentiments": post.getlist("c_sentiments"),
    }
    handles, first_time = _split(post.get("c_handles", "")), bool(post.get("c_first_time"))
    if handles or first_time:
        conditions["contact"] = {"handles": handles, "first_time": first_time}
    start, end, weekdays = post.get("c_start", ""), post.get("c_end", ""), post.getlist("c_weekdays")
    if start or end or weekdays:
        conditions["time"] = {"start": start or None, "end": end or None,
                              "weekdays": _ints(weekdays)}
    if post.get("c_business_hours") in ("inside", "outside"):
        conditions["business_hours"] = post["c_business_hours"]
    return {k: v for k, v in conditions.items() if v}


def actions_from_post(post: Any) -> list[dict[str, Any]]:
    """The editor's action rows as a rule's ``actions``, in the rows' order."""
    out: list[dict[str, Any]] = []
    if tags := _split(post.get("a_tags", "")):
        out.append({"type": "tag", "tags": tags})
    mode = post.get("a_assign", "")
    if mode == "member":
        member = post.get("a_member", "")
        out.append({"type": "assign", "mode": "member",
                    "member": int(member) if member.isdigit() else None})
    elif mode:
        out.append({"type": "assign", "mode": mode, "pool": _ints(post.getlist("a_pool"))})
    if priority := post.get("a_priority"):
        out.append({"type": "priority", "priority": priority})
    if status := post.get("a_status"):
        out.append({"type": "status", "status": status})
    if reply := post.get("a_reply", ""):
        out.append({"type": "reply", "saved_reply": int(reply) if reply.isdigit() else 0})
    if post.get("a_spam"):
        out.append({"type": "spam"})
    if (destination := post.get("a_forward", "")).isdigit():
        out.append({"type": "forward", "destination": int(destination),
                    "comment": post.get("a_forward_comment", "").strip()})
    return out


def _form_values(name: str, trigger: str, stop: bool, enabled: bool,
                 conditions: dict[str, Any], rule_actions: list[dict[str, Any]]) -> dict[str, Any]:
    """What the editor's rows show for a rule."""
    contact = conditions.get("contact") or {}
    window = conditions.get("time") or {}
    values: dict[str, Any] = {
        "name": name, "trigger": trigger, "stop": stop, "enabled": enabled,
        "networks": conditions.get("networks", []),
        "channels": [str(c) for c in conditions.get("channels", [])],
        "kinds": conditions.get("kinds", []), "text": conditions.get("text", ""),
        "languages": conditions.get("languages", []),
        "sentiments": conditions.get("sentiments", []),
        "handles": ", ".join(contact.get("handles", [])), "first_time": contact.get("first_time"),
        "start": window.get("start") or "", "end": window.get("end") or "",
        "weekdays": [str(d) for d in window.get("weekdays", [])],
        "tags": "", "assign": "", "member": "", "pool": [], "priority": "", "status": "",
        "reply": "", "spam": False, "business_hours": conditions.get("business_hours", ""),
        "forward": "", "forward_comment": "",
    }
    for action in rule_actions:
        kind = action["type"]
        if kind == "tag":
            values["tags"] = ", ".join(action["tags"])
        elif kind == "assign":
            values["assign"] = action.get("mode", "member")
            values["member"] = str(action.get("member") or "")
            values["pool"] = [str(p) for p in action.get("pool", [])]
        elif kind in ("priority", "status"):
            values[kind] = action[kind]
        elif kind == "reply":
            values["reply"] = str(action["saved_reply"])
        elif kind == "spam":
            values["spam"] = True
        elif kind == "forward":
            values["forward"] = str(action["destination"])
            values["forward_comment"] = action.get("comment", "")
    return values


def _values_from_post(post: Any) -> dict[str, Any]:
    return _form_values(post.get("name", ""), post.get("trigger", Trigger.MESSAGE_RECEIVED),
                        bool(post.get("stop")), bool(post.get("enabled")),
                        conditions_from_post(post), actions_from_post(post))


def _editor_context(member: Membership) -> dict[str, Any]:
    channels = list(Channel.objects.filter(workspace_id=member.workspace_id).order_by("name"))
    members = (Membership.objects.filter(workspace_id=member.workspace_id)
               .select_related("user").order_by("user__name", "user__email"))
    return {
        "member": member,
        "channels": channels,
        "networks": sorted({c.network for c in channels}),
        "kinds": Kind.choices,
        "languages": language_choices(),
        "sentiments": Sentiment.choices,
        "weekdays": WEEKDAYS,
        "triggers": Trigger.choices,
        "members": members,
        "priorities": [(name.lower(), p.label) for name, p in Priority.__members__.items()],
        "statuses": Status.choices,
        "saved_replies": SavedReply.objects.filter(workspace_id=member.workspace_id).order_by("name"),
        "destinations": Destination.objects.filter(workspace_id=member.workspace_id).order_by("name"),
        "business_hours_choices": [("inside", _("inside business hours")),
                                   ("outside", _("outside business hours"))],
        "assign_modes": [("member", _("to a member")), ("round_robin", _("round robin")),
                         ("least_loaded", _("least loaded"))],
        "days": DRY_RUN_DAYS,
    }


def _summary(rule: Any) -> tuple[list[str], list[str]]:
    """One line each for what a rule looks at and what it does, for the rules list."""
    c = rule.conditions
    when = [f"{label}: {', '.join(map(str, c[key]))}" for key, label in (
        ("networks", _("Network")), ("channels", _("Channel")), ("kinds", _("Type")),
        ("languages", _("Language")), ("sentiments", _("Sentiment"))) if c.get(key)]
    if c.get("text"):
        when.insert(0, f"{_('Text matches')}: “{c['text']}”")
    if contact := c.get("contact"):
        when.append(f"{_('Contact')}: {', '.join(contact.get('handles') or [])}"
                    + (f" ({_('first time')})" if contact.get("first_time") else ""))
    if window := c.get("time"):
        when.append(f"{_('Time')}: {window.get('start') or '00:00'}–{window.get('end') or '24:00'}")
    if c.get("business_hours") == "inside":
        when.append(_("inside business hours"))
    elif c.get("business_hours") == "outside":
        when.append(_("outside business hours"))
    labels = {"tag": _("Add tags"), "assign": _("Assign"), "priority": _("Set priority"),
              "status": _("Set status"), "reply": _("Reply with"), "spam": _("Hide as spam"),
              "forward": _("Forward")}
    then = []
    for action in rule.actions:
        detail = {"tag": ", ".join(action.get("tags", [])), "priority": action.get("priority"),
                  "status": action.get("status"), "assign": action.get("mode")}.get(action["type"])
        then.append(f"{labels[action['type']]}{': ' + str(detail) if detail else ''}")
    return when, then


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    listed = list(queries.list_rules(member))
    for rule in listed:
        rule.when, rule.then = _summary(rule)
    return render(request, "web/automation/rules.html", {
        "member": member, "rules": listed, "can_edit": _can_edit(member), "section": "rules",
    })


def _dry_run(member: Membership, post: Any) -> tuple[queries.DryRun | None, str]:
    try:
        return queries.dry_run(member, conditions_from_post(post), DRY_RUN_DAYS), ""
    except ActionError as exc:
        return None, exc.message


@login_required
def edit_rule(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    """New rule (no id) or an existing one: GET shows it, POST "try" runs the dry run and
    POST "save" saves it."""
    member = member_for(request)
    try:
        rule = actions.access_rule(member, rule_id) if rule_id else None
    except NotFound:
        raise Http404(_("This rule does not exist or belongs to another workspace.")) from None
    context = _editor_context(member)
    context.update(rule=rule, can_edit=_can_edit(member), section="rules")
    if request.method != "POST":
        context["values"] = (
            _form_values(rule.name, rule.trigger, rule.stop, rule.enabled, rule.conditions,
                         rule.actions) if rule else
            _form_values("", Trigger.MESSAGE_RECEIVED, False, True, {}, [])
        )
        return render(request, "web/automation/rule_edit.html", context)
    post = request.POST
    if post.get("do") == "try":
        result, error = _dry_run(member, post)
        context.update(values=_values_from_post(post), dry_run=result, error=error, tried=True)
        if request.headers.get("X-Requested-With") == "fetch":
            return render(request, "web/automation/_dry_run.html", context)
        return render(request, "web/automation/rule_edit.html", context)
    try:
        _save(member, rule, post)
    except ActionError as exc:
        context.update(values=_values_from_post(post), error=exc.message)
        return render(request, "web/automation/rule_edit.html", context, status=400)
    messages.success(request, _("Rule saved."))
    return redirect("web:rules")


def _save(member: Membership, rule: Any, post: Any) -> None:
    fields = {
        "name": post.get("name", ""), "conditions": conditions_from_post(post),
        "actions": actions_from_post(post), "trigger": post.get("trigger", Trigger.MESSAGE_RECEIVED),
        "stop": bool(post.get("stop")), "enabled": bool(post.get("enabled")),
    }
    if rule is None:
        actions.do_create_rule(member, fields.pop("name"), fields.pop("conditions"),
                               fields.pop("actions"), **fields)
    else:
        actions.do_update_rule(member, rule.pk, **fields)


def _after(request: HttpRequest, error: str = "", ok: str = "", to: str = "web:rules") -> HttpResponse:
    if error:
        messages.error(request, error)
    elif ok:
        messages.success(request, ok)
    return redirect(to)


@login_required
@require_POST
def rule_command(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Enable, disable, move up or down, delete: the buttons of the rules list."""
    member = member_for(request)
    command = request.POST.get("do", "")
    try:
        if command in ("enable", "disable"):
            actions.do_set_rule_enabled(member, rule_id, command == "enable")
        elif command in ("up", "down"):
            _move(member, rule_id, -1 if command == "up" else 1)
        elif command == "delete":
            actions.do_delete_rule(member, rule_id)
            return _after(request, ok=_("Rule deleted."))
    except ActionError as exc:
        return _after(request, error=exc.message)
    return _after(request)


def _move(member: Membership, rule_id: int, step: int) -> None:
    ids = list(queries.list_rules(member).values_list("pk", flat=True))
    if rule_id not in ids:
        actions.access_rule(member, rule_id)  # a foreign id: its NotFound
    at = ids.index(rule_id)
    to = max(0, min(len(ids) - 1, at + step))
    ids.insert(to, ids.pop(at))
    actions.do_reorder_rules(member, ids)


# -- assignment ----------------------------------------------------------------------------


@login_required
def assignment(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    if request.method == "POST":
        post = request.POST
        channel = post.get("channel", "")
        try:
            actions.do_save_policy(member, post.get("mode", ""), _ints(post.getlist("pool")),
                                   channel_id=int(channel) if channel.isdigit() else None,
                                   tag=post.get("tag", "").strip() or None)
        except ActionError as exc:
            return _after(request, error=exc.message, to="web:assignment")
        return _after(request, ok=_("Assignment policy saved."), to="web:assignment")
    context = _editor_context(member)
    context.update(policies=queries.list_policies(member), modes=AssignmentMode.choices,
                   can_edit=_can_edit(member), section="assignment")
    return render(request, "web/automation/assignment.html", context)


@login_required
@require_POST
def delete_policy(request: HttpRequest, policy_id: int) -> HttpResponse:
    try:
        actions.do_delete_policy(member_for(request), policy_id)
    except ActionError as exc:
        return _after(request, error=exc.message, to="web:assignment")
    return _after(request, ok=_("Assignment policy deleted."), to="web:assignment")


@login_required
def workload(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    return render(request, "web/automation/workload.html", {
        "member": member, "rows": queries.workload(member), "section": "workload",
        "availabilities": Availability.choices,
    })


@login_required
@require_POST
def availability(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    try:
        actions.do_set_availability(member, request.POST.get("availability", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "web:inbox")
