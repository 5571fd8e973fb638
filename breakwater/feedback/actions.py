"""Every change of feedback: categories, filing a message as feedback, destinations, and
forwarding (with its delivery: queued -> sending -> sent | failed, retried on timeouts/5xx)."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from breakwater.connectors.base import ConnectorError
from breakwater.core import events
from breakwater.core.actions import audit, check_role, in_workspace
from breakwater.core.errors import Conflict, Invalid, NotFound
from breakwater.core.models import Membership, Role, Workspace
from breakwater.feedback import queries
from breakwater.feedback.models import (
    STARTER_CATEGORIES,
    Category,
    Destination,
    DestinationKind,
    Feedback,
    Forward,
    ForwardStatus,
)
from breakwater.feedback.payload import ForwardContent, ForwardItem, plain_text, webhook_body
from breakwater.feedback.queries import FeedbackFilters
from breakwater.inbox.models import Direction, Message
from breakwater.lib import http

log = logging.getLogger(__name__)
MAX_NOTE = 2000
MAX_FORWARD = 200  # messages in one forward
MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=5)


# -- categories --------------------------------------------------------------------------


def do_create_starter_categories(workspace: Workspace) -> None:
    Category.objects.bulk_create(
        [
            Category(workspace=workspace, name=n, position=i)
            for i, n in enumerate(STARTER_CATEGORIES)
        ],
        ignore_conflicts=True,
    )


def access_category(member: Membership, category_id: int) -> Category:
    return in_workspace(member, Category, category_id, "feedback category")


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not 1 <= len(name) <= 64:
        raise Invalid("a category name needs 1 to 64 characters")
    return name


def do_create_category(member: Membership, name: str) -> Category:
    check_role(member, Role.MANAGER)
    name = _clean_name(name)
    last = Category.objects.filter(workspace_id=member.workspace_id).order_by("-position").first()
    try:
        with transaction.atomic():
            category = Category.objects.create(
                workspace_id=member.workspace_id,
                name=name,
                position=(last.position + 1) if last else 0,
            )
            audit(member, member.workspace_id, "feedback_category.created", category, name=name)
    except IntegrityError:
        raise Conflict(f"a category named {name!r} exists already") from None
    return category


def do_rename_category(member: Membership, category_id: int, name: str) -> Category:
    check_role(member, Role.MANAGER)
    name = _clean_name(name)
    category = access_category(member, category_id)
    old = category.name
    category.name = name
    try:
        with transaction.atomic():
            category.save(update_fields=["name"])
            audit(
                member,
                member.workspace_id,
                "feedback_category.renamed",
                category,
                name=name,
                was=old,
            )
    except IntegrityError:
        raise Conflict(f"a category named {name!r} exists already") from None
    return category


def do_delete_category(member: Membership, category_id: int) -> None:
    check_role(member, Role.MANAGER)
    with transaction.atomic():
        category = access_category(member, category_id)
        used = Feedback.objects.filter(category=category).count()
        if used:
            raise Conflict(
                f"{used} messages are filed under {category.name!r}; file them under another "
                "category first, or rename this one"
            )
        audit(
            member, member.workspace_id, "feedback_category.deleted", category, name=category.name
        )
        category.delete()


# -- filing a message as feedback ---------------------------------------------------------


def access_inbound_message(member: Membership, message_id: int) -> Message:
    message = in_workspace(member, Message, message_id, "message")
    if message.direction != Direction.IN:
        raise Invalid("only messages people sent to the brand can be filed as feedback")
    return message


def do_tag_feedback(
    member: Membership, message_id: int, category_id: int, note: str = ""
) -> Feedback:
    """File an inbound message as feedback (again: changes its category and note)."""
    check_role(member, Role.AGENT)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise Invalid(f"a note can hold at most {MAX_NOTE} characters")
    with transaction.atomic():
        message = access_inbound_message(member, message_id)
        category = access_category(member, category_id)
        feedback, created = Feedback.objects.update_or_create(
            message=message,
            defaults={
                "workspace_id": member.workspace_id,
                "conversation_id": message.conversation_id,
                "channel_id": message.channel_id,
                "category": category,
                "note": note,
            },
            create_defaults={
                "workspace_id": member.workspace_id,
                "conversation_id": message.conversation_id,
                "channel_id": message.channel_id,
                "category": category,
                "note": note,
                "created_by_id": member.user_id,
            },
        )
        audit(
            member,
            member.workspace_id,
            "feedback.tagged" if created else "feedback.changed",
            feedback,
            message=message.pk,
            conversation=message.conversation_id,
            category=category.name,
            note=note,
        )
        _announce(member, message.conversation_id)
    return feedback


def do_remove_feedback(member: Membership, message_id: int) -> None:
    check_role(member, Role.AGENT)
    with transaction.atomic():
        feedback = (
            Feedback.objects.filter(message_id=message_id, workspace_id=member.workspace_id)
            .select_related("category")
            .first()
        )
        if feedback is None:
            raise NotFound(f"message {message_id} is not filed as feedback")
        audit(
            member,
            member.workspace_id,
            "feedback.removed",
            feedback,
            message=message_id,
            category=feedback.category.name,
        )
        feedback.delete()
        _announce(member, feedback.conversation_id)


def _announce(member: Membership, conversation_id: int) -> None:
    events.publish(
        member.workspace_id,
        "feedback.changed",
        conversation_id=conversation_id,
        actor=member.user_id,
    )


# -- destinations ----------------------------------------------------------------------------


def check_destination(kind: str, address: str) -> None:
    if kind == DestinationKind.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            raise Invalid(f"{address!r} is not an email address") from None
    elif kind == DestinationKind.WEBHOOK:
        parts = urlsplit(address)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise Invalid(
                "a webhook needs an http(s) URL, e.g. the incoming-webhook URL Slack "
                "or Teams gives you"
            )
    else:
        raise Invalid(f"unknown destination kind {kind!r}; one of email, webhook")


def do_create_destination(member: Membership, name: str, kind: str, address: str) -> Destination:
    check_role(member, Role.MANAGER)
    name, address = (name or "").strip(), (address or "").strip()
    if not 1 <= len(name) <= 100:
        raise Invalid("a destination needs a name of 1 to 100 characters, e.g. Product team")
    check_destination(kind, address)
    with transaction.atomic():
        destination = Destination.objects.create(
            workspace_id=member.workspace_id, name=name, kind=kind, address=address
        )
        # The address stays out of the log: a webhook URL is a secret.
        audit(
            member,
            member.workspace_id,
            "feedback_destination.created",
            destination,
            name=name,
            kind=kind,
        )
    return destination


def access_destination(member: Membership, destination_id: int) -> Destination:
    return in_workspace(member, Destination, destination_id, "destination",
                        hint="add it under Feedback first")


def do_delete_destination(member: Membership, destination_id: int) -> None:
    check_role(member, Role.MANAGER)
    with transaction.atomic():
        destination = access_destination(member, destination_id)
        audit(
            member,
            member.workspace_id,
            "feedback_destination.deleted",
            destination,
            name=destination.name,
        )
        destination.delete()


# -- forwarding -----------------------------------------------------------------------------


def _items(member: Membership, message_ids: Sequence[int]) -> list[ForwardItem]:
    messages = (
        Message.objects.filter(pk__in=list(message_ids), workspace_id=member.workspace_id)
        .select_related("author", "channel", "feedback__category")
        .order_by("created_at", "pk")
    )
    items = []
    for m in messages:
        feedback = getattr(m, "feedback", None)
        link = settings.BREAKWATER_PUBLIC_URL + reverse(
            "web:conversation", args=[m.conversation_id]
        )
        author = m.author.name or m.author.handle if m.author else "unknown"
        items.append(
            ForwardItem(
                text=m.text,
                author=author or "unknown",
                network=m.network,
                channel=m.channel.name,
                category=feedback.category.name if feedback else "",
                note=feedback.note if feedback else "",
                created_at=m.created_at,
                link=f"{link}#m{m.pk}",
                url=m.url,
            )
        )
    return items


def do_forward(
    member: Membership,
    message_ids: Sequence[int],
    destination_id: int,
    comment: str = "",
    title: str = "",
) -> Forward:
    """Forward messages to another team; delivered in the background, retried on timeouts
    and 5xx answers, shown with its error when it fails. Also the rules' "forward" action."""
    check_role(member, Role.AGENT)
    ids = sorted(set(message_ids))
    if not ids:
        raise Invalid("choose at least one message to forward")
    if len(ids) > MAX_FORWARD:
        raise Invalid(f"forward at most {MAX_FORWARD} messages at once; narrow the period")
    comment = (comment or "").strip()[:MAX_NOTE]
    with transaction.atomic():
        destination = access_destination(member, destination_id)
        items = _items(member, ids)
        if len(items) != len(ids):
            raise NotFound("some of these messages were not found in this workspace")
        categories = sorted({i.category for i in items if i.category})
        content = ForwardContent(
            title=title
            or f"Feedback from {member.workspace.name}"
            + (f": {', '.join(categories)}" if categories else ""),
            comment=comment,
            # An automation rule acts as no person.
            forwarded_by=member.user.display_name if member.user_id else "a Breakwater rule",
            items=items,
        )
        forward = Forward.objects.create(
            workspace_id=member.workspace_id,
            destination=destination,
            message_ids=ids,
            comment=comment,
            created_by_id=member.user_id,
            next_attempt_at=timezone.now() + LEASE,
            payload={
                "subject": content.title,
                "text": plain_text(content),
                "webhook": webhook_body(content),
            },
        )
        audit(
            member,
            member.workspace_id,
            "feedback.forwarded",
            forward,
            destination=destination.name,
            kind=destination.kind,
            messages=ids,
            comment=comment,
        )
        from breakwater.feedback.tasks import send_forward

        transaction.on_commit(lambda: send_forward.enqueue(forward.pk))
    return forward


