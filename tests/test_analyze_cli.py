"""`breakwater analyze`: texts on stdin, one JSON object per line out."""

import contextlib
import io
import json
from unittest import mock

from django.test import SimpleTestCase

from breakwater.commands import run_cli

KEYS = {
    "language",
    "language_confidence",
    "sentiment",
    "sentiment_score",
    "spam",
    "spam_reasons",
    "abusive",
    "abuse_reasons",
    "lemmas",
    "keywords",
}


class AnalyzeCliTestCase(SimpleTestCase):
    def run_analyze(self, stdin: str, *argv: str) -> tuple[int, list[dict]]:
        out = io.StringIO()
        with mock.patch("sys.stdin", io.StringIO(stdin)), contextlib.redirect_stdout(out):
            code = run_cli(["analyze", *argv])
        return code, [json.loads(line) for line in out.getvalue().splitlines()]

    def test_it_prints_one_json_object_per_line(self) -> None:
        code, rows = self.run_analyze(
            "Ei ollut hyvä, kahvi oli kylmää 😡\n"
            "Thanks so much for the quick help! 🙏\n"
            "😍😍\n"
            "FREE BITCOIN airdrop, claim now https://claim-airdrop.xyz/x\n"
        )
        self.assertEqual(code, 0)
        self.assertEqual(len(rows), 4)
        for row in rows:
            self.assertEqual(set(row), KEYS)
            self.assertIn(row["sentiment"], {"positive", "neutral", "negative"})
            self.assertTrue(-1.0 <= row["sentiment_score"] <= 1.0)
            self.assertIsInstance(row["lemmas"], list)
            self.assertIsInstance(row["keywords"], list)
        fi, en, emoji, spam = rows
        self.assertEqual((fi["language"], fi["sentiment"]), ("fi", "negative"))
        self.assertIn("kahvi", fi["keywords"])
        self.assertEqual((en["language"], en["sentiment"]), ("en", "positive"))
        self.assertEqual((emoji["language"], emoji["language_confidence"]), ("und", 0.0))
        self.assertEqual(emoji["sentiment"], "positive")
        self.assertTrue(spam["spam"])
        self.assertIn("look-alike domain: claim-airdrop.xyz", spam["spam_reasons"])

    def test_it_restricts_languages_and_keeps_empty_lines(self) -> None:
        code, rows = self.run_analyze("Miks ette vastaa?\n\n", "--languages", "fi,sv,en")
        self.assertEqual(code, 0)
        self.assertEqual([r["language"] for r in rows], ["fi", "und"])
        self.assertEqual(rows[1]["sentiment"], "neutral")
