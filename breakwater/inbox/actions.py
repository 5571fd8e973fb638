"""Every state change of the inbox. UI, API, CLI and rules call these, and nothing else writes.

``access_*`` find what a member may see, ``check_*`` refuse what they may not do, ``do_*``
write (with ``update_fields``), audit, and announce the change after commit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from breakwater.composer import actions as composer
from breakwater.connectors.base import Capability, get_connector_class
from breakwater.core import events
from breakwater.core.actions import audit, check_role
from breakwater.core.errors import Conflict, Invalid, NotFound
from breakwater.core.models import Membership, Role, User
from breakwater.inbox.models import (
    Conversation,
    ConversationTag,
    DeliveryState,
    Direction,
    Kind,
    Message,
    Note,
    Priority,
    Sentiment,
    Status,
    Tag,
)
from breakwater.ingest import enrich
from breakwater.outbox import actions as outbox

MAX_TEXT = 10_000
MENTION_RE = re.compile(r"@([\w.+-]+@[\w-]+\.[\w.-]+|[\w.-]+)")


def access_conversation(member: Membership, conversation_id: int, *, lock: bool = False) -> Conversation:
    qs = Conversation.objects.filter(pk=conversation_id, workspace_id=member.workspace_id)
    if lock:
        qs = qs.select_for_update()
    conv = qs.select_related("channel").first()
    if conv is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return conv


def access_assignee(member: Membership, assignee: int | str | None) -> User | None:
    """A member of the same workspace, by id, email or "me"; ``None`` or "" means nobody."""
    if assignee in (None, "", 0):
        return None
    if assignee == "me":
        return member.user
    qs = User.objects.filter(memberships__workspace_id=member.workspace_id, is_active=True)
    user = (
        qs.filter(email__iexact=assignee).first()
        if isinstance(assignee, str) and not assignee.isdigit()
        else qs.filter(pk=int(assignee)).first()
    )
    if user is None:
        raise Invalid(f"assignee {assignee!r} is not a member of this workspace")
    return user


# What the tag links keep a copy of (see ``ConversationTag``).
_COPIED_TO_TAGS = frozenset({"status", "last_activity_at"})


def _touch(conv: Conversation, fields: list[str]) -> None:
    conv.updated_at = timezone.now()
    conv.save(update_fields=[*fields, "updated_at"])
    if _COPIED_TO_TAGS.intersection(fields):
        ConversationTag.objects.refresh_copies([conv.pk])


def _announce(member: Membership, conversation_ids: Iterable[int]) -> None:
    events.publish(member.workspace_id, "conversations.changed",
                   conversation_ids=list(conversation_ids), created=0, actor=member.user_id)


@dataclass(frozen=True)
class Changes:
    """What a PATCH or a bulk action asks for; ``None`` leaves a field alone."""

    status: str | None = None
    priority: int | str | None = None
    assignee: int | str | None = None
    assign: bool = False  # set when ``assignee`` was given, even as null (unassign)
    add_tags: Sequence[str] = ()
    remove_tags: Sequence[str] = ()


def _parse_priority(value: int | str) -> int:
    if isinstance(value, str) and not value.isdigit():
        by_name = {label.lower(): v for v, label in Priority.choices} | {
            n.lower(): v for n, v in Priority.__members__.items()
        }
        if value.lower() not in by_name:
            raise Invalid(f"unknown priority {value!r}; one of none, low, normal, high, urgent")
        return int(by_name[value.lower()])
    if int(value) not in Priority.values:
        raise Invalid(f"priority must be 0..4, got {value}")
    return int(value)


def check_changes(member: Membership, changes: Changes) -> None:
    check_role(member, Role.AGENT)
    if changes.status is not None and changes.status not in Status.values:
        raise Invalid(f"unknown status {changes.status!r}; one of open, pending, done")
    for name in (*changes.add_tags, *changes.remove_tags):
        if not name.strip() or len(name.strip()) > 64:
            raise Invalid("a tag name needs 1 to 64 characters")


def _apply(member: Membership, conv: Conversation, changes: Changes,
           assignee: User | None, priority: int | None) -> dict[str, object]:
    """Apply changes to one locked conversation; returns what changed, for the audit log."""
    fields: list[str] = []
    done: dict[str, object] = {}
    if changes.status is not None and conv.status != changes.status:
        conv.status = changes.status
        fields.append("status")
        done["status"] = changes.status
    if priority is not None and conv.priority != priority:
        conv.priority = priority
        fields.append("priority")
        done["priority"] = priority
    if changes.assign and conv.assignee_id != (assignee.pk if assignee else None):
        conv.assignee = assignee
        fields.append("assignee")
        done["assignee"] = assignee.email if assignee else None
    if fields:
        _touch(conv, fields)
    done.update(_apply_tags(member, conv, changes))
    return done


def _tags_by_name(member: Membership, names: Iterable[str], create: bool) -> list[Tag]:
    wanted = {n.strip() for n in names if n.strip()}
    tags = list(Tag.objects.filter(workspace_id=member.workspace_id, name__in=wanted))
    missing = wanted - {t.name for t in tags}
    if create and missing:
        for name in sorted(missing):
            tag, _ = Tag.objects.get_or_create(workspace_id=member.workspace_id, name=name)
            tags.append(tag)
    return tags


def _apply_tags(member: Membership, conv: Conversation, changes: Changes) -> dict[str, object]:
    done: dict[str, object] = {}
    if changes.add_tags:
        tags = _tags_by_name(member, changes.add_tags, create=True)
        have = set(
            ConversationTag.objects.filter(conversation=conv).values_list("tag_id", flat=True)
        )
        new = [t for t in tags if t.pk not in have]
        ConversationTag.objects.bulk_create(
            [
                ConversationTag(conversation=conv, tag=t, status=conv.status,
                                last_activity_at=conv.last_activity_at)
                for t in new
            ]
        )
        if new:
            done["added_tags"] = [t.name for t in new]
    if changes.remove_tags:
        tags = _tags_by_name(member, changes.remove_tags, create=False)
        removed, _ = ConversationTag.objects.filter(conversation=conv, tag__in=tags).delete()
        if removed:
            done["removed_tags"] = [t.name for t in tags]
    return done


def do_update_conversations(member: Membership, conversation_ids: Sequence[int],
                            changes: Changes) -> list[Conversation]:
    """Change status, priority, assignee and tags of one or many conversations at once."""
    check_changes(member, changes)
    assignee = access_assignee(member, changes.assignee) if changes.assign else None
    priority = _parse_priority(changes.priority) if changes.priority is not None else None
    with transaction.atomic():
        convs = list(
            Conversation.objects.select_for_update()
            .filter(workspace_id=member.workspace_id, pk__in=list(conversation_ids))
            .order_by("pk")
        )
        if len(convs) != len(set(conversation_ids)):
            missing = sorted(set(conversation_ids) - {c.pk for c in convs})
            raise NotFound(f"conversation(s) not found: {', '.join(map(str, missing))}")
        for conv in convs:
            done = _apply(member, conv, changes, assignee, priority)
            if done:
                audit(member, member.workspace_id, "conversation.updated", conv, **done)
        _announce(member, [c.pk for c in convs])
    return convs


def do_update_conversation(member: Membership, conversation_id: int,
                           changes: Changes) -> Conversation:
    return do_update_conversations(member, [conversation_id], changes)[0]


def do_set_status(member: Membership, conversation_id: int, status: str) -> Conversation:
    return do_update_conversation(member, conversation_id, Changes(status=status))


def do_assign(member: Membership, conversation_id: int, assignee: int | str | None) -> Conversation:
    return do_update_conversation(member, conversation_id, Changes(assignee=assignee, assign=True))


def do_tag(member: Membership, conversation_id: int, names: Sequence[str]) -> Conversation:
    return do_update_conversation(member, conversation_id, Changes(add_tags=names))


def do_untag(member: Membership, conversation_id: int, names: Sequence[str]) -> Conversation:
    return do_update_conversation(member, conversation_id, Changes(remove_tags=names))


def do_set_priority(member: Membership, conversation_id: int, priority: int | str) -> Conversation:
    return do_update_conversation(member, conversation_id, Changes(priority=priority))


def do_add_note(member: Membership, conversation_id: int, text: str) -> Note:
    """An internal note: stays in Breakwater, never reaches a connector."""
    check_role(member, Role.AGENT)
    text = (text or "").strip()
    if not text:
        raise Invalid("a note needs some text")
    if len(text) > MAX_TEXT:
        raise Invalid(f"a note can hold at most {MAX_TEXT} characters")
    with transaction.atomic():
        conv = access_conversation(member, conversation_id, lock=True)
        note = Note.objects.create(
            workspace_id=member.workspace_id,
            conversation=conv,
            author_id=member.user_id,
            text=text,
            mentions=sorted(set(MENTION_RE.findall(text))),
        )
        _touch(conv, [])
        audit(member, member.workspace_id, "note.created", note, conversation=conv.pk)
        _announce(member, [conv.pk])
    return note


LANGUAGE_CODE = re.compile(r"^(?:[a-z]{2,3}|und)$")
# A corrected label is certain: its score says so.
_SCORE_OF = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}


def check_correction(member: Membership, message: Message, sentiment: str | None,
                     language: str | None, spam: bool | None) -> None:
    check_role(member, Role.AGENT)
    if sentiment is None and language is None and spam is None:
        raise Invalid("nothing to correct: give sentiment, language or spam")
    if sentiment is not None and sentiment not in Sentiment.values:
        raise Invalid(f"unknown sentiment {sentiment!r}; one of positive, neutral, negative")
    if language is not None and not LANGUAGE_CODE.match(language):
        raise Invalid(f"language must be an ISO 639 code such as fi, sv or en (or und), got {language!r}")
    if message.direction != Direction.IN and (sentiment is not None or spam is not None):
        raise Invalid("only inbound messages have a sentiment or a spam flag")


def do_correct_message(member: Membership, message_id: int, *, sentiment: str | None = None,
                       language: str | None = None, spam: bool | None = None) -> Message:
    """A person's verdict on a message's analysis. The first automatic value is kept in
    ``analysis_correction`` (corrections are labelled examples for evaluation), the worker
    never scores the message again, and its conversation's filters follow."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(pk=message_id, workspace_id=member.workspace_id)
            .first()
        )
        if message is None:
            raise NotFound(f"message {message_id} not found")
        check_correction(member, message, sentiment, language, spam)
        corrections = dict(message.analysis_correction)
        fields: list[str] = []
        changed: dict[str, object] = {}
        now = timezone.now().isoformat()
        for field, key, value in (("sentiment", "sentiment", sentiment),
                                  ("language", "language", language), ("is_spam", "spam", spam)):
            if value is None or getattr(message, field) == value:
                continue
            first = corrections.get(key, {}).get("from", getattr(message, field))
            corrections[key] = changed[key] = {
                "from": first, "to": value, "by": member.user_id, "at": now,
            }
            setattr(message, field, value)
            fields.append(field)
        if not fields:
            return message
        if "sentiment" in fields:
            message.sentiment_score = _SCORE_OF[message.sentiment]
            fields.append("sentiment_score")
        message.analysis_correction = corrections
        message.save(update_fields=[*fields, "analysis_correction"])
        Conversation.objects.refresh_analysis([message.conversation_id])
        audit(member, member.workspace_id, "message.corrected", message,
              conversation=message.conversation_id, **changed)
        _announce(member, [message.conversation_id])
    return message


