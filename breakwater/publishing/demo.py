"""The demo workspace's publishing: a campaign with a budget and spend, cadence targets and
posting slots, posts published in the last days and scheduled for the coming ones."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from breakwater.core.models import Channel, Membership
from breakwater.publishing import actions, campaigns
from breakwater.publishing.actions import PostFields, VariantFields

POSTS = (  # days from today, local time, text
    (-3, time(9, 0), "Hyvää huomenta! Uusi joulupaahto on nyt kahviloissamme."),
    (-1, time(12, 30), "Hei! Kokeile piparilattea – vain joulukuun ajan."),
    (1, time(9, 0), "Hyvää huomenta! Aamun ensimmäinen kuppi on tänään puoleen hintaan klo 9 asti."),
    (1, time(10, 0), "Hei! Muistathan joulupaahdon lahjapakkaukset."),  # a burst on Instagram
    (4, time(15, 0), "Hei! Viikonlopun leivonnaisina korvapuusti ja joulutorttu."),
)


def seed(member: Membership) -> None:
    tz = ZoneInfo(member.workspace.timezone)
    channels = list(Channel.objects.filter(workspace_id=member.workspace_id, network="demo")
                    .order_by("pk")[:2])
    if not channels:
        return
    today = datetime.now(tz).date()
    campaign = campaigns.do_save_campaign(member, {
        "name": "Joulupaahto 2026", "utm_campaign": "joulupaahto26", "external_id": "demo-ads-1",
        "starts_on": today - timedelta(days=7), "ends_on": today + timedelta(days=22)})
    budget = campaigns.do_create_budget(member, campaign.pk, channels[-1].pk, "600.00",
                                      today - timedelta(days=7), today + timedelta(days=22))
    for days, amount in ((7, "25.00"), (5, "30.00"), (3, "42.50"), (1, "38.00")):
        campaigns.do_add_spend(member, budget.pk, today - timedelta(days=days), amount,
                             note="boost")
    for channel in channels:
        actions.do_set_cadence_target(member, channel.pk, 3, 240)
        actions.do_set_queue_slots(member, channel.pk, [(0, time(9)), (2, time(12)), (4, time(15))])
    for days, at, text in POSTS:
        when = datetime.combine(today + timedelta(days=days), at, tz)
        actions.do_create_post(member, PostFields(
            text=text, variants=[VariantFields(channel=c.pk) for c in channels],
            scheduled_at=when, link="https://aaltokahvi.example/joulu", campaign=campaign.pk))
