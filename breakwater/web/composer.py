"""Pages of the composer: saved replies, guidelines, the approval queue; and the JSON the
reply box asks for while the agent types (live checks, saved replies rendered for the
conversation). Thin: parse, call one action or query, render."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from breakwater.composer import actions, queries
from breakwater.composer.actions import SavedReplyFields
from breakwater.composer.guidelines import GuidelineSet
from breakwater.composer.models import ApprovalStatus
from breakwater.composer.variables import VARIABLES, context_for
from breakwater.composer.variables import render as render_text
from breakwater.core.actions import RANK
from breakwater.core.errors import ActionError, Invalid
from breakwater.core.models import Membership, Role
from breakwater.inbox.actions import access_conversation
from breakwater.web.views import member_for


def is_manager(member: Membership) -> bool:
    return RANK[Role(member.role)] >= RANK[Role.MANAGER]


# -- JSON for the reply box -------------------------------------------------------------------


@login_required
@require_POST
def draft_checks(request: HttpRequest, conversation_id: int) -> JsonResponse:
    member = member_for(request)
    try:
        conv = access_conversation(member, conversation_id)
        text = request.POST.get("text", "")[: actions.MAX_TEXT]
        return JsonResponse(actions.draft_report(member.workspace_id, conv.network, text,
                                                 channel_config=conv.channel.config))
    except ActionError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)


@login_required
@require_GET
def conversation_saved_replies(request: HttpRequest, conversation_id: int) -> JsonResponse:
    member = member_for(request)
    try:
        conv = access_conversation(member, conversation_id)
    except ActionError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    rows = queries.saved_replies(member, request.GET.get("q", ""), limit=8)
    return JsonResponse({"items": [
        {"id": r.pk, "name": r.name, "shortcut": r.shortcut,
         "text": render_text(r.text, context_for(conv, member, campaign=r.shortcut))}
        for r in rows
    ]})


# -- saved replies ----------------------------------------------------------------------------


def _saved_reply_fields(request: HttpRequest) -> SavedReplyFields:
    post = request.POST
    return SavedReplyFields(name=post.get("name", ""), text=post.get("text", ""),
                            shortcut=post.get("shortcut", ""), language=post.get("language", ""))


@login_required
def saved_replies(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    if request.method == "POST":
        try:
            actions.do_create_saved_reply(member, _saved_reply_fields(request))
            messages.success(request, _("Saved reply created."))
        except ActionError as exc:
            messages.error(request, exc.message)
        return redirect("web:saved_replies")
    q = request.GET.get("q", "")
    return render(request, "web/composer/saved_replies.html", {
        "member": member, "rows": queries.saved_replies(member, q, limit=500), "q": q,
        "variables": [*VARIABLES, "link https://…"], "section": "saved",
    })


@login_required
@require_POST
def saved_reply_change(request: HttpRequest, saved_reply_id: int) -> HttpResponse:
    member = member_for(request)
    try:
        if request.POST.get("delete"):
            actions.do_delete_saved_reply(member, saved_reply_id)
            messages.success(request, _("Saved reply deleted."))
        else:
            actions.do_update_saved_reply(member, saved_reply_id, _saved_reply_fields(request))
            messages.success(request, _("Saved reply updated."))
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("web:saved_replies")


# -- guidelines -------------------------------------------------------------------------------


def guidelines_from_form(post: Any, current: GuidelineSet) -> GuidelineSet:
    """The form's plain lines as a guideline set: "term => suggestion", "name: pattern", and
    one confidential term per line ("/.../" for a pattern). What the form does not show (a
    pattern's label, a required element's language and message, set through the API) is kept
    from ``current`` for the lines that stay."""
    labels = {c.pattern: c.label for c in current.confidential if c.pattern}
    extras = {(r.name, r.pattern): {"language": r.language, "message": r.message}
              for r in current.required}

    def lines(name: str) -> list[str]:
        return [line.strip() for line in post.get(name, "").splitlines() if line.strip()]

    def confidential(name: str, action: str) -> list[dict[str, str]]:
        return [
            {"pattern": line[1:-1], "action": action, "label": labels.get(line[1:-1], "")}
            if len(line) > 2 and line.startswith("/") and line.endswith("/")
            else {"term": line, "action": action}
            for line in lines(name)
        ]

    avoid = {
        term.strip(): suggestion.strip()
        for term, _sep, suggestion in (line.partition("=>") for line in lines("avoid"))
    }
    required = []
    for line in lines("required"):
        name, sep, pattern = line.partition(":")
        if not sep or not pattern.strip():
            raise Invalid(
                _("Write each required element as “name: pattern”, e.g. “greeting: ^(hei|moi)”.")
            )
        key = (name.strip(), pattern.strip())
        required.append({"name": key[0], "pattern": key[1], **extras.get(key, {})})
    return actions.parse_guidelines({
        "avoid": avoid,
        "confidential": confidential("block", "block") + confidential("approve", "approve"),
        "required": required,
        "notes": post.get("notes", "").strip(),
    })


def guidelines_as_form(guidelines: GuidelineSet) -> dict[str, str]:
    def confidential(action: str) -> str:
        return "\n".join(
            c.term if c.term else f"/{c.pattern}/"
            for c in guidelines.confidential if c.action == action
        )

    return {
        "avoid": "\n".join(f"{t} => {s}" if s else t for t, s in guidelines.avoid.items()),
        "block": confidential("block"),
        "approve": confidential("approve"),
        "required": "\n".join(f"{r.name}: {r.pattern}" for r in guidelines.required),
        "notes": guidelines.notes,
    }


@login_required
def guidelines(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    current = actions.access_guidelines(member.workspace_id)
    form = guidelines_as_form(current)
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        try:
            actions.do_set_guidelines(member, guidelines_from_form(request.POST, current))
            messages.success(request, _("Guidelines saved."))
            return redirect("web:guidelines")
        except ActionError as exc:
            messages.error(request, exc.message)
    return render(request, "web/composer/guidelines.html", {
        "member": member, "form": form, "can_edit": is_manager(member), "section": "guidelines",
        "as_json": json.dumps(current.model_dump(), ensure_ascii=False, indent=2),
    })


# -- approvals --------------------------------------------------------------------------------


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    status = request.GET.get("status", ApprovalStatus.PENDING)
    if status not in ApprovalStatus.values:
        status = ApprovalStatus.PENDING
    policy = actions.access_policy(member.workspace_id)
    context = {
        "member": member, "rows": queries.approvals(member, status), "status": status,
        "statuses": ApprovalStatus.choices, "can_decide": is_manager(member),
        "policy": policy, "policy_members": {m.pk for m in policy.members},
        "roles": [(v, label) for v, label in Role.choices if v != Role.OWNER],
        "members": Membership.objects.filter(workspace_id=member.workspace_id)
        .select_related("user").order_by("user__email"),
        "section": "approvals",
    }
    if request.GET.get("partial") == "rows":
        return render(request, "web/composer/partials/approval_rows.html", context)
    return render(request, "web/composer/approvals.html", context)


@login_required
@require_POST
def approval_decide(request: HttpRequest, approval_id: int) -> HttpResponse:
    member = member_for(request)
    post = request.POST
    try:
        if post.get("decision") == "reject":
            actions.do_reject(member, approval_id, post.get("comment", ""))
            messages.success(request, _("Rejected: the reply stays unsent."))
        else:
            actions.do_approve(member, approval_id, post.get("text"), post.get("comment", ""))
            messages.success(request, _("Approved: the reply is on its way."))
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("web:approvals")


@login_required
@require_POST
def approval_policy(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    members = [int(m) for m in request.POST.getlist("members") if m.isdigit()]
    try:
        actions.do_set_policy(
            member, request.POST.getlist("roles"),
            list(Membership.objects.filter(pk__in=members, workspace_id=member.workspace_id)
                 .values_list("user_id", flat=True)),
        )
        messages.success(request, _("Approval policy saved."))
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("web:approvals")