def do_mark_spam(member: Membership, message_ids: Sequence[int], reason: str = "rule") -> int:
    """Hide inbound messages as spam (in Breakwater only: no network is told); their
    conversations follow (spam while every inbound message is). Returns how many changed."""
    check_role(member, Role.AGENT)
    with transaction.atomic():
        found = list(
            Message.objects.select_for_update()
            .filter(workspace_id=member.workspace_id, pk__in=list(message_ids),
                    direction=Direction.IN, is_spam=False)
            .order_by("pk")
        )
        for message in found:
            message.is_spam = True
            message.spam_reasons = [*message.spam_reasons, reason]
            message.save(update_fields=["is_spam", "spam_reasons"])
            audit(member, member.workspace_id, "message.spam", message,
                  conversation=message.conversation_id)
        conversation_ids = sorted({m.conversation_id for m in found})
        Conversation.objects.refresh_analysis(conversation_ids)
        if conversation_ids:
            _announce(member, conversation_ids)
    return len(found)


def _check_reply(member: Membership, conv: Conversation, text: str) -> None:
    check_role(member, Role.AGENT)
    if not text.strip():
        raise Invalid("a reply needs some text")
    connector = get_connector_class(conv.channel.network)
    if Capability.REPLY not in connector.capabilities:
        raise Invalid(f"{connector.label} channels cannot send replies")
    limit = connector.max_text_length or MAX_TEXT
    length = connector.text_length(text)
    if length > limit:
        raise Invalid(f"too long for {connector.label}: {length} characters, at most {limit}")


