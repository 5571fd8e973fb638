"""Reads of publishing: the calendar with its cadence flags, the queue's next free slot,
budget pacing, a campaign's ad comments, the weekly digest."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from breakwater.core.models import Channel
from breakwater.publishing import cadence, clock, pacing
from breakwater.publishing.models import (
    Budget,
    CadenceTarget,
    Campaign,
    Post,
    PostStatus,
    QueueSlot,
)

ON_CALENDAR = (PostStatus.DRAFT, PostStatus.NEEDS_APPROVAL, PostStatus.SCHEDULED,
               PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.FAILED)
# What counts toward a cadence target: what is planned to go out or went out.
COUNTED = (PostStatus.NEEDS_APPROVAL, PostStatus.SCHEDULED, PostStatus.PUBLISHING,
           PostStatus.PUBLISHED)


def local_range(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    """Local dates ``start``..``end`` (inclusive) as UTC instants [from, to)."""
    zone = ZoneInfo(tz)
    return (datetime.combine(start, time.min, zone),
            datetime.combine(end + timedelta(days=1), time.min, zone))


def posts_between(workspace_id: int, start: date, end: date, tz: str) -> list[Post]:
    begin, stop = local_range(start, end, tz)
    return list(
        Post.objects.filter(workspace_id=workspace_id, scheduled_at__gte=begin,
                            scheduled_at__lt=stop, status__in=ON_CALENDAR)
        .select_related("campaign").prefetch_related("variants__channel")
        .order_by("scheduled_at", "pk")
    )


def targets(workspace_id: int) -> dict[int, cadence.Target]:
    return {t.channel_id: cadence.Target(t.posts_per_week, t.min_interval_minutes)
            for t in CadenceTarget.objects.filter(workspace_id=workspace_id)}


def cadence_flags(workspace_id: int, posts: list[Post], start: date, end: date,
                  tz: str) -> list[cadence.Flag]:
    slots = [cadence.Slot(p.pk, v.channel_id, p.scheduled_at)
             for p in posts if p.status in COUNTED for v in p.variants.all()]
    return cadence.flags(slots, targets(workspace_id), tz, start, end)


def post_dict(post: Post, tz: str, flags: list[str] | None = None) -> dict[str, Any]:
    zone = ZoneInfo(tz)
    return {
        "id": post.pk, "text": post.text, "link": post.link, "status": post.status,
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "local_time": post.scheduled_at.astimezone(zone).isoformat() if post.scheduled_at else None,
        "campaign": post.campaign_id, "version": post.version,
        "approval_comment": post.approval_comment if post.approval_comment != "approved" else "",
        "cadence": flags or [],
        "variants": [variant_dict(v) for v in post.variants.all()],
    }


def variant_dict(v: Any) -> dict[str, Any]:
    return {"id": v.pk, "channel": v.channel_id, "network": v.channel.network,
            "channel_name": v.channel.name, "text": v.text, "media": v.media, "link": v.link,
            "first_comment": v.first_comment, "alt_text": v.alt_text, "status": v.status,
            "external_id": v.external_id, "url": v.external_url,
            "published_at": v.published_at.isoformat() if v.published_at else None,
            "error": v.error}


def calendar(workspace_id: int, start: date, end: date, tz: str) -> dict[str, Any]:
    """Posts with a time in ``start``..``end`` (local dates) and the cadence flags."""
    posts = posts_between(workspace_id, start, end, tz)
    # Bursts across the range's edge count too: look a day further each side.
    around = posts_between(workspace_id, start - timedelta(days=1), end + timedelta(days=1), tz)
    found = cadence_flags(workspace_id, around, start, end, tz)
    marked = cadence.post_flags(found)
    return {"start": start.isoformat(), "end": end.isoformat(), "timezone": tz,
            "posts": [post_dict(p, tz, marked.get(p.pk)) for p in posts],
            "flags": [f.as_dict() for f in found]}


def next_free_slot(workspace_id: int, channel_id: int | None, tz: str,
                   now: datetime, horizon_days: int = 60) -> datetime | None:
    """The first posting slot of the channel after ``now`` with no post of it at that time."""
    slots = list(QueueSlot.objects.filter(workspace_id=workspace_id, channel_id=channel_id))
    if not slots:
        return None
    zone = ZoneInfo(tz)
    taken = set(Post.objects.filter(
        workspace_id=workspace_id, variants__channel_id=channel_id, scheduled_at__gte=now,
        status__in=COUNTED + (PostStatus.DRAFT,)).values_list("scheduled_at", flat=True))
    today = now.astimezone(zone).date()
    for n in range(horizon_days):
        day = today + timedelta(days=n)
        for slot in sorted((s for s in slots if s.weekday == day.weekday()), key=lambda s: s.time):
            at = datetime.combine(day, slot.time, zone)
            if at > now and at not in taken:
                return at
    return None


def budget_pacing(budget: Budget, as_of: date) -> dict[str, Any]:
    spend = list(budget.spend.values_list("date", "amount"))
    figures = pacing.pacing(budget.amount, budget.period_start, budget.period_end, spend, as_of,
                            budget.thresholds)
    return {"budget": budget.pk, "campaign": budget.campaign_id, "channel": budget.channel_id,
            "currency": budget.currency, "as_of": as_of.isoformat(),
            "period_start": budget.period_start.isoformat(),
            "period_end": budget.period_end.isoformat(), **figures.as_dict(),
            "alerts": [{"threshold": a.threshold, "spent": str(a.spent),
                        "fired_at": a.fired_at.isoformat()}
                       for a in budget.alerts.order_by("threshold")]}


def ad_comments(campaign: Campaign, limit: int = 50) -> list[Any]:
    """Ad comments that belong to the campaign: its network campaign id in the item's raw
    payload, or a comment on one of its published variants."""
    from breakwater.inbox.models import Message

    post_ids = [x for x in Post.objects.filter(campaign=campaign).values_list(
        "variants__external_id", flat=True) if x]
    match = Q(conversation__thread_key__in=post_ids) if post_ids else Q(pk__in=[])
    if campaign.external_id:
        match |= Q(raw__campaign_id=campaign.external_id)
    return list(Message.objects.filter(workspace_id=campaign.workspace_id, kind="ad_comment")
                .filter(match).select_related("conversation").order_by("-created_at")[:limit])


def channels(workspace_id: int) -> list[Channel]:
    return list(Channel.objects.filter(workspace_id=workspace_id).order_by("name"))


def digest(workspace_id: int, week_start: date, tz: str) -> dict[str, Any]:
    """The weekly digest: the week's posts per channel and its cadence flags."""
    end = week_start + timedelta(days=6)
    cal = calendar(workspace_id, week_start, end, tz)
    per_channel: dict[int, int] = {}
    for post in cal["posts"]:
        if post["status"] in COUNTED:
            for v in post["variants"]:
                per_channel[v["channel"]] = per_channel.get(v["channel"], 0) + 1
    names = {c.pk: c.name for c in channels(workspace_id)}
    goals = targets(workspace_id)
    rows = [{"channel": cid, "name": names.get(cid, str(cid)), "posts": per_channel.get(cid, 0),
             "target": goals[cid].posts_per_week if cid in goals else None}
            for cid in sorted(set(per_channel) | set(goals), key=lambda c: names.get(c, ""))]
    return {"week_start": week_start.isoformat(), "week_end": end.isoformat(), "channels": rows,
            "flags": cal["flags"], "posts": cal["posts"]}


