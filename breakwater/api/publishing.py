"""Publishing over HTTP: posts and variants, the calendar, approvals, comments, the queue,
cadence targets, campaigns, budgets, spend and pacing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from breakwater.core.actions import in_workspace
from breakwater.publishing import actions, campaigns, queries
from breakwater.publishing.actions import PostFields, VariantFields
from breakwater.publishing.models import (
    Budget,
    CadenceTarget,
    Campaign,
    Post,
    QueueSlot,
)

router = Router(tags=["publishing"])
Json = dict[str, Any]


def _member(request: HttpRequest) -> Any:
    return request.member  # type: ignore[attr-defined]


class VariantIn(Schema):
    channel: int = Field(description="a channel id")
    text: str = Field("", description="this channel's own text; empty: the post's")
    media: list[int] = Field([], description="media library ids, in order")
    link: str = ""
    first_comment: str = Field("", description="posted as the first comment where the network has one")
    alt_text: str = ""


class PostIn(Schema):
    text: str = ""
    variants: list[VariantIn]
    scheduled_at: datetime | None = Field(
        None, description="ISO 8601; without an offset it is the workspace's local time "
        "(Europe/Helsinki unless set). Null: a draft")
    link: str = ""
    campaign: int | None = None


class PostPatch(Schema):
    text: str | None = None
    variants: list[VariantIn] | None = None
    scheduled_at: datetime | None = None
    link: str | None = None
    campaign: int | None = None


def _variants(items: list[VariantIn]) -> list[VariantFields]:
    return [VariantFields(channel=v.channel, text=v.text, media=v.media, link=v.link,
                          first_comment=v.first_comment, alt_text=v.alt_text) for v in items]


def _out(request: HttpRequest, post: Post, detail: bool = False) -> Json:
    member = _member(request)
    post = Post.objects.prefetch_related("variants__channel").get(pk=post.pk)
    data = queries.post_dict(post, member.workspace.timezone)
    if detail:
        data["versions"] = [{"number": v.number, "text": v.text, "variants": v.variants,
                             "edited_by": v.edited_by_id, "created_at": v.created_at.isoformat()}
                            for v in post.versions.order_by("number")]
        data["comments"] = [{"id": c.id, "text": c.text, "author": c.author_id,
                             "created_at": c.created_at.isoformat()}
                            for c in post.comments.order_by("created_at")]
    return data


@router.post("/posts", response={201: Json}, summary="Create a post")
def create_post(request: HttpRequest, body: PostIn) -> Status[Json]:
    """One draft with a variant per channel; with `scheduled_at` it is scheduled (or held for
    approval when the composer's checks or the approval policy say so)."""
    post = actions.do_create_post(_member(request), PostFields(
        text=body.text, variants=_variants(body.variants), scheduled_at=body.scheduled_at,
        link=body.link, campaign=body.campaign))
    return Status(201, _out(request, post))


@router.get("/posts", response=list[Json], summary="List posts")
def list_posts(request: HttpRequest, status: str = "", campaign: int | None = None) -> list[Json]:
    member = _member(request)
    qs = Post.objects.filter(workspace_id=member.workspace_id).prefetch_related("variants__channel")
    if status:
        qs = qs.filter(status=status)
    if campaign is not None:
        qs = qs.filter(campaign_id=campaign)
    tz = member.workspace.timezone
    return [queries.post_dict(p, tz) for p in qs.order_by("-pk")[:200]]


@router.get("/posts/{int:post_id}", response=Json, summary="Get a post")
def get_post(request: HttpRequest, post_id: int) -> Json:
    """With its version history and comments."""
    return _out(request, actions.access_post(_member(request), post_id), detail=True)


@router.patch("/posts/{int:post_id}", response=Json, summary="Edit a post")
def patch_post(request: HttpRequest, post_id: int, body: PostPatch) -> Json:
    """Only the fields given change; the previous draft becomes a version."""
    member = _member(request)
    post = actions.access_post(member, post_id)
    sent = body.model_dump(exclude_unset=True)
    current = queries.post_dict(Post.objects.prefetch_related("variants__channel").get(pk=post.pk),
                                member.workspace.timezone)
    variants = _variants(body.variants) if body.variants is not None else [
        VariantFields(channel=v["channel"], text=v["text"], media=v["media"], link=v["link"],
                      first_comment=v["first_comment"], alt_text=v["alt_text"])
        for v in current["variants"]]
    fields = PostFields(
        text=body.text if body.text is not None else post.text, variants=variants,
        scheduled_at=body.scheduled_at if "scheduled_at" in sent else post.scheduled_at,
        link=body.link if body.link is not None else post.link,
        campaign=body.campaign if "campaign" in sent else post.campaign_id)
    return _out(request, actions.do_update_post(member, post_id, fields))


@router.delete("/posts/{int:post_id}", response={204: None}, summary="Delete a post")
def delete_post(request: HttpRequest, post_id: int) -> Status[None]:
    actions.do_delete_post(_member(request), post_id)
    return Status(204, None)


class RescheduleIn(Schema):
    scheduled_at: datetime


@router.post("/posts/{int:post_id}/reschedule", response=Json, summary="Move a post")
def reschedule_post(request: HttpRequest, post_id: int, body: RescheduleIn) -> Json:
    return _out(request, actions.do_reschedule(_member(request), post_id, body.scheduled_at))


@router.post("/posts/{int:post_id}/submit", response=Json, summary="Schedule a draft")
def submit_post(request: HttpRequest, post_id: int) -> Json:
    return _out(request, actions.do_submit(_member(request), post_id))


class QueueIn(Schema):
    channel: int | None = Field(None, description="whose queue; default: the post's first channel")


@router.post("/posts/{int:post_id}/queue", response=Json, summary="Add a post to the queue")
def queue_post(request: HttpRequest, post_id: int, body: QueueIn) -> Json:
    """Schedule it at the channel's next free posting slot."""
    return _out(request, actions.do_add_to_queue(_member(request), post_id, body.channel))


class ApproveIn(Schema):
    text: str | None = None
    comment: str = ""


class RejectIn(Schema):
    comment: str


@router.post("/posts/{int:post_id}/approve", response=Json, summary="Approve a held post")
def approve_post(request: HttpRequest, post_id: int, body: ApproveIn) -> Json:
    return _out(request, actions.do_approve_post(_member(request), post_id, body.text, body.comment))


@router.post("/posts/{int:post_id}/reject", response=Json, summary="Reject a held post")
def reject_post(request: HttpRequest, post_id: int, body: RejectIn) -> Json:
    return _out(request, actions.do_reject_post(_member(request), post_id, body.comment))


class CommentIn(Schema):
    text: str


@router.post("/posts/{int:post_id}/comments", response={201: Json}, summary="Comment on a post")
def comment_post(request: HttpRequest, post_id: int, body: CommentIn) -> Status[Json]:
    c = actions.do_comment(_member(request), post_id, body.text)
    return Status(201, {"id": c.pk, "text": c.text, "author": c.author_id,
                        "created_at": c.created_at.isoformat()})


class PreviewIn(Schema):
    text: str = ""
    variants: list[VariantIn]
    link: str = ""
    campaign: int | None = None


@router.post("/posts/preview", response=list[Json], summary="Preview a post per network")
def preview_post(request: HttpRequest, body: PreviewIn) -> list[Json]:
    """Each variant as its network will show it, with the composer's checks and the
    network's limits (length as it counts, images, links, mentions)."""
    from breakwater.core.models import Channel

    member = _member(request)
    campaign = in_workspace(member, Campaign, body.campaign, "campaign") if body.campaign else None
    out = []
    for v in body.variants:
        channel = in_workspace(member, Channel, v.channel, "channel")
        out.append({"channel": channel.pk, **queries.preview(
            member, channel.network, v.text or body.text, v.media, v.link or body.link, campaign)})
    return out


@router.get("/calendar", response=Json, summary="The publishing calendar")
def get_calendar(request: HttpRequest, start: date, end: date) -> Json:
    """Scheduled and published posts (and drafts with a time) from `start` to `end`
    (local dates, both included), each with its `cadence` flags, and the range's flags:
    `gap` (a week below a channel's target) and `burst` (two posts within its interval)."""
    member = _member(request)
    if end < start:
        end = start
    end = min(end, start + timedelta(days=92))
    return queries.calendar(member.workspace_id, start, end, member.workspace.timezone)


@router.get("/publishing/digest", response=Json, summary="The weekly cadence digest")
def get_digest(request: HttpRequest, week: date | None = None) -> Json:
    """The week (starting Monday) containing `week`, default this one."""
    from breakwater.publishing import cadence, clock

    member = _member(request)
    tz = member.workspace.timezone
    from zoneinfo import ZoneInfo

    day = week or clock.now().astimezone(ZoneInfo(tz)).date()
    return queries.digest(member.workspace_id, cadence.monday(day), tz)


# -- cadence targets and queue slots ----------------------------------------------------------


class CadenceIn(Schema):
    posts_per_week: int = Field(3, ge=0, le=100)
    min_interval_minutes: int = Field(240, ge=0, description="no two posts closer than this")


def _target(t: CadenceTarget) -> Json:
    return {"channel": t.channel_id, "posts_per_week": t.posts_per_week,
            "min_interval_minutes": t.min_interval_minutes}


@router.get("/cadence-targets", response=list[Json], summary="List cadence targets")
def list_cadence(request: HttpRequest) -> list[Json]:
    ws = _member(request).workspace_id
    return [_target(t) for t in CadenceTarget.objects.filter(workspace_id=ws).order_by("channel_id")]


@router.put("/cadence-targets/{int:channel_id}", response=Json, summary="Set a cadence target")
def put_cadence(request: HttpRequest, channel_id: int, body: CadenceIn) -> Json:
    return _target(actions.do_set_cadence_target(_member(request), channel_id, body.posts_per_week,
                                                 body.min_interval_minutes))


class SlotIO(Schema):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    time: time


class SlotsIn(Schema):
    slots: list[SlotIO]


@router.get("/queue-slots/{int:channel_id}", response=list[SlotIO], summary="A channel's posting slots")
def get_slots(request: HttpRequest, channel_id: int) -> Any:
    member = _member(request)
    return QueueSlot.objects.filter(workspace_id=member.workspace_id,
                                    channel_id=channel_id).order_by("weekday", "time")


@router.put("/queue-slots/{int:channel_id}", response=list[SlotIO], summary="Set posting slots")
def put_slots(request: HttpRequest, channel_id: int, body: SlotsIn) -> Any:
    return actions.do_set_queue_slots(_member(request), channel_id,
                                      [(s.weekday, s.time) for s in body.slots])


# -- campaigns, budgets, spend, pacing ---------------------------------------------------------


class CampaignIn(Schema):
    name: str
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    external_id: str = Field("", description="the network's ad campaign id (ad comments carry it)")
    starts_on: date | None = None
    ends_on: date | None = None


def _campaign(c: Campaign) -> Json:
    return {"id": c.pk, "name": c.name, "utm_source": c.utm_source, "utm_medium": c.utm_medium,
            "utm_campaign": c.utm_campaign, "external_id": c.external_id,
            "starts_on": c.starts_on.isoformat() if c.starts_on else None,
            "ends_on": c.ends_on.isoformat() if c.ends_on else None,
            "budgets": [_budget(b) for b in c.budgets.order_by("pk")]}


@router.get("/campaigns", response=list[Json], summary="List campaigns")
def list_campaigns(request: HttpRequest) -> list[Json]:
    ws = _member(request).workspace_id
    return [_campaign(c) for c in Campaign.objects.filter(workspace_id=ws).order_by("name")]


@router.post("/campaigns", response={201: Json}, summary="Create a campaign")
def create_campaign(request: HttpRequest, body: CampaignIn) -> Status[Json]:
    return Status(201, _campaign(campaigns.do_save_campaign(_member(request), body.model_dump())))


@router.get("/campaigns/{int:campaign_id}", response=Json, summary="Get a campaign")
def get_campaign(request: HttpRequest, campaign_id: int) -> Json:
    """With its budgets and the ad comments under it."""
    campaign = in_workspace(_member(request), Campaign, campaign_id, "campaign")
    data = _campaign(campaign)
    data["ad_comments"] = [{"id": m.pk, "conversation": m.conversation_id, "text": m.text,
                            "created_at": m.created_at.isoformat()}
                           for m in queries.ad_comments(campaign)]
    return data


@router.patch("/campaigns/{int:campaign_id}", response=Json, summary="Edit a campaign")
def patch_campaign(request: HttpRequest, campaign_id: int, body: CampaignIn) -> Json:
    return _campaign(campaigns.do_save_campaign(_member(request), body.model_dump(exclude_unset=True)
                                              | {"name": body.name}, campaign_id))


class BudgetIn(Schema):
    campaign: int
    channel: int
    amount: str = Field(description='a decimal, e.g. "500.00"')
    currency: str = "EUR"
    period_start: date
    period_end: date
    thresholds: list[int] = Field([80, 100], description="alert at these percentages of the amount")


def _budget(b: Budget) -> Json:
    return {"id": b.pk, "campaign": b.campaign_id, "channel": b.channel_id, "amount": str(b.amount),
            "currency": b.currency, "period_start": b.period_start.isoformat(),
            "period_end": b.period_end.isoformat(), "thresholds": b.thresholds}


@router.post("/budgets", response={201: Json}, summary="Create a budget")
def create_budget(request: HttpRequest, body: BudgetIn) -> Status[Json]:
    return Status(201, _budget(campaigns.do_create_budget(
        _member(request), body.campaign, body.channel, body.amount, body.period_start,
        body.period_end, body.currency, body.thresholds)))


class SpendIn(Schema):
    date: date
    amount: str
    source: str = Field("manual", description="manual | network")
    note: str = ""


@router.post("/budgets/{int:budget_id}/spend", response={201: Json}, summary="Add spend")
def add_spend(request: HttpRequest, budget_id: int, body: SpendIn) -> Status[Json]:
    e = campaigns.do_add_spend(_member(request), budget_id, body.date, body.amount, body.source,
                             body.note)
    return Status(201, {"id": e.pk, "date": e.date.isoformat(), "amount": str(e.amount),
                        "source": e.source, "note": e.note})


@router.get("/budgets/{int:budget_id}/pacing", response=Json, summary="Budget pacing")
def get_pacing(request: HttpRequest, budget_id: int, as_of: date | None = None) -> Json:
    """Spent vs. planned to date, projected end-of-period spend and the alerts fired
    (docs/publishing.md explains each figure)."""
    from zoneinfo import ZoneInfo

    from breakwater.publishing import clock

    member = _member(request)
    budget = in_workspace(member, Budget, budget_id, "budget")
    day = as_of or clock.now().astimezone(ZoneInfo(member.workspace.timezone)).date()
    return queries.budget_pacing(budget, day)
