"""The pure part: rule bodies, their errors, and matching on plain facts."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.test import SimpleTestCase

from breakwater.analysis.lemmas import lemmas
from breakwater.automation.rules import (
    CHECKS,
    Conditions,
    Facts,
    RuleError,
    evaluate,
    in_window,
    parse_body,
)


def parse_conditions(data: dict) -> Conditions:
    return parse_body(data, []).conditions


def facts(text: str = "Kiitos palautteesta!", **kw: object) -> Facts:
    base: dict = {
        "network": "demo", "channel_id": 1, "kind": "comment", "text": text,
        "search_text": " ".join(lemmas(text, "fi")), "language": "fi", "sentiment": "",
        "created_at": datetime(2025, 3, 3, 6, 30, tzinfo=UTC), "timezone": "Europe/Helsinki",
    }
    base.update(kw)
    return Facts(**base)


class RuleBodyTestCase(SimpleTestCase):
    def test_errors_name_every_field(self) -> None:
        with self.assertRaises(RuleError) as caught:
            parse_body({"kinds": ["tweet"], "time": {"start": "8"}, "languages": ["finnish"]},
                       [{"type": "assign"}, {"type": "forward"}, {"type": "priority"}])
        fields = [p["field"] for p in caught.exception.problems]
        self.assertEqual(fields, ["conditions.kinds.0", "conditions.languages",
                                  "conditions.time.start", "actions.0",
                                  "actions.1.destination", "actions.2.priority"])
        self.assertTrue(str(caught.exception).startswith("conditions.kinds.0: "))

    def test_unknown_conditions_are_refused(self) -> None:
        with self.assertRaises(RuleError) as caught:
            parse_conditions({"moon_phase": "full"})
        self.assertEqual(caught.exception.problems[0]["field"], "conditions.moon_phase")

    def test_a_query_needs_words(self) -> None:
        with self.assertRaises(RuleError):
            parse_conditions({"text": "!!!"})

    def test_every_condition_field_has_a_check(self) -> None:
        self.assertEqual(set(CHECKS), set(Conditions.model_fields))


class MatchingTestCase(SimpleTestCase):
    def check(self, conditions: dict, **kw: object) -> bool | None:
        return evaluate(parse_conditions(conditions), facts(**kw))

    def test_no_conditions_match_everything(self) -> None:
        self.assertTrue(self.check({}))

    def test_text_uses_the_search_rules(self) -> None:
        self.assertTrue(self.check({"text": "palaute"}))
        self.assertTrue(self.check({"text": "palaut*"}))
        self.assertFalse(self.check({"text": "palaute hinta"}))

    def test_sentiment_is_unknown_until_scored_unless_another_condition_fails(self) -> None:
        self.assertIsNone(self.check({"sentiments": ["negative"]}))
        self.assertFalse(self.check({"sentiments": ["negative"], "kinds": ["dm"]}))
        self.assertTrue(self.check({"sentiments": ["negative"]}, sentiment="negative"))
        self.assertFalse(self.check({"sentiments": ["negative"]}, sentiment="positive"))

    def test_language_und_covers_unknown(self) -> None:
        self.assertTrue(self.check({"languages": ["und"]}, language=""))
        self.assertTrue(self.check({"languages": ["fi"]}, language="fi"))

    def test_handles_ignore_case_and_the_at_sign(self) -> None:
        self.assertTrue(self.check({"contact": {"handles": ["@Maija"]}}, handle="maija"))
        self.assertTrue(self.check({"contact": {"handles": ["u-7"]}}, author_external_id="U-7"))
        self.assertFalse(self.check({"contact": {"handles": ["x"]}}, handle="maija"))

    def test_time_windows(self) -> None:
        self.assertTrue(in_window(time(8, 30), "08:00", "16:00"))
        self.assertFalse(in_window(time(16, 0), "08:00", "16:00"))
        self.assertTrue(in_window(time(23, 0), "22:00", "06:00"))
        self.assertTrue(in_window(time(5, 59), "22:00", "06:00"))
        self.assertFalse(in_window(time(12, 0), "22:00", "06:00"))
        self.assertTrue(in_window(time(0, 0), None, None))
        # 06:30 UTC on Monday is 08:30 Monday in Helsinki.
        self.assertTrue(self.check({"time": {"start": "08:00", "weekdays": [0]}}))
        self.assertFalse(self.check({"time": {"end": "08:00"}}))
