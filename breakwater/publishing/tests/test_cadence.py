"""Cadence on a seeded month: gaps (a week below target) and bursts (two posts too close)
are flagged on the right days, in the calendar API and in the pure module."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from breakwater.core.actions import do_create_channel
from breakwater.publishing import actions, cadence
from breakwater.publishing.actions import PostFields, VariantFields
from breakwater.test import BaseTestCase

HELSINKI = ZoneInfo("Europe/Helsinki")
# November 2026 on Instagram, target 3 a week and never two within 4 hours (local times).
MONTH = [
    (3, 10, 0), (5, 10, 0), (7, 10, 0),  # week of the 2nd: three, fine
    (10, 10, 0), (10, 12, 0), (13, 10, 0),  # week of the 9th: three, two of them 2 h apart
    (18, 10, 0),  # week of the 16th: one (a gap)
    (29, 23, 30),  # week of the 23rd: one (a gap) ...
    (30, 1, 0),  # ... and 90 minutes later, on Monday the 30th: a burst across the weeks
]


class CadenceTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.instagram = do_create_channel(cls.alice, "demo", "Instagram", {"handle": "acme"})
        actions.do_set_cadence_target(cls.alice, cls.instagram.pk, 3, 240)
        cls.posts = [
            actions.do_create_post(cls.bob, PostFields(
                text=f"Postaus {d}.11. klo {h}", variants=[VariantFields(channel=cls.instagram.pk)],
                scheduled_at=datetime(2026, 11, d, h, m)))  # noqa: DTZ001 (Helsinki time)
            for d, h, m in MONTH
        ]
        # A draft with a time does not count, nor does a channel without a target.
        actions.do_create_post(cls.bob, PostFields(
            text="Luonnos", variants=[VariantFields(channel=cls.instagram.pk)]))
        actions.do_create_post(cls.bob, PostFields(
            text="Muualla", variants=[VariantFields(channel=cls.channel.pk)],
            scheduled_at=datetime(2026, 11, 10, 10, 30)))  # noqa: DTZ001

    def test_it_flags_the_right_days_of_the_month(self) -> None:
        response = self.api("GET", "/api/v1/calendar?start=2026-11-01&end=2026-11-30",
                            self.vera_token)
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        flags = [(f["kind"], f["date"], f["count"]) for f in data["flags"]]
        self.assertEqual(flags, [
            ("burst", "2026-11-10", 0),
            ("gap", "2026-11-16", 1),
            ("gap", "2026-11-23", 1),
            ("burst", "2026-11-30", 0),
        ])
        bursts = [f for f in data["flags"] if f["kind"] == "burst"]
        self.assertEqual([b["minutes"] for b in bursts], [120, 90])
        self.assertEqual(bursts[0]["posts"], [self.posts[3].pk, self.posts[4].pk])
        marked = {p["id"] for p in data["posts"] if "burst" in p["cadence"]}
        self.assertEqual(marked, {p.pk for p in (self.posts[3], self.posts[4], self.posts[7],
                                                 self.posts[8])})
        self.assertEqual(len(data["posts"]), len(MONTH) + 1, "the other channel's post is listed")

    def test_a_week_only_partly_in_the_range_is_not_a_gap(self) -> None:
        data = self.api("GET", "/api/v1/calendar?start=2026-11-18&end=2026-11-24",
                        self.vera_token).json()
        self.assertEqual([f["kind"] for f in data["flags"]], [])

    def test_the_weekly_digest_counts_posts_against_the_target(self) -> None:
        data = self.api("GET", "/api/v1/publishing/digest?week=2026-11-18", self.vera_token).json()
        self.assertEqual(data["week_start"], "2026-11-16")
        rows = {r["name"]: (r["posts"], r["target"]) for r in data["channels"]}
        self.assertEqual(rows["Instagram"], (1, 3))
        self.assertEqual([f["kind"] for f in data["flags"]], ["gap"])

    def test_another_workspace_sees_none_of_it(self) -> None:
        data = self.api("GET", "/api/v1/calendar?start=2026-11-01&end=2026-11-30",
                        self.charlie_token).json()
        self.assertEqual((data["posts"], data["flags"]), ([], []))

    def test_managers_get_the_weekly_digest_once_on_monday_morning(self) -> None:
        from django.core import mail

        from breakwater.publishing.digest import send_weekly_digests

        sunday = datetime(2026, 11, 15, 20, 0, tzinfo=HELSINKI)
        early = datetime(2026, 11, 16, 7, 59, tzinfo=HELSINKI)
        monday = datetime(2026, 11, 16, 8, 5, tzinfo=HELSINKI)
        self.assertEqual(send_weekly_digests(sunday) + send_weekly_digests(early), 0)
        self.assertEqual(send_weekly_digests(monday), 1)
        self.assertEqual(send_weekly_digests(monday), 0, "once a week")
        [message] = mail.outbox
        self.assertEqual(message.to, ["alice@example.org"])
        self.assertIn("Instagram: 1 / 3", message.body)
        self.assertIn("Instagram: only 1 of 3 posts this week", message.body)
        self.assertIn("/publishing/digest/?week=2026-11-16", message.body)


class PureCadenceTestCase(BaseTestCase):
    def test_it_flags_a_burst_on_the_later_posts_local_date(self) -> None:
        at = [datetime(2026, 3, 1, 23, 0, tzinfo=HELSINKI), datetime(2026, 3, 2, 0, 30, tzinfo=HELSINKI)]
        slots = [cadence.Slot(i, 7, moment) for i, moment in enumerate(at)]
        found = cadence.flags(slots, {7: cadence.Target(0, 240)}, "Europe/Helsinki",
                              date(2026, 3, 1), date(2026, 3, 31))
        self.assertEqual([(f.kind, f.date) for f in found], [("burst", date(2026, 3, 2))])