def _reply_target(conv: Conversation) -> Message | None:
    """The message a reply answers: the newest inbound one in the thread."""
    return (
        Message.objects.filter(conversation=conv, direction=Direction.IN)
        .order_by("-created_at", "-id")
        .first()
    )


class RepliedMeanwhile(Conflict):
    """Someone else answered after the sender last looked: send only when they confirm."""

    code = "replied_meanwhile"


def check_replied_meanwhile(member: Membership, conv: Conversation, seen_up_to: int | None) -> None:
    """Raise ``RepliedMeanwhile`` if an outbound message newer than ``seen_up_to`` (the newest
    message the sender had on screen) came from someone else: a colleague, or the brand's
    account in the network's own app."""
    if seen_up_to is None:
        return
    other = (
        Message.objects.filter(conversation=conv, direction=Direction.OUT, pk__gt=seen_up_to)
        .exclude(sent_by_id=member.user_id)
        .select_related("sent_by")
        .order_by("-pk")
        .first()
    )
    if other is None:
        return
    who = other.sent_by.display_name if other.sent_by else conv.channel.name
    excerpt = other.text if len(other.text) <= 120 else other.text[:119] + "…"
    raise RepliedMeanwhile(
        f"{who} replied while you were writing: “{excerpt}”. Read it, then send yours anyway "
        "if it still adds something.",
        {"message_id": other.pk, "by": who, "text": other.text},
    )


