"""Every state change of publishing: posts and their variants, scheduling, approvals,
comments, campaigns, budgets and spend, cadence targets and queue slots.

A scheduled post goes out through the outbox: when its instant comes, the scheduler creates
one delivery per variant with the idempotency key ``post:<id>:variant:<id>`` in the same
transaction that marks the post publishing, so a worker killed at that moment leaves either
nothing (the next one does it) or the deliveries (the outbox sends each once).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from breakwater.composer import actions as composer
from breakwater.core import events
from breakwater.core.actions import audit, check_role, in_workspace
from breakwater.core.errors import Conflict, Invalid
from breakwater.core.models import Channel, Membership, Role
from breakwater.media import queries as media_queries
from breakwater.media import rules as media_rules
from breakwater.media.actions import access_media
from breakwater.media.models import MediaAsset
from breakwater.outbox.actions import do_enqueue, do_retry, find_delivery
from breakwater.publishing import clock, utm
from breakwater.publishing.models import (
    CadenceTarget,
    Campaign,
    Post,
    PostComment,
    PostStatus,
    PostVersion,
    QueueSlot,
    Variant,
    VariantStatus,
)

log = logging.getLogger(__name__)
MAX_TEXT = 10000
EDITABLE = (PostStatus.DRAFT, PostStatus.NEEDS_APPROVAL, PostStatus.SCHEDULED, PostStatus.FAILED)


def local_to_utc(moment: datetime | None, tz: str) -> datetime | None:
    """An instant from what a person entered: a naive time is in the workspace's zone."""
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return moment.astimezone(ZoneInfo("UTC"))


def access_post(member: Membership, post_id: int, *, lock: bool = False) -> Post:
    return in_workspace(member, Post, post_id, "post", lock=lock)


@dataclass
class VariantFields:
    channel: int
    text: str = ""
    media: list[int] = field(default_factory=list)
    link: str = ""
    first_comment: str = ""
    alt_text: str = ""


@dataclass
class PostFields:
    text: str = ""
    variants: list[VariantFields] = field(default_factory=list)
    scheduled_at: datetime | None = None
    link: str = ""
    campaign: int | None = None


# -- checks (the composer's one checker) ------------------------------------------------------


def variant_text(post: Post, variant: Variant | VariantFields) -> str:
    return variant.text or post.text


def with_link(text: str, link: str) -> str:
    """The text as the network shows it: the link after it unless the text has it already
    (what the checks count; tagging adds UTM parameters to the link itself)."""
    return f"{text}\n\n{link}" if link and link not in text else text


def review_post(member: Membership, post: Post) -> list[dict[str, Any]]:
    """The composer's checks on every variant's text: ``Invalid`` when one blocks it, else
    the reasons it needs approval (empty: none)."""
    reasons: list[dict[str, Any]] = []
    for variant in post.variants.select_related("channel"):
        review = composer.review_reply(member, variant.channel.network,
                                       with_link(variant_text(post, variant), variant.link or post.link))
        if review.blocked:
            blocking = " ".join(c["message"] for c in review.checks if c["severity"] == "block")
            raise Invalid(f"{variant.channel.name}: {blocking}", detail=review.checks)
        problems = media_problems(member, variant.channel.network, variant.media)
        if problems:
            raise Invalid(f"{variant.channel.name}: " + " ".join(p["message"] for p in problems)
                          + " " + _("Fix the media in the media library first."),
                          detail=problems)
        for reason in review.reasons():
            if reason not in reasons:
                reasons.append({**reason, "channel": variant.channel_id})
    return reasons


def media_max_images(network: str, placement: str = "feed") -> int | None:
    """How many images or videos one post takes on ``network``: the media rule table's figure
    (one table for media, see docs/media-rules.md); None where it lists no such network."""
    if network not in media_rules.networks():
        return None
    if placement not in media_rules.placements(network):
        placement = media_rules.placements(network)[0]
    return media_rules.get_rule(network, placement).max_images


def media_problems(member: Membership, network: str, media_ids: list[int],
                   placement: str = "feed") -> list[dict[str, str]]:
    """The media library's checks of a variant's media on its network (none for a network
    the rule table does not list, such as the demo network)."""
    if not media_ids or network not in media_rules.networks():
        return []
    if placement not in media_rules.placements(network):
        placement = media_rules.placements(network)[0]
    result = media_queries.check_post_media(member, [int(m) for m in media_ids], network, placement)
    return [p.as_dict() for p in result.problems]


