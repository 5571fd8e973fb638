"""Every metric on a small hand-built data set; the expected figures are worked out by hand
in the comments. Times are UTC unless said; the workspace is in Europe/Helsinki (UTC+2 in
winter, UTC+3 from the last Sunday of March)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from breakwater.core.actions import do_create_channel
from breakwater.core.models import AuditLog
from breakwater.inbox import actions as inbox
from breakwater.inbox.models import Conversation, Message
from breakwater.reports.metrics import Filters, compute
from breakwater.sla import actions as sla
from breakwater.test import BaseTestCase

DAY = date(2025, 3, 4)  # a Tuesday


def at(text: str) -> str:
    """"2025-03-04 10:00" (UTC) as an ISO timestamp."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).isoformat()


class MetricsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.n = 0

    def msg(self, thread: str, when: str, direction: str = "in", **extra: Any) -> dict[str, Any]:
        self.n += 1
        return self.item(thread_key=thread, external_id=f"{thread}-{self.n}", created_at=at(when),
                         direction=direction, **extra)  # fmt: skip

    def conv(self, thread: str) -> Conversation:
        return Conversation.objects.get(workspace=self.acme, thread_key=thread)

    def compute(self, key: str, start: date = DAY, end: date = DAY, **filters: Any) -> Any:
        return compute(key, Filters(self.acme.pk, start, end, **filters))

    def seed_responses(self) -> None:
        """A: in 10:00, in 10:05, out 10:30, in 11:00, out 11:10 -> waits of 30 min and 10 min
        (the wait starts at the first unanswered message, 10:00, not 10:05).
        B: in 12:00, out 14:00 -> 120 min.  C: in 13:00, never answered."""
        self.ingest(self.acme, [
            self.msg("A", "2025-03-04 10:00"), self.msg("A", "2025-03-04 10:05"),
            self.msg("A", "2025-03-04 10:30", "out"), self.msg("A", "2025-03-04 11:00"),
            self.msg("A", "2025-03-04 11:10", "out"),
            self.msg("B", "2025-03-04 12:00"), self.msg("B", "2025-03-04 14:00", "out"),
            self.msg("C", "2025-03-04 13:00"),
        ])  # fmt: skip

    def test_response_rate_is_answered_conversations_over_asking_ones(self) -> None:
        self.seed_responses()
        result = self.compute("response_rate")
        # A and B answered, C not: 2 / 3.
        self.assertAlmostEqual(result.value, 2 / 3)
        self.assertEqual(result.series, [{"date": "2025-03-04", "value": 2 / 3}])

    def test_first_response_time_median_and_p90(self) -> None:
        self.seed_responses()
        # Waits in seconds, sorted: 600 (A's second), 1800 (A's first), 7200 (B).
        self.assertEqual(self.compute("first_response_time").value, 1800)
        # p90: position 0.9 x (3 - 1) = 1.8 -> 1800 + 0.8 x (7200 - 1800) = 6120.
        self.assertAlmostEqual(self.compute("first_response_time_p90").value, 6120)

    def test_an_even_number_of_waits_has_the_mean_of_the_middle_two_as_median(self) -> None:
        self.ingest(self.acme, [self.msg("A", "2025-03-04 10:00"),
                                self.msg("A", "2025-03-04 10:10", "out"),
                                self.msg("B", "2025-03-04 10:00"),
                                self.msg("B", "2025-03-04 10:30", "out")])  # fmt: skip
        # (600 + 1800) / 2 = 1200.
        self.assertEqual(self.compute("first_response_time").value, 1200)

    def test_a_reply_held_for_approval_or_failed_is_not_a_response(self) -> None:
        self.ingest(self.acme, [self.msg("A", "2025-03-04 10:00"),
                                self.msg("A", "2025-03-04 10:10", "out"),
                                self.msg("A", "2025-03-04 10:20", "out")])  # fmt: skip
        first_out = Message.objects.filter(direction="out").order_by("created_at").first()
        Message.objects.filter(pk=first_out.pk).update(delivery_state="failed")
        # The failed 10:10 reply does not count: 10:00 -> 10:20 = 1200 s.
        self.assertEqual(self.compute("first_response_time").value, 1200)

    def test_first_response_across_a_weekend_counts_business_hours_only(self) -> None:
        sla.do_set_business_hours(self.alice, sla.HoursChange(
            week=[[["08:00", "16:00"]]] * 5 + [[], []], finnish_holidays=True))  # fmt: skip
        # Friday 27.11.2026 15:30 Helsinki (13:30 UTC) -> Monday 30.11. 08:45 (06:45 UTC):
        # 30 minutes on Friday + 45 minutes on Monday = 75 min = 4500 s.
        self.ingest(self.acme, [self.msg("W", "2026-11-27 13:30"),
                                self.msg("W", "2026-11-30 06:45", "out")])  # fmt: skip
        result = self.compute("first_response_time", date(2026, 11, 27), date(2026, 11, 27))
        self.assertEqual(round(result.value), 4500)
        self.assertEqual(result.rows, [{"business_hours": True}])

    def test_without_business_hours_times_are_wall_clock(self) -> None:
        self.ingest(self.acme, [self.msg("W", "2026-11-27 13:30"),
                                self.msg("W", "2026-11-30 06:45", "out")])  # fmt: skip
        # 27.11. 13:30 -> 30.11. 06:45 = 2 days 17 h 15 min = 235 800 s.
        result = self.compute("first_response_time", date(2026, 11, 27), date(2026, 11, 27))
        self.assertEqual(round(result.value), 2 * 86400 + 17 * 3600 + 15 * 60)

    def _done(self, thread: str, when: str) -> None:
        inbox.do_set_status(self.alice, self.conv(thread).pk, "done")
        last = AuditLog.objects.filter(action="conversation.updated").latest("id")
        AuditLog.objects.filter(pk=last.pk).update(created_at=datetime.fromisoformat(at(when)))

    def test_resolution_time_of_a_conversation_reopened_twice(self) -> None:
        # in 08:00, done 09:00 (3600 s); a new message 10:00 reopens it, done 10:30 (1800 s);
        # 12:00 reopens again, done 14:00 (7200 s). Three resolutions: median 3600.
        self.ingest(self.acme, [self.msg("R", "2025-03-04 08:00")])
        self._done("R", "2025-03-04 09:00")
        self.ingest(self.acme, [self.msg("R", "2025-03-04 10:00")])
        self.assertEqual(self.conv("R").status, "open")
        self._done("R", "2025-03-04 10:30")
        self.ingest(self.acme, [self.msg("R", "2025-03-04 12:00")])
        self._done("R", "2025-03-04 14:00")
        result = self.compute("resolution_time")
        self.assertEqual(round(result.value), 3600)
        self.assertEqual(result.rows, [{"resolutions": 3}])

    def test_closing_again_without_a_new_message_is_not_another_resolution(self) -> None:
        self.ingest(self.acme, [self.msg("R", "2025-03-04 08:00")])
        self._done("R", "2025-03-04 09:00")
        inbox.do_set_status(self.alice, self.conv("R").pk, "open")
        self._done("R", "2025-03-04 11:00")
        result = self.compute("resolution_time")
        self.assertEqual((round(result.value), result.rows), (3600, [{"resolutions": 1}]))

    def test_imported_history_gives_past_figures(self) -> None:
        # Last June, through the public API, replies made in the network's app (direction out):
        # X: in 09:00 -> out 09:20 (1200 s); Y: in 10:00 -> out 11:00 (3600 s); Z: in 12:00.
        items = [self.msg("X", "2024-06-10 09:00"), self.msg("X", "2024-06-10 09:20", "out"),
                 self.msg("Y", "2024-06-10 10:00"), self.msg("Y", "2024-06-10 11:00", "out"),
                 self.msg("Z", "2024-06-10 12:00")]  # fmt: skip
        r = self.api("POST", "/api/v1/ingest", self.alice_token, json=items)
        self.assertEqual(r.status_code, 200, r.content)
        june = {"start": date(2024, 6, 10), "end": date(2024, 6, 10)}
        self.assertEqual(self.compute("inbound_volume", **june).value, 3)
        self.assertAlmostEqual(self.compute("response_rate", **june).value, 2 / 3)
        self.assertEqual(self.compute("first_response_time", **june).value, 2400)  # (1200+3600)/2
        body = self.api("GET", "/api/v1/reports/first_response_time?start=2024-06-10&end=2024-06-10",
                        self.vera_token).json()  # fmt: skip
        self.assertEqual(body["value"], 2400)
        self.assertEqual(body["series"], [{"date": "2024-06-10", "value": 2400}])

    def test_filters_by_channel_network_tag_and_member(self) -> None:
        second = do_create_channel(self.alice, "demo", "Second", {"handle": "second"})
        self.seed_responses()
        self.ingest(self.acme, [self.msg("S", "2025-03-04 09:00", channel=second.pk),
                                self.msg("S", "2025-03-04 09:05", "out", channel=second.pk)])  # fmt: skip
        inbox.do_tag(self.alice, self.conv("B").pk, ["vip"])
        inbox.do_assign(self.alice, self.conv("C").pk, self.bob.user_id)
        tag = self.conv("B").tags.get().pk
        # Inbound: A 3, B 1, C 1 on the first channel; S 1 on the second.
        self.assertEqual(self.compute("inbound_volume").value, 6)
        self.assertEqual(self.compute("inbound_volume", channel_id=second.pk).value, 1)
        self.assertEqual(self.compute("inbound_volume", network="demo").value, 6)
        self.assertEqual(self.compute("inbound_volume", network="facebook").value, 0)
        self.assertEqual(self.compute("inbound_volume", tag_id=tag).value, 1)
        self.assertEqual(self.compute("inbound_volume", member_id=self.bob.user_id).value, 1)
        # Second channel: S answered after 5 min. Tag vip: B, 7200 s. Bob's: C, unanswered.
        self.assertEqual(self.compute("first_response_time", channel_id=second.pk).value, 300)
        self.assertEqual(self.compute("first_response_time", tag_id=tag).value, 7200)
        self.assertEqual(self.compute("response_rate", member_id=self.bob.user_id).value, 0)
        self.assertIsNone(self.compute("first_response_time", member_id=self.bob.user_id).value)

    def test_days_are_local_days_in_helsinki_across_dst(self) -> None:
        self.ingest(self.acme, [
            self.msg("T1", "2025-03-02 21:59"),  # 23:59 on 2.3. in Helsinki (UTC+2)
            self.msg("T2", "2025-03-02 22:00"),  # 00:00 on 3.3.
            self.msg("T3", "2025-03-29 22:30"),  # 00:30 on 30.3. (still UTC+2)
            self.msg("T4", "2025-03-30 21:30"),  # 00:30 on 31.3. (UTC+3 since 03:00 -> 04:00)
            self.msg("T5", "2025-03-30 20:59"),  # 23:59 on 30.3.
        ])  # fmt: skip
        march = self.compute("inbound_volume", date(2025, 3, 2), date(2025, 3, 3))
        self.assertEqual(march.series, [{"date": "2025-03-02", "value": 1},
                                        {"date": "2025-03-03", "value": 1}])  # fmt: skip
        dst = self.compute("inbound_volume", date(2025, 3, 30), date(2025, 3, 31))
        self.assertEqual(dst.series, [{"date": "2025-03-30", "value": 2},
                                      {"date": "2025-03-31", "value": 1}])  # fmt: skip
        # The heat map in local hours: T4 is Monday 00:xx, T5 Sunday 23:xx.
        cells = {(r["weekday"], r["hour"]): r["count"]
                 for r in self.compute("inbound_heatmap", date(2025, 3, 30), date(2025, 3, 31)).rows
                 if r["count"]}  # fmt: skip
        self.assertEqual(cells, {(7, 0): 1, (7, 23): 1, (1, 0): 1})

    def test_volume_by_kind_and_network(self) -> None:
        self.ingest(self.acme, [self.msg("K1", "2025-03-04 10:00", kind="dm"),
                                self.msg("K2", "2025-03-04 10:00", kind="dm"),
                                self.msg("K3", "2025-03-04 10:00", kind="review")])  # fmt: skip
        kinds = self.compute("inbound_by_kind")
        self.assertEqual(kinds.value, 3)
        self.assertEqual([(r["kind"], r["count"]) for r in kinds.rows], [("dm", 2), ("review", 1)])
        self.assertAlmostEqual(kinds.rows[0]["share"], 2 / 3)
        self.assertEqual(self.compute("inbound_by_network").rows,
                         [{"network": "demo", "count": 3, "share": 1.0}])  # fmt: skip

    def test_replies_and_response_times_per_agent(self) -> None:
        self.seed_responses()
        # C gets a reply from Bob through Breakwater at 13:20 (20 min, 1200 s).
        message, _ = inbox.do_reply(self.bob, self.conv("C").pk, "Hello!")
        Message.objects.filter(pk=message.pk).update(
            created_at=datetime.fromisoformat(at("2025-03-04 13:20")))
        replies = self.compute("replies_per_agent")
        # Outbound on the day: A 2, B 1 (imported, no sender) + Bob's 1 = 4.
        self.assertEqual(replies.value, 4)
        self.assertEqual([(r["agent"], r["replies"]) for r in replies.rows],
                         [(None, 3), (self.bob.user_id, 1)])  # fmt: skip
        only_bob = self.compute("replies_per_agent", member_id=self.bob.user_id)
        self.assertEqual(only_bob.value, 1)
        times = self.compute("agent_response_times")
        # Outside Breakwater: 600, 1800, 7200 -> median 1800; Bob: 1200.
        rows = {r["agent"]: (r["waits"], r["median_seconds"]) for r in times.rows}
        self.assertEqual(rows, {None: (3, 1800), self.bob.user_id: (1, 1200)})
        # All four: 600, 1200, 1800, 7200 -> (1200 + 1800) / 2 = 1500.
        self.assertEqual(times.value, 1500)

    def test_backlog_at_each_day_end(self) -> None:
        # 3.3. 10:00 a question, answered 5.3. 09:00; 4.3. 10:00 another, never answered.
        self.ingest(self.acme, [self.msg("B1", "2025-03-03 10:00"),
                                self.msg("B1", "2025-03-05 09:00", "out"),
                                self.msg("B2", "2025-03-04 10:00")])  # fmt: skip
        result = self.compute("backlog", date(2025, 3, 3), date(2025, 3, 5))
        # End of 3.3.: B1 waiting (1); 4.3.: B1 and B2 (2); 5.3.: B2 (1).
        self.assertEqual([p["value"] for p in result.series], [1, 2, 1])
        self.assertEqual(result.value, 1)

    def test_sla_attainment(self) -> None:
        sla.do_create_target(self.alice, sla.TargetChange(minutes=60, business_hours=False))
        self.seed_responses()
        # 60 min target: A's 30 and 10 min met, B's 120 min missed, C (13:00, never answered,
        # long past due) missed: 2 / 4.
        result = self.compute("sla_attainment")
        self.assertEqual(result.value, 0.5)
        self.assertEqual(result.rows, [{"met": 2, "missed": 2, "targets": 1}])

    def test_sla_attainment_picks_the_target_by_the_conversations_priority(self) -> None:
        from breakwater.inbox.models import Priority

        sla.do_create_target(self.alice, sla.TargetChange(minutes=60, business_hours=False))
        sla.do_create_target(self.alice, sla.TargetChange(
            minutes=15, priority=Priority.URGENT, business_hours=False))  # fmt: skip
        self.seed_responses()
        inbox.do_set_priority(self.alice, self.conv("A").pk, Priority.URGENT)
        # A is urgent (15 min): its 30 min wait missed, its 10 min one met. B (120 min)
        # and C (never answered) miss the 60 min target: 1 met of 4.
        result = self.compute("sla_attainment")
        self.assertEqual(result.rows, [{"met": 1, "missed": 3, "targets": 2}])
        self.assertEqual(result.value, 0.25)

    def test_sentiment_share_and_trend(self) -> None:
        self.ingest(self.acme, [self.msg(f"S{i}", "2025-03-04 10:00") for i in range(5)])
        ids = list(Message.objects.filter(workspace=self.acme).order_by("id").values_list("pk", flat=True))
        for pk, value in zip(ids, ["positive", "positive", "negative", "neutral"], strict=False):
            inbox.do_correct_message(self.alice, pk, sentiment=value)
        # The fifth is unscored. Scored 4: positive 2/4 = 0.5; net (2 - 1) / 4 = 0.25.
        share = self.compute("sentiment_share")
        self.assertEqual(share.value, 0.5)
        self.assertEqual([(r["sentiment"], r["count"]) for r in share.rows],
                         [("positive", 2), ("neutral", 1), ("negative", 1)])  # fmt: skip
        self.assertEqual(self.compute("sentiment_trend").value, 0.25)

    def test_top_tags_and_feedback_categories(self) -> None:
        from breakwater.feedback import actions as feedback

        self.seed_responses()
        inbox.do_tag(self.alice, self.conv("A").pk, ["order", "vip"])
        inbox.do_tag(self.alice, self.conv("B").pk, ["order"])
        tags = self.compute("top_tags")
        # order on A and B (2), vip on A (1); tagged conversations: A, B = 2.
        self.assertEqual([(r["name"], r["conversations"]) for r in tags.rows],
                         [("order", 2), ("vip", 1)])  # fmt: skip
        self.assertEqual(tags.value, 2)
        bug = feedback.do_create_category(self.alice, "Bug report")
        inbound = Message.objects.filter(workspace=self.acme, direction="in").order_by("id")
        feedback.do_tag_feedback(self.alice, inbound[0].pk, bug.pk)
        feedback.do_tag_feedback(self.alice, inbound[1].pk, bug.pk)
        today = datetime.now(UTC).date()
        cats = self.compute("feedback_categories", today, today)
        self.assertEqual((cats.value, [(r["name"], r["count"]) for r in cats.rows]),
                         (2, [("Bug report", 2)]))  # fmt: skip

    def test_top_questions_groups_by_leading_keywords(self) -> None:
        texts = ["#delivery #late where is my parcel?", "#late #delivery still nothing?",
                 "#delivery #late? ", "#refund #money when do I get it?", "Thanks, all good."]
        self.ingest(self.acme, [self.msg(f"Q{i}", "2025-03-04 10:00", text=t)
                                for i, t in enumerate(texts)])  # fmt: skip
        result = self.compute("top_questions")
        # Four have a question mark; three lead with delivery + late in some order.
        self.assertEqual(result.value, 4)
        self.assertEqual(result.rows[0]["count"], 3)
        self.assertIn("delivery", result.rows[0]["keywords"])
        self.assertEqual(result.rows[1]["count"], 1)

    def test_sla_attainment_in_business_hours(self) -> None:
        sla.do_set_business_hours(self.alice, sla.HoursChange(
            week=[[["08:00", "16:00"]]] * 5 + [[], []], finnish_holidays=False))  # fmt: skip
        sla.do_create_target(self.alice, sla.TargetChange(minutes=60, business_hours=True))
        # Helsinki is UTC+2 in November. Target: 60 business minutes.
        # F: Fri 27.11.2026 15:30 -> Mon 08:20: 30 + 20 = 50 business minutes: met.
        # G: Fri 15:30 -> Mon 09:00: 30 + 60 = 90: missed.
        self.ingest(self.acme, [self.msg("F", "2026-11-27 13:30"),
                                self.msg("F", "2026-11-30 06:20", "out"),
                                self.msg("G", "2026-11-27 13:30"),
                                self.msg("G", "2026-11-30 07:00", "out")])  # fmt: skip
        result = self.compute("sla_attainment", date(2026, 11, 27), date(2026, 11, 27))
        self.assertEqual(result.value, 0.5)
        self.assertEqual(result.rows, [{"met": 1, "missed": 1, "targets": 1}])
        # The times themselves: 3000 s and 5400 s, median 4200.
        self.assertEqual(round(self.compute("first_response_time", date(2026, 11, 27),
                                            date(2026, 11, 27)).value), 4200)  # fmt: skip

    def test_business_hours_across_utc_midnight(self) -> None:
        # Open Sunday 22:00-24:00 and Monday 00:00-06:00 in Helsinki (UTC+2): in UTC, Sunday
        # 20:00 to Monday 04:00, cut at UTC midnight. Asked Sunday 29.11.2026 23:00 (21:00
        # UTC), answered Monday 05:00 (03:00 UTC): 1 h on Sunday + 5 h on Monday = 21 600 s.
        sla.do_set_business_hours(self.alice, sla.HoursChange(
            week=[[["00:00", "06:00"]], [], [], [], [], [], [["22:00", "24:00"]]],
            finnish_holidays=False))  # fmt: skip
        self.ingest(self.acme, [self.msg("N", "2026-11-29 21:00"),
                                self.msg("N", "2026-11-30 03:00", "out")])  # fmt: skip
        result = self.compute("first_response_time", date(2026, 11, 29), date(2026, 11, 29))
        self.assertEqual(round(result.value), 6 * 3600)

    def test_a_day_with_many_intervals_uses_the_interval_list(self) -> None:
        # Five intervals on Monday (more than the day table's four slots).
        monday = [["08:00", "09:00"], ["10:00", "11:00"], ["12:00", "13:00"],
                  ["14:00", "15:00"], ["16:00", "17:00"]]  # fmt: skip
        sla.do_set_business_hours(self.alice, sla.HoursChange(
            week=[monday] + [[]] * 6, finnish_holidays=False))  # fmt: skip
        # Mon 30.11.2026 08:30 Helsinki -> 14:30: 30 + 60 + 60 + 30 minutes = 180 min.
        self.ingest(self.acme, [self.msg("M", "2026-11-30 06:30"),
                                self.msg("M", "2026-11-30 12:30", "out")])  # fmt: skip
        result = self.compute("first_response_time", date(2026, 11, 30), date(2026, 11, 30))
        self.assertEqual(round(result.value), 180 * 60)

    def test_conversations_behind_a_figure(self) -> None:
        from breakwater.reports.metrics import conversations_behind

        self.seed_responses()
        f = Filters(self.acme.pk, DAY, DAY)
        ids = {self.conv(t).pk: t for t in "ABC"}
        self.assertEqual({ids[i] for i in conversations_behind("first_response_time", f)},
                         {"A", "B", "C"})  # fmt: skip
        self.assertEqual([ids[i] for i in conversations_behind("backlog", f)], ["C"])
        self.assertEqual({ids[i] for i in conversations_behind("replies_per_agent", f)}, {"A", "B"})
        self.assertEqual(conversations_behind("inbound_volume", f, day=date(2025, 3, 5)), [])


class QuestionIndexTestCase(BaseTestCase):
    """top_questions states its condition as the partial index ``msg_questions`` does: a
    database uses a partial index only for a query that repeats its condition, so the two
    must not drift apart."""

    def test_the_question_condition_can_use_the_partial_index(self) -> None:
        from django.db import connection

        from breakwater.reports.metrics.base import is_postgres
        from breakwater.reports.metrics.content import _asks

        where = f"m.workspace_id = %s AND {_asks()}"
        with connection.cursor() as cursor:
            if is_postgres():
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_bitmapscan = off")
                cursor.execute(f"EXPLAIN SELECT m.id FROM inbox_message m WHERE {where}", [1])
            else:
                # INDEXED BY fails ("no query solution") when the index cannot serve the query.
                cursor.execute("EXPLAIN QUERY PLAN SELECT m.id FROM inbox_message m "
                               f"INDEXED BY msg_questions WHERE {where}", [1])
            plan = " ".join(str(row) for row in cursor.fetchall())
        self.assertIn("msg_questions", plan)