PRESENCE_STATES = ("viewing", "typing", "left")


def do_report_presence(member: Membership, conversation_id: int, state: str) -> None:
    """Tell colleagues on the same conversation that this member is viewing it, typing a
    reply, or has left. Nothing is stored: live pages keep a short-lived roster."""
    if state not in PRESENCE_STATES:
        raise Invalid(f"state must be one of {', '.join(PRESENCE_STATES)}")
    access_conversation(member, conversation_id)
    events.publish(member.workspace_id, "presence", conversation_id=conversation_id,
                   user_id=member.user_id, name=member.user.display_name, state=state)


def do_reply(member: Membership, conversation_id: int, text: str,
             idempotency_key: str | None = None, *, seen_up_to: int | None = None,
             confirm: bool = False) -> tuple[Message, bool]:
    """Queue a reply for delivery. Returns (message, created): the same key twice gives the
    first reply back instead of sending again; the same key with other text is a conflict.

    ``seen_up_to``: the newest message id the sender had seen; if someone else replied
    after it, ``RepliedMeanwhile`` is raised unless ``confirm``.

    The composer's checks run first: a blocking one stores the reply as ``blocked``, one that
    needs approval (or an approval policy covering the sender) as ``needs_approval``; neither
    reaches the outbox. ``message.checks`` carries what the checks found."""
    key = (idempotency_key or "").strip() or str(uuid.uuid4())
    if len(key) > 200:
        raise Invalid("idempotency_key can have at most 200 characters")
    conv = access_conversation(member, conversation_id)
    _check_reply(member, conv, text)
    review = composer.review_reply(member, conv.network, text.strip(), conv.channel.config)
    with transaction.atomic():
        conv = access_conversation(member, conversation_id, lock=True)
        existing = _existing_reply(member, conv, key)
        if existing is not None:
            message, created = _replayed_reply(existing, conv, text), False
        else:
            if not confirm:
                check_replied_meanwhile(member, conv, seen_up_to)
            message, created = _store_reply(member, conv, text, key, review), True
            audit(member, member.workspace_id, f"reply.{message.delivery_state}", message,
                  conversation=conv.pk, verdict=review.result.verdict)
            _announce(member, [conv.pk])
    message.checks = review.checks  # type: ignore[attr-defined]
    return message, created


def _existing_reply(member: Membership, conv: Conversation, key: str) -> Message | None:
    """The reply an idempotency key already made: delivered, or still held (no delivery yet)."""
    delivery = outbox.find_delivery(member.workspace_id, key)
    if delivery is None:
        return Message.objects.filter(channel_id=conv.channel_id,
                                      external_id=f"pending:{key}").first()
    message = Message.objects.filter(pk=outbox.ref_id(delivery, "message")).first()
    if message is None:
        raise Conflict("this idempotency_key was already used for something else")
    return message


def _replayed_reply(message: Message, conv: Conversation, text: str) -> Message:
    if message.conversation_id != conv.pk or message.text != text.strip():
        raise Conflict("this idempotency_key was already used for a different reply")
    return message