def _claim(forward_id: int) -> Forward | None:
    with transaction.atomic():
        forward = Forward.objects.select_for_update().filter(pk=forward_id).first()
        if forward is None or forward.status != ForwardStatus.QUEUED:
            return None  # sent, failed for good, or another worker is sending it
        forward.status, forward.attempts = ForwardStatus.SENDING, forward.attempts + 1
        forward.next_attempt_at = timezone.now() + LEASE
        forward.save(update_fields=["status", "attempts", "next_attempt_at"])
    return forward


def do_send_forward(forward_id: int) -> Forward | None:
    """Deliver one forward. Safe to call again: a sent or failed forward is left alone."""
    forward = _claim(forward_id)
    if forward is None:
        return None
    destination = forward.destination
    try:
        if destination.kind == DestinationKind.EMAIL:
            _send_email(forward, destination.address)
        else:
            http.post_json(destination.address, forward.payload["webhook"])
    except ConnectorError as exc:
        _failed(forward, exc)
    else:
        forward.status, forward.error, forward.sent_at = ForwardStatus.SENT, "", timezone.now()
        forward.save(update_fields=["status", "error", "sent_at"])
    events.publish(
        forward.workspace_id,
        "feedback.forward_updated",
        forward_id=forward.pk,
        status=forward.status,
    )
    return forward


