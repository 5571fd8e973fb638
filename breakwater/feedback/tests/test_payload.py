"""The forward's text and webhook body, on plain values."""

from datetime import UTC, datetime
from unittest import TestCase

from breakwater.feedback.payload import (
    MAX_ITEMS_IN_BLOCKS,
    ForwardContent,
    ForwardItem,
    plain_text,
    webhook_body,
)


def item(**kw: object) -> ForwardItem:
    values = {
        "text": "Hinta <b>liian</b> korkea & kallis",
        "author": "Matti",
        "network": "facebook",
        "channel": "Acme FB",
        "category": "Product",
        "note": "",
        "link": "https://bw.example/c/1/#m2",
        "created_at": datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
    } | kw
    return ForwardItem(**values)  # type: ignore[arg-type]


class PayloadTestCase(TestCase):
    def test_the_text_carries_everything(self) -> None:
        content = ForwardContent(
            "Feedback from Acme: Product", "FYI", "Bob", [item(note="3rd time")]
        )
        text = plain_text(content)
        for expected in (
            "Feedback from Acme: Product",
            "Forwarded by Bob",
            "Comment: FYI",
            "> Hinta <b>liian</b> korkea & kallis",
            "Note: 3rd time",
            "Conversation: https://bw.example/c/1/#m2",
            "Matti on facebook (Acme FB)",
        ):
            self.assertIn(expected, text)

    def test_blocks_escape_slack_markup_and_link_back(self) -> None:
        body = webhook_body(ForwardContent("T", "", "Bob", [item()]))
        section = body["blocks"][3]["text"]["text"]
        self.assertIn("&lt;b&gt;liian&lt;/b&gt; korkea &amp; kallis", section)
        self.assertIn("<https://bw.example/c/1/#m2|Open the conversation>", section)
        self.assertEqual(body["breakwater"]["items"][0]["created_at"], "2026-11-30T10:00:00+00:00")

    def test_a_large_group_stays_within_slacks_limits(self) -> None:
        body = webhook_body(ForwardContent("T", "", "Bob", [item() for _ in range(45)]))
        self.assertLessEqual(len(body["blocks"]), 50)
        sections = [b for b in body["blocks"] if b["type"] == "section"]
        self.assertEqual(len(sections), MAX_ITEMS_IN_BLOCKS)
        self.assertIn("25 more", body["blocks"][-1]["elements"][0]["text"])
        self.assertEqual(body["text"].count("Conversation: "), 45)