def preview(member: Any, network: str, text: str, media: list[int] | None = None,
            link: str = "", campaign: Campaign | None = None) -> dict[str, Any]:
    """What the composer shows per network: the text as it will go (with the tagged link),
    the composer's checks (brand voice, confidential topics, length as the network counts
    it), and the network's post rules (images, first comment, links, mentions)."""
    from breakwater.composer.actions import draft_report
    from breakwater.publishing import networks, utm
    from breakwater.publishing.actions import media_max_images, media_problems, with_link

    media = media or []
    media_count = len(media)
    if link and campaign is not None:
        link = utm.tag_link(link, source=campaign.utm_source, medium=campaign.utm_medium,
                            campaign=campaign.utm_campaign or campaign.name, network=network)
    full = with_link(text, link)
    report = draft_report(member.workspace_id, network, full)
    rules = networks.rules_for(network)
    max_images = media_max_images(network)
    problems = []
    if report["limit"] is not None and report["length"] > report["limit"]:
        problems.append({"code": "too_long", "message":
                         f"{report['length']} characters, at most {report['limit']} on {network}"})
    problems.extend(media_problems(member, network, media))  # too_many_images among them
    if report["verdict"] == "block":
        problems.append({"code": "blocked", "message": " ".join(
            c["message"] for c in report["checks"] if c["severity"] == "block")})
    return {"network": network, "text": full, "link": link, **report,
            "images": media_count, "max_images": max_images,
            "first_comment": rules.first_comment, "links": rules.links,
            "mentions": rules.mentions, "problems": problems, "ok": not problems}


def queue_overview(workspace_id: int) -> list[dict[str, Any]]:
    """Per channel: its cadence target, its posting slots ("weekday HH:MM") and its next ten
    posts (from the 200 soonest of the workspace)."""

    targets = {t.channel_id: t for t in CadenceTarget.objects.filter(workspace_id=workspace_id)}
    slots: dict[int, list[str]] = {}
    for s in QueueSlot.objects.filter(workspace_id=workspace_id).order_by("weekday", "time"):
        slots.setdefault(s.channel_id, []).append(f"{s.weekday} {s.time.strftime('%H:%M')}")
    upcoming: dict[int, list[Post]] = {}
    for post in (Post.objects.filter(workspace_id=workspace_id, scheduled_at__gte=clock.now(),
                                     status__in=COUNTED)
                 .prefetch_related("variants").order_by("scheduled_at")[:200]):
        for v in post.variants.all():
            upcoming.setdefault(v.channel_id, []).append(post)
    return [{"channel": c, "target": targets.get(c.pk), "slots": ", ".join(slots.get(c.pk, [])),
             "upcoming": upcoming.get(c.pk, [])[:10]}
            for c in channels(workspace_id)]
