"""Server-rendered pages. Thin: parse the request, call one action or query, render.

Every form works without JavaScript (POST, then redirect); ``static/web/app.js`` adds
keyboard triage, in-place updates and live refresh over server-sent events.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from breakwater.composer.queries import reply_box
from breakwater.connectors.base import Capability, get_connector_class
from breakwater.core.actions import access_membership
from breakwater.core.errors import ActionError, NotFound
from breakwater.core.models import Channel, Membership
from breakwater.feedback import queries as feedback_queries
from breakwater.inbox import actions, queries
from breakwater.inbox.actions import Changes
from breakwater.inbox.models import DeliveryState, Kind, Priority, Sentiment, Status
from breakwater.lib.downloads import download

FILTER_KEYS = ("status", "network", "channel", "assignee", "tag", "kind", "q", "language",
               "sentiment", "spam", "due", "sort")
# Offered in the language filter: the languages Breakwater analyses best, and "undetermined".
FILTER_LANGUAGES = ("fi", "sv", "en", "et", "de", "ru")
SPAM_VALUES = {"1": True, "0": False}


def member_for(request: HttpRequest) -> Membership:
    """The signed-in user's membership in the workspace they are looking at."""
    cached = getattr(request, "_member", None)
    if cached is not None:
        return cached
    try:
        member = access_membership(request.user, request.session.get("workspace_id"))
    except NotFound:
        raise Http404(_("You are not a member of any workspace yet.")) from None
    request._member = member  # type: ignore[attr-defined]
    return member


def _filters(request: HttpRequest) -> queries.Filters:
    get = request.GET
    channel = get.get("channel", "")
    return queries.Filters(
        status=get.get("status", "open") or None,
        network=get.get("network") or None,
        channel=int(channel) if channel.isdigit() else None,
        assignee=get.get("assignee") or None,
        tag=get.get("tag") or None,
        kind=get.get("kind") or None,
        q=(get.get("q") or "").strip() or None,
        language=get.get("language") or None,
        sentiment=get.get("sentiment") or None,
        spam=SPAM_VALUES.get(get.get("spam", "")),
        due=get.get("due") or None,
        sort=get.get("sort") or None,
    )


def language_choices() -> list[tuple[str, str]]:
    """``(code, name in the user's language)`` for the language filter and corrections."""
    return [(code, get_language_info(code)["name_translated"]) for code in FILTER_LANGUAGES] + [
        ("und", _("Undetermined"))
    ]


def _query_string(request: HttpRequest, **overrides: str | None) -> str:
    params = {k: request.GET.get(k, "") for k in FILTER_KEYS}
    params.update({k: v or "" for k, v in overrides.items()})
    if "status" not in request.GET and "status" not in overrides:
        params["status"] = "open"
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in params.items() if v})


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    filters = _filters(request)
    cursor = request.GET.get("cursor") or None
    try:
        rows, next_cursor = queries.list_conversations(member, filters, cursor)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("web:inbox")
    context: dict[str, Any] = {
        "rows": rows,
        "next_cursor": next_cursor,
        "filters": filters,
        "cursor": cursor,
        "older_qs": _query_string(request, cursor=next_cursor),
    }
    if request.GET.get("partial") == "rows":
        return render(request, "web/partials/rows.html", context)
    counts = queries.status_counts(member, filters)
    context.update(
        member=member,
        status_tabs=[(s, label, counts[s], _query_string(request, status=s))
                     for s, label in Status.choices],
        channels=Channel.objects.filter(workspace_id=member.workspace_id).order_by("name"),
        tags=queries.workspace_tags(member),
        kinds=Kind.choices,
        languages=language_choices(),
        sentiments=Sentiment.choices,
        count_cap=queries.COUNT_CAP,
    )
    return render(request, "web/inbox.html", context)


@login_required
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _conversation_page(request, conversation_id)


def _conversation_page(request: HttpRequest, conversation_id: int, *, draft: str = "",
                       reply_key: str = "", collision: ActionError | None = None,
                       status: int = 200) -> HttpResponse:
    member = member_for(request)
    try:
        conv = queries.get_conversation(member, conversation_id)
    except NotFound:
        raise Http404(_("This conversation does not exist or belongs to another workspace.")) from None
    thread = queries.thread_messages(conv)
    context = {
        "member": member,
        "conv": conv,
        "posts": [m for m in thread if m.kind == Kind.POST],
        "thread": [m for m in thread if m.kind != Kind.POST],
        "notes": queries.conversation_notes(conv),
        "history": queries.contact_history(conv),
        "tags": queries.workspace_tags(member),
        "priorities": Priority.choices,
        "statuses": Status.choices,
        "languages": language_choices(),
        "sentiments": Sentiment.choices,
        "reply_key": reply_key or uuid.uuid4().hex,
        "retryable_states": ("failed", "unknown"),
        "item_actions": item_actions(conv.channel.network),
        # The newest message on screen: a reply is checked against anything newer.
        "seen_up_to": max((m.pk for m in thread), default=0),
        "draft": draft,
        "collision": collision,
        "reply_box": reply_box(member.workspace_id, conv.network, conv.channel.config),
        "back_qs": request.GET.urlencode(),
        **feedback_queries.for_thread(member, thread),
    }
    if request.GET.get("partial") == "thread":
        return render(request, "web/partials/thread.html", context)
    return render(request, "web/conversation.html", context, status=status)