def _store_reply(member: Membership, conv: Conversation, text: str, key: str,
                 review: composer.Review) -> Message:
    now = timezone.now()
    held = review.blocked or review.needs_approval
    state = (DeliveryState.BLOCKED if review.blocked else
             DeliveryState.NEEDS_APPROVAL if review.needs_approval else DeliveryState.QUEUED)
    target = _reply_target(conv)
    message = Message.objects.create(
        workspace_id=member.workspace_id,
        conversation=conv,
        channel_id=conv.channel_id,
        network=conv.network,
        external_id=f"pending:{key}",
        direction=Direction.OUT,
        kind=Kind.REPLY,
        parent_external_id=target.external_id if target else "",
        sent_by_id=member.user_id,
        text=text.strip(),
        is_public=target.is_public if target else conv.kind != Kind.DM,
        created_at=now,
        delivery_state=state,
        delivery_error=review.explanation() if held else "",
        **enrich.outbound_fields(text.strip()),
    )
    if review.needs_approval:
        composer.do_request_approval(
            member, f"message:{message.pk}", message.text, review.reasons(),
            {"conversation": conv.pk, "network": conv.network, "channel": conv.channel.name,
             "channel_id": conv.channel_id},
        )
    conv.message_count = F("message_count") + 1
    conv.last_activity_at = now
    fields = ["message_count", "last_activity_at"]
    if not held:
        _enqueue_reply(message, conv, key)
        fields.extend(_first_response(conv, now))
    _touch(conv, fields)
    conv.refresh_from_db(fields=["message_count"])
    return message


def _enqueue_reply(message: Message, conv: Conversation, key: str) -> None:
    outbox.do_enqueue(
        workspace_id=message.workspace_id,
        channel_id=conv.channel_id,
        idempotency_key=key,
        ref=f"message:{message.pk}",
        payload={
            "text": message.text,
            "thread_key": conv.thread_key,
            "in_reply_to": message.parent_external_id or None,
            "is_public": message.is_public,
            "network": conv.network,
            "conversation": conv.pk,
            "author": _author(message),
        },
    )


def _author(message: Message) -> dict[str, object] | None:
    """Who wrote the reply (not who approved it); None when an automation rule answered."""
    user = message.sent_by
    return {"id": user.pk, "name": user.display_name, "email": user.email} if user else None


def _first_response(conv: Conversation, now: datetime) -> list[str]:
    """A reply on its way is the response (a held or blocked one is not, until it is sent)."""
    if conv.first_response_at is None and conv.first_inbound_at is not None:
        conv.first_response_at = now
        return ["first_response_at"]
    return []


@events.on("approval.decided")
def _on_approval_decided(event: dict) -> None:
    """A manager approved (possibly edited) or rejected a held reply: send it, or keep it."""
    ref = event.get("ref", "")
    if not ref.startswith("message:"):
        return
    message = (
        Message.objects.select_for_update().select_related("conversation")
        .filter(pk=int(ref.split(":", 1)[1]), delivery_state=DeliveryState.NEEDS_APPROVAL).first()
    )
    if message is None:
        return  # decided before, or not held: approving twice sends once
    conv = message.conversation
    if event["status"] != "approved":
        message.delivery_state, message.delivery_error = DeliveryState.BLOCKED, event["comment"]
        message.save(update_fields=["delivery_state", "delivery_error"])
    else:
        _release_reply(message, conv, event["text"])
    events.publish(event["workspace_id"], "conversations.changed",
                   conversation_ids=[conv.pk], created=0, actor=event.get("actor"))


def _release_reply(message: Message, conv: Conversation, text: str) -> None:
    now = timezone.now()
    fields = ["delivery_state", "delivery_error"]
    if text != message.text:
        analysis = enrich.outbound_fields(text)
        for name, value in analysis.items():
            setattr(message, name, value)
        message.text = text
        fields.extend(["text", *analysis])
    message.delivery_state, message.delivery_error = DeliveryState.QUEUED, ""
    message.save(update_fields=fields)
    _enqueue_reply(message, conv, message.external_id.removeprefix("pending:"))
    _touch(conv, _first_response(conv, now))


# An action on an inbound item: the capability it needs, and the state it sets when sent.
ITEM_ACTIONS = {
    "hide": (Capability.HIDE, "hidden", True),
    "unhide": (Capability.HIDE, "hidden", False),
    "like": (Capability.LIKE, "liked", True),
}