def _send_email(forward: Forward, address: str) -> None:
    try:
        send_mail(forward.payload["subject"], forward.payload["text"], None, [address])
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise ConnectorError(f"the mail server refused it: {exc}", permanent=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise ConnectorError(f"could not reach the mail server: {exc}", retry_after=30) from exc


def _failed(forward: Forward, exc: ConnectorError) -> None:
    forward.error = exc.message
    if exc.permanent or forward.attempts >= MAX_ATTEMPTS:
        forward.status = ForwardStatus.FAILED
    else:
        forward.status = ForwardStatus.QUEUED
        delay = exc.retry_after or min(2**forward.attempts, 300)
        forward.next_attempt_at = timezone.now() + timedelta(seconds=delay)
    forward.save(update_fields=["status", "error", "next_attempt_at"])


def do_retry_forward(member: Membership, forward_id: int) -> Forward:
    """Send a failed forward again (after fixing the destination, say)."""
    check_role(member, Role.AGENT)
    with transaction.atomic():
        forward = (
            Forward.objects.select_for_update()
            .filter(pk=forward_id, workspace_id=member.workspace_id)
            .first()
        )
        if forward is None:
            raise NotFound(f"forward {forward_id} not found")
        if forward.status != ForwardStatus.FAILED:
            raise Conflict("only a failed forward can be retried; this one is " + forward.status)
        forward.status, forward.attempts, forward.error = ForwardStatus.QUEUED, 0, ""
        forward.save(update_fields=["status", "attempts", "error"])
        audit(member, member.workspace_id, "feedback.forward_retried", forward)
        from breakwater.feedback.tasks import send_forward

        transaction.on_commit(lambda: send_forward.enqueue(forward.pk))
    return forward


def claim_due_forwards(limit: int = 100) -> list[int]:
    """Forwards whose retry time has come, or whose task or worker was lost; each is leased for
    ``LEASE`` so the next sweep leaves it alone while its task waits."""
    now = timezone.now()
    due = Forward.objects.filter(
        status__in=(ForwardStatus.QUEUED, ForwardStatus.SENDING), next_attempt_at__lte=now
    )
    # Look before taking the write lock (SQLite takes it at BEGIN): most sweeps find nothing.
    if not due.exists():
        return []
    with transaction.atomic():
        ids = list(
            due.order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        # A forward left "sending" by a crash goes out again: another copy of an email or a
        # chat post is better than feedback that never reached the team.
        Forward.objects.filter(pk__in=ids).update(
            status=ForwardStatus.QUEUED, next_attempt_at=now + LEASE
        )
    return ids


def do_forward_group(
    member: Membership, destination_id: int, filters: FeedbackFilters, comment: str = ""
) -> Forward:
    """Forward a whole group (a category and/or a period) in one message, newest first."""
    ids = queries.message_ids(member, filters, MAX_FORWARD)
    if not ids:
        raise Invalid("there is no feedback under this category and period to forward")
    title = f"Feedback from {member.workspace.name}"
    if filters.category:
        title += f": {access_category(member, filters.category).name}"
    if filters.since or filters.until:
        since = f"{filters.since:%Y-%m-%d}" if filters.since else ""
        until = f"{filters.until:%Y-%m-%d}" if filters.until else ""
        title += f" ({since} to {until})"
    return do_forward(member, ids, destination_id, comment, title=title)