def _channels(member: Membership, variants: list[VariantFields]) -> dict[int, Channel]:
    if not variants:
        raise Invalid("a post needs at least one channel: add a variant")
    found = {c.pk: c for c in Channel.objects.filter(
        workspace_id=member.workspace_id, pk__in=[v.channel for v in variants])}
    for v in variants:
        if v.channel not in found:
            raise Invalid(f"channel {v.channel} not found")
    if len(found) != len(variants):
        raise Invalid("one variant per channel")
    return found


def _campaign(member: Membership, campaign_id: int | None) -> Campaign | None:
    if campaign_id is None:
        return None
    return in_workspace(member, Campaign, campaign_id, "campaign")


def _check_fields(fields: PostFields) -> None:
    if len(fields.text) > MAX_TEXT or any(len(v.text) > MAX_TEXT for v in fields.variants):
        raise Invalid(f"a post can hold at most {MAX_TEXT} characters")
    if not fields.text.strip() and not all(v.text.strip() for v in fields.variants):
        raise Invalid("write the post's text (or each variant's)")


# -- posts -----------------------------------------------------------------------------------


def do_create_post(member: Membership, fields: PostFields) -> Post:
    """A new draft; with ``scheduled_at`` it is scheduled at once (or held for approval)."""
    check_role(member, Role.AGENT)
    _check_fields(fields)
    _channels(member, fields.variants)
    campaign = _campaign(member, fields.campaign)
    with transaction.atomic():
        post = Post.objects.create(
            workspace_id=member.workspace_id, text=fields.text.strip(), link=fields.link,
            campaign=campaign, created_by_id=member.user_id,
            scheduled_at=local_to_utc(fields.scheduled_at, member.workspace.timezone),
        )
        _write_variants(member, post, fields.variants)
        audit(member, member.workspace_id, "post.created", post)
        if post.scheduled_at is not None:
            _submit(member, post)
    _announce(post)
    return post


def _write_variants(member: Membership, post: Post, variants: list[VariantFields]) -> None:
    for v in variants:
        for media_id in v.media:
            access_media(member, int(media_id))  # a foreign or missing id is a 404
    keep = {v.channel for v in variants}
    post.variants.exclude(channel_id__in=keep).delete()
    for v in variants:
        Variant.objects.update_or_create(
            post=post, channel_id=v.channel,
            defaults={"text": v.text.strip(), "media": [int(m) for m in v.media], "link": v.link,
                      "first_comment": v.first_comment, "alt_text": v.alt_text},
        )


def _snapshot(post: Post) -> list[dict[str, Any]]:
    return [{"channel": v.channel_id, "text": v.text, "media": v.media, "link": v.link,
             "first_comment": v.first_comment, "alt_text": v.alt_text}
            for v in post.variants.order_by("channel_id")]


def do_update_post(member: Membership, post_id: int, fields: PostFields) -> Post:
    """Edit a post not yet sent: the previous draft is kept as a version. A scheduled or held
    post is checked (and, when needed, held for approval) again."""
    check_role(member, Role.AGENT)
    _check_fields(fields)
    _channels(member, fields.variants)
    campaign = _campaign(member, fields.campaign)
    with transaction.atomic():
        post = access_post(member, post_id, lock=True)
        if post.status not in EDITABLE:
            raise Conflict(f"this post is {post.status}: it can no longer be edited")
        PostVersion.objects.create(post=post, number=post.version, text=post.text,
                                   variants=_snapshot(post), edited_by_id=member.user_id)
        post.text, post.link, post.campaign = fields.text.strip(), fields.link, campaign
        post.scheduled_at = local_to_utc(fields.scheduled_at, member.workspace.timezone)
        post.version += 1
        post.updated_at = timezone.now()
        if post.status != PostStatus.NEEDS_APPROVAL:
            post.approval_comment = ""  # an approval covered the text it saw, not this one
        post.save(update_fields=["text", "link", "campaign", "scheduled_at", "version",
                                 "updated_at", "approval_comment"])
        _write_variants(member, post, fields.variants)
        audit(member, member.workspace_id, "post.updated", post, version=post.version)
        if post.scheduled_at is not None:
            _submit(member, post)
        else:
            _set_status(post, PostStatus.DRAFT)
    _announce(post)
    return post