def item_actions(network: str) -> dict[str, bool]:
    """Which actions on inbound items the conversation's network takes."""
    caps = get_connector_class(network).capabilities
    return {"hide": Capability.HIDE in caps, "like": Capability.LIKE in caps}


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _done(request: HttpRequest, conversation_id: int | None, ok: str = "",
          error: str = "") -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": not error, "message": error or ok}, status=400 if error else 200)
    if error:
        messages.error(request, error)
    elif ok:
        messages.success(request, ok)
    target = request.POST.get("next") or (
        reverse("web:conversation", args=[conversation_id]) if conversation_id else reverse("web:inbox")
    )
    if not target.startswith("/"):
        target = reverse("web:inbox")
    return redirect(target)


def _changes_from_post(request: HttpRequest, member: Membership) -> Changes:
    post = request.POST
    assign = post.get("assign")
    return Changes(
        status=post.get("status") or None,
        priority=post.get("priority") or None,
        assignee=member.user_id if assign == "me" else (assign or None),
        assign=assign is not None,
        add_tags=[t.strip() for t in post.get("add_tag", "").split(",") if t.strip()],
        remove_tags=[t for t in post.getlist("remove_tag") if t],
    )


@login_required
@require_POST
def update(request: HttpRequest, conversation_id: int) -> HttpResponse:
    member = member_for(request)
    try:
        actions.do_update_conversation(member, conversation_id, _changes_from_post(request, member))
    except ActionError as exc:
        return _done(request, conversation_id, error=exc.message)
    return _done(request, conversation_id, ok=_("Saved."))


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    if not ids:
        return _done(request, None, error=_("Select at least one conversation."))
    try:
        convs = actions.do_update_conversations(member, ids, _changes_from_post(request, member))
    except ActionError as exc:
        return _done(request, None, error=exc.message)
    return _done(request, None, ok=_("%(n)d conversations updated.") % {"n": len(convs)})


@login_required
@require_POST
def reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    member = member_for(request)
    post = request.POST
    seen = post.get("seen_up_to", "")
    try:
        message, _created = actions.do_reply(
            member, conversation_id, post.get("text", ""), post.get("idempotency_key"),
            seen_up_to=int(seen) if seen.isdigit() else None, confirm=post.get("confirm") == "1")
        if message.delivery_state == DeliveryState.BLOCKED:
            return _done(request, conversation_id, error=_("Not sent: %(why)s")
                         % {"why": message.delivery_error})
        if post.get("then") == "done":
            actions.do_set_status(member, conversation_id, Status.DONE)
    except actions.RepliedMeanwhile as exc:
        # Keep the draft: the agent reads the colleague's reply, then sends anyway or not.
        return _conversation_page(request, conversation_id, draft=post.get("text", ""),
                                  reply_key=post.get("idempotency_key", ""), collision=exc,
                                  status=409)
    except ActionError as exc:
        return _done(request, conversation_id, error=exc.message)
    if message.delivery_state == DeliveryState.NEEDS_APPROVAL:
        return _done(request, conversation_id, ok=_("Your reply waits for a manager's approval."))
    return _done(request, conversation_id, ok=_("Reply queued for sending."))


@login_required
@require_POST
def presence(request: HttpRequest, conversation_id: int) -> HttpResponse:
    try:
        actions.do_report_presence(member_for(request), conversation_id, request.POST.get("state", ""))
    except ActionError as exc:
        return JsonResponse({"ok": False, "message": exc.message}, status=exc.status)
    return HttpResponse(status=204)


@login_required
@require_POST
def retry(request: HttpRequest, message_id: int) -> HttpResponse:
    member = member_for(request)
    try:
        message = actions.do_retry_reply(member, message_id)
    except ActionError as exc:
        return _done(request, None, error=exc.message)
    return _done(request, message.conversation_id, ok=_("Trying again."))


@login_required
@require_GET
def media(request: HttpRequest, message_id: int, index: int) -> HttpResponse:
    """Download an attachment the network keeps (an email's, from the mailbox)."""
    member = member_for(request)
    try:
        found = queries.media_content(member, message_id, index)
    except NotFound:
        raise Http404(_("No such attachment.")) from None
    except ActionError as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {}
        return _done(request, detail.get("conversation"), error=exc.message)
    return download(found.name, found.content_type, found.data)


@login_required
@require_POST
def act(request: HttpRequest, message_id: int) -> HttpResponse:
    """Hide, unhide or like an inbound item on its network."""
    member = member_for(request)
    try:
        message = actions.do_act_on_message(member, message_id, request.POST.get("action", ""))
    except ActionError as exc:
        return _done(request, None, error=exc.message)
    return _done(request, message.conversation_id, ok=_("Sent to the network."))


@login_required
@require_POST
def note(request: HttpRequest, conversation_id: int) -> HttpResponse:
    member = member_for(request)
    try:
        actions.do_add_note(member, conversation_id, request.POST.get("text", ""))
    except ActionError as exc:
        return _done(request, conversation_id, error=exc.message)
    return _done(request, conversation_id, ok=_("Note added."))


@login_required
@require_POST
def correct(request: HttpRequest, message_id: int) -> HttpResponse:
    """A person sets a message's sentiment, language or spam flag (empty fields stay)."""
    member = member_for(request)
    post = request.POST
    try:
        message = actions.do_correct_message(
            member,
            message_id,
            sentiment=post.get("sentiment") or None,
            language=post.get("language") or None,
            spam=SPAM_VALUES.get(post.get("spam", "")),
        )
    except ActionError as exc:
        return _done(request, None, error=exc.message)
    return _done(request, message.conversation_id, ok=_("Correction saved."))
