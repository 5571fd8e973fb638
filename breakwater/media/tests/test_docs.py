from pathlib import Path
from unittest import TestCase

from breakwater.media import rules

DOC = Path(__file__).resolve().parents[3] / "docs" / "media-rules.md"


class DocsTestCase(TestCase):
    def test_the_documented_table_matches_the_rules(self) -> None:
        text = DOC.read_text()
        self.assertEqual(
            rules.update_doc(text), text,
            "docs/media-rules.md is out of date: run python -m breakwater.media.rules",
        )
        for rule in rules.RULES:
            self.assertIn(f"| {rule.network} | {rule.placement} |", text)
        for code in rules.CODES:
            self.assertIn(f"`{code}`", text)