def do_reschedule(member: Membership, post_id: int, scheduled_at: datetime) -> Post:
    """Move a draft, held or scheduled post to another instant (the calendar's drag)."""
    check_role(member, Role.AGENT)
    with transaction.atomic():
        post = access_post(member, post_id, lock=True)
        if post.status not in EDITABLE:
            raise Conflict(f"this post is {post.status}: it can no longer be moved")
        before = post.scheduled_at
        post.scheduled_at = local_to_utc(scheduled_at, member.workspace.timezone)
        post.updated_at = timezone.now()
        post.save(update_fields=["scheduled_at", "updated_at"])
        audit(member, member.workspace_id, "post.rescheduled", post,
              before=before.isoformat() if before else None, after=post.scheduled_at.isoformat())
        if post.status in (PostStatus.DRAFT, PostStatus.FAILED):
            _submit(member, post)
    _announce(post)
    return post


def do_submit(member: Membership, post_id: int) -> Post:
    """Schedule a draft at its time: checked, and held for approval when the checks or the
    workspace's approval policy say so."""
    check_role(member, Role.AGENT)
    with transaction.atomic():
        post = access_post(member, post_id, lock=True)
        if post.status not in (PostStatus.DRAFT, PostStatus.FAILED):
            raise Conflict(f"this post is already {post.status}")
        if post.scheduled_at is None:
            raise Invalid("choose when to publish it first (scheduled_at)")
        _submit(member, post)
    _announce(post)
    return post


def _submit(member: Membership, post: Post) -> None:
    reasons = review_post(member, post)
    policy = composer._policy_reason(member)
    if policy:
        reasons.append({"kind": "policy", "message": policy, "start": 0, "end": 0,
                        "severity": "approve", "term": "", "suggestion": ""})
    pending = post.approval_ref and post.status == PostStatus.NEEDS_APPROVAL
    if not reasons or (post.approval_comment == "approved" and not pending):
        _set_status(post, PostStatus.SCHEDULED)
        return
    if pending:
        return  # it already waits; the approver sees the current text
    from breakwater.composer.models import Approval

    earlier = Approval.objects.filter(workspace_id=post.workspace_id,
                                      ref__startswith=f"post:{post.pk}:").count()
    ref = f"post:{post.pk}" if not post.approval_ref else f"post:{post.pk}:{earlier + 2}"
    first = post.variants.select_related("channel").first()
    composer.do_request_approval(member, ref, post.text or (first.text if first else ""), reasons,
                                 {"post": post.pk, "network": first.channel.network if first else "",
                                  "channel": first.channel.name if first else ""})
    post.approval_ref, post.approval_comment = ref, ""
    post.status = PostStatus.NEEDS_APPROVAL
    post.save(update_fields=["approval_ref", "approval_comment", "status"])


def _set_status(post: Post, status: str) -> None:
    if post.status != status:
        post.status = status
        post.save(update_fields=["status"])


def do_delete_post(member: Membership, post_id: int) -> None:
    check_role(member, Role.AGENT)
    with transaction.atomic():
        post = access_post(member, post_id, lock=True)
        if post.status in (PostStatus.PUBLISHING, PostStatus.PUBLISHED):
            raise Conflict("a published post stays in the calendar; delete it on the network")
        audit(member, member.workspace_id, "post.deleted", post)
        post.delete()


def do_comment(member: Membership, post_id: int, text: str) -> PostComment:
    check_role(member, Role.AGENT)
    text = (text or "").strip()
    if not text:
        raise Invalid("the comment is empty")
    post = access_post(member, post_id)
    with transaction.atomic():
        comment = PostComment.objects.create(post=post, author_id=member.user_id, text=text)
        audit(member, member.workspace_id, "post.commented", post)
    return comment


def _announce(post: Post) -> None:
    transaction.on_commit(lambda: events.publish(
        post.workspace_id, "post.updated", workspace_id=post.workspace_id, post_id=post.pk,
        status=post.status))


# -- approvals ---------------------------------------------------------------------------------


@events.on("approval.decided")
def _on_approval_decided(event: dict) -> None:
    ref = event.get("ref", "")
    if not ref.startswith("post:"):
        return
    post = Post.objects.select_for_update().filter(
        approval_ref=ref, status=PostStatus.NEEDS_APPROVAL).first()
    if post is None:
        return  # decided before: approving twice schedules once
    if event["status"] == "approved":
        from breakwater.composer.models import Approval

        # Only an approver's own edit replaces the text: the request may predate later edits.
        edited = Approval.objects.filter(pk=event.get("approval_id")).values_list(
            "approved_text", flat=True).first()
        if edited and post.text:
            post.text = edited
        post.status, post.approval_comment = PostStatus.SCHEDULED, "approved"
    else:
        post.status, post.approval_comment = PostStatus.DRAFT, event.get("comment", "")
    post.save(update_fields=["text", "status", "approval_comment"])
    _announce(post)