def do_act_on_message(member: Membership, message_id: int, action: str) -> Message:
    """Hide, unhide or like an inbound item on its network, through the outbox (retried,
    shown on the message with the network's error if it fails)."""
    check_role(member, Role.AGENT)
    if action not in ITEM_ACTIONS:
        raise Invalid(f"action must be one of {', '.join(ITEM_ACTIONS)}")
    capability, state, value = ITEM_ACTIONS[action]
    with transaction.atomic():
        message = (
            Message.objects.select_for_update().select_related("conversation", "channel")
            .filter(pk=message_id, workspace_id=member.workspace_id).first()
        )
        if message is None:
            raise NotFound("no such message in this workspace")
        if message.direction != Direction.IN:
            raise Invalid("only messages from others can be hidden or liked")
        connector = get_connector_class(message.channel.network)
        if capability not in connector.capabilities:
            raise Invalid(f"{connector.label} does not let Breakwater {action} items")
        delivery = outbox.do_enqueue(
            workspace_id=member.workspace_id, channel_id=message.channel_id,
            idempotency_key=f"{action}:{message.pk}:{uuid.uuid4().hex}", ref=f"{action}:{message.pk}",
            action=action,
            payload={"external_id": message.external_id, "thread_key": message.conversation.thread_key,
                     "network": message.network},
        )
        message.network_actions = {**message.network_actions, state: {
            "value": value, "status": delivery.status, "error": "", "delivery": delivery.pk}}
        message.save(update_fields=["network_actions"])
        audit(member, member.workspace_id, f"message.{action}", message,
              conversation=message.conversation_id)
        _announce(member, [message.conversation_id])
    return message


def _on_item_action_updated(event: dict) -> None:
    action, _, message_id = event["ref"].partition(":")
    _, state, value = ITEM_ACTIONS[action]
    message = Message.objects.select_for_update().filter(pk=int(message_id)).first()
    if message is None:
        return
    current = message.network_actions.get(state, {})
    if current.get("delivery") not in (None, event["delivery_id"]):
        return  # a newer hide/unhide superseded this one
    message.network_actions = {**message.network_actions, state: {
        "value": value, "status": event["status"], "error": event.get("error", ""),
        "delivery": event["delivery_id"]}}
    message.save(update_fields=["network_actions"])
    events.publish(event["workspace_id"], "conversations.changed",
                   conversation_ids=[message.conversation_id], created=0)


def do_retry_reply(member: Membership, message_id: int) -> Message:
    """Send a failed reply again, or check an unknown one with the network now."""
    check_role(member, Role.AGENT)
    message = Message.objects.filter(
        pk=message_id, workspace_id=member.workspace_id, direction=Direction.OUT
    ).first()
    if message is None:
        raise NotFound("no such reply in this workspace")
    delivery = outbox.delivery_for(member.workspace_id, f"message:{message.pk}")
    if delivery is None or not outbox.do_retry(delivery.pk):
        raise Conflict(f"this reply is {message.get_delivery_state_display().lower()}: nothing to retry")
    audit(member, member.workspace_id, "reply.retried", message, conversation=message.conversation_id)
    return message


@events.on("delivery.updated")
def _on_delivery_updated(event: dict) -> None:
    """The outbox reports progress; the reply message (or the item acted on) shows it."""
    ref = event.get("ref", "")
    if ref.partition(":")[0] in ITEM_ACTIONS:
        _on_item_action_updated(event)
        return
    if not ref.startswith("message:"):
        return
    message_id = int(ref.split(":", 1)[1])
    fields = {"delivery_state": event["status"], "delivery_error": event.get("error", "")}
    if event.get("external_id"):
        # An echo of our own reply may have arrived through ingest first: keep ours.
        echoes, _ = Message.objects.filter(
            channel_id=event["channel_id"], external_id=event["external_id"]
        ).exclude(pk=message_id).delete()
        if echoes:
            Conversation.objects.filter(messages__pk=message_id).update(
                message_count=F("message_count") - echoes
            )
        fields["external_id"] = event["external_id"]
        if event.get("url"):
            fields["url"] = event["url"]
    Message.objects.filter(pk=message_id).update(**fields)
    conv_id = Message.objects.filter(pk=message_id).values_list("conversation_id", flat=True).first()
    if conv_id:
        events.publish(event["workspace_id"], "conversations.changed",
                       conversation_ids=[conv_id], created=0)