# -- scheduled delivery ------------------------------------------------------------------------


def _media_files(variant: Variant) -> list[dict[str, str]]:
    """The variant's media as the outbox payload wants them (path, type, alt), in order."""
    if not variant.media:
        return []
    assets = {a.pk: a for a in MediaAsset.objects.filter(workspace_id=variant.post.workspace_id,
                                                         pk__in=variant.media)}
    return [{"path": assets[m].file.path, "content_type": assets[m].content_type,
             "alt": variant.alt_text or assets[m].alt} for m in variant.media if m in assets]


def publish_payload(post: Post, variant: Variant) -> dict[str, Any]:
    network = variant.channel.network
    link = variant.link or post.link
    if link and post.campaign_id:
        c = post.campaign
        link = utm.tag_link(link, source=c.utm_source, medium=c.utm_medium,
                            campaign=c.utm_campaign or c.name, network=network)
    return {"text": variant_text(post, variant), "network": network, "link": link or None,
            "media": _media_files(variant)}


def due_posts(now: datetime) -> list[int]:
    return list(Post.objects.filter(status=PostStatus.SCHEDULED, scheduled_at__lte=now)
                .order_by("scheduled_at").values_list("pk", flat=True)[:100])


def publish_due(now: datetime | None = None) -> int:
    """Hand every post whose instant has come to the outbox; returns how many. Safe to run
    in many workers at once: the post row is locked and each delivery's key is unique."""
    now = now or clock.now()
    # Look before taking the write lock (SQLite takes it at BEGIN): most sweeps find nothing.
    ids = due_posts(now)
    for post_id in ids:
        _publish_post(post_id, now)
    return len(ids)


def _fault_pause() -> None:
    # Fault tests: hold the transaction open so a worker can be killed inside it.
    pause = float(os.environ.get("BREAKWATER_PUBLISH_FAULT_PAUSE", "0") or 0)
    if pause:
        log.warning("publishing: pausing %s s before commit (fault test)", pause)
        time.sleep(pause)


def _publish_post(post_id: int, now: datetime) -> None:
    with transaction.atomic():
        post = (Post.objects.select_for_update(of=("self",)).select_related("campaign")
                .filter(pk=post_id, status=PostStatus.SCHEDULED, scheduled_at__lte=now).first())
        if post is None:
            return  # another worker took it
        for variant in post.variants.select_related("channel").exclude(
                status=VariantStatus.PUBLISHED):
            _hand_over(post, variant)
        post.status = PostStatus.PUBLISHING
        post.save(update_fields=["status"])
        audit(None, post.workspace_id, "post.publishing", post)
        _fault_pause()
    log.info("post %s handed to the outbox", post_id)
    _announce(post)


def _hand_over(post: Post, variant: Variant) -> None:
    """One variant to the outbox: a new delivery, or, for one that failed before (the post
    was scheduled again), the same delivery retried (the outbox checks with the network
    first when the outcome was unknown). Its key allows one delivery, ever."""
    key = variant.idempotency_key
    if variant.delivery_ref and variant.status == VariantStatus.FAILED:
        delivery = find_delivery(post.workspace_id, key)
        if delivery is not None:
            do_retry(delivery.pk)
    elif not variant.delivery_ref:
        try:
            with transaction.atomic():
                do_enqueue(workspace_id=post.workspace_id, channel_id=variant.channel_id,
                           idempotency_key=key, ref=key, payload=publish_payload(post, variant),
                           action="publish")
        except IntegrityError:
            pass  # its delivery exists already: never a second one
    else:
        return  # queued already
    variant.delivery_ref, variant.status, variant.error = key, VariantStatus.QUEUED, ""
    variant.save(update_fields=["delivery_ref", "status", "error"])


@events.on("delivery.updated")
def _on_delivery_updated(event: dict) -> None:
    """The outbox reports progress on a variant: record the network's id and URL."""
    ref = event.get("ref", "")
    if not ref.startswith("post:") or ":variant:" not in ref:
        return
    variant = Variant.objects.select_related("post").filter(delivery_ref=ref).first()
    if variant is None:
        return
    status = event["status"]
    if status == "sent":
        variant.status, variant.error = VariantStatus.PUBLISHED, ""
        variant.external_id, variant.external_url = event.get("external_id") or "", event.get("url") or ""
        variant.published_at = timezone.now()
        _first_comment(variant, event["channel_id"])
    elif status == "failed":
        variant.status, variant.error = VariantStatus.FAILED, event.get("error", "")
    else:
        variant.error = event.get("error", "")
    variant.save(update_fields=["status", "error", "external_id", "external_url", "published_at"])
    _settle(variant.post)


def _first_comment(variant: Variant, channel_id: int) -> None:
    """Where the network has one, the variant's first comment goes out as a reply to the
    published post, through the outbox like any reply (its own idempotency key)."""
    from breakwater.publishing import networks

    network = Channel.objects.filter(pk=channel_id).values_list("network", flat=True).first()
    if not variant.first_comment.strip() or not networks.rules_for(network or "").first_comment:
        return
    key = f"{variant.idempotency_key}:first-comment"
    try:
        with transaction.atomic():
            do_enqueue(workspace_id=variant.post.workspace_id, channel_id=channel_id,
                       idempotency_key=key, ref=key, action="reply",
                       payload={"text": variant.first_comment.strip(),
                                "thread_key": variant.external_id,
                                "in_reply_to": variant.external_id, "is_public": True,
                                "network": network})
    except IntegrityError:
        pass  # the same "sent" reported again: the comment is on its way already


def _settle(post: Post) -> None:
    states = set(post.variants.values_list("status", flat=True))
    if states <= {VariantStatus.PUBLISHED}:
        _set_status(post, PostStatus.PUBLISHED)
    elif VariantStatus.FAILED in states and not states & {VariantStatus.QUEUED,
                                                          VariantStatus.PENDING}:
        _set_status(post, PostStatus.FAILED)
    _announce(post)


# -- queue slots and cadence targets -----------------------------------------------------------


def do_set_cadence_target(member: Membership, channel_id: int, posts_per_week: int,
                          min_interval_minutes: int) -> CadenceTarget:
    check_role(member, Role.MANAGER)
    channel = in_workspace(member, Channel, channel_id, "channel")
    if posts_per_week < 0 or min_interval_minutes < 0:
        raise Invalid("posts_per_week and min_interval_minutes cannot be negative")
    with transaction.atomic():
        target, _created = CadenceTarget.objects.update_or_create(
            channel=channel, defaults={"workspace_id": member.workspace_id,
                                       "posts_per_week": posts_per_week,
                                       "min_interval_minutes": min_interval_minutes})
        audit(member, member.workspace_id, "cadence.updated", target,
              posts_per_week=posts_per_week, min_interval_minutes=min_interval_minutes)
    return target


def do_set_queue_slots(member: Membership, channel_id: int,
                       slots: list[tuple[int, Any]]) -> list[QueueSlot]:
    """Replace a channel's posting slots: (weekday 0 = Monday, local time) pairs."""
    check_role(member, Role.MANAGER)
    channel = in_workspace(member, Channel, channel_id, "channel")
    if any(not 0 <= day <= 6 for day, _t in slots):
        raise Invalid("weekday is 0 (Monday) to 6 (Sunday)")
    with transaction.atomic():
        QueueSlot.objects.filter(channel=channel).delete()
        rows = [QueueSlot.objects.create(workspace_id=member.workspace_id, channel=channel,
                                         weekday=day, time=at) for day, at in sorted(set(slots))]
        audit(member, member.workspace_id, "queue.updated", channel, slots=len(rows))
    return rows


def do_add_to_queue(member: Membership, post_id: int, channel_id: int | None = None) -> Post:
    """Schedule a post at the next free slot of its (first) channel's queue."""
    from breakwater.publishing.queries import next_free_slot

    post = access_post(member, post_id)
    channel_id = channel_id or post.variants.values_list("channel_id", flat=True).first()
    at = next_free_slot(member.workspace_id, channel_id, member.workspace.timezone, clock.now())
    if at is None:
        raise Invalid(_("This channel has no posting slots: add some to its queue first."))
    return do_reschedule(member, post_id, at)


# -- approving posts (the composer's approvals, ref "post:<id>") --------------------------------


def _post_approval(member: Membership, post_id: int) -> int:
    from breakwater.composer.models import Approval

    post = access_post(member, post_id)
    approval = Approval.objects.filter(workspace_id=member.workspace_id, ref=post.approval_ref).first()
    if not post.approval_ref or approval is None:
        raise Conflict("this post does not wait for approval")
    return approval.pk


def do_approve_post(member: Membership, post_id: int, text: str | None = None,
                    comment: str = "") -> Post:
    composer.do_approve(member, _post_approval(member, post_id), text, comment)
    return access_post(member, post_id)


def do_reject_post(member: Membership, post_id: int, comment: str) -> Post:
    composer.do_reject(member, _post_approval(member, post_id), comment)
    return access_post(member, post_id)
