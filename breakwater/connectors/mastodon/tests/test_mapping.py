"""Mastodon's documented payloads (fixtures/) as items, and how Mastodon counts length."""

import json
from datetime import UTC, datetime
from pathlib import Path

import requests
from django.test import SimpleTestCase
from mastodon import MastodonNetworkError

from breakwater.connectors.base import ConnectorError
from breakwater.connectors.mastodon import mapping
from breakwater.connectors.mastodon.connector import MastodonConnector

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


class ItemTestCase(SimpleTestCase):
    def test_a_reply_mention_becomes_a_public_mention_under_its_root(self) -> None:
        status = fixture("notification_reply_mention.json")["status"]
        item = mapping.status_item(status, network="mastodon", channel=7, root_id="113585002211000001",
                                   notification_id="40512377")
        self.assertEqual((item.external_id, item.kind, item.channel), ("113585110432786401", "mention", 7))
        self.assertEqual((item.thread_key, item.parent_external_id),
                         ("113585002211000001", "113585002211000001"))
        self.assertTrue(item.is_public)
        self.assertEqual(item.created_at, datetime(2026, 11, 30, 8, 15, 1, 940000, tzinfo=UTC))
        self.assertEqual(item.text, "Reklamaatio\n\n@aalto Paketti tuli rikki & kahvit levällään.\n\n"
                                    "Kuva: https://toot.example/kuva\nMitä nyt?")
        self.assertNotIn("<script", item.html or "")
        self.assertEqual(item.author.external_id, "https://toot.example/@maija")
        self.assertEqual((item.author.handle, item.author.name), ("@maija@toot.example", "Maija Meikäläinen"))
        self.assertEqual(item.media[0]["description"], "Rikkinäinen paketti")
        self.assertEqual(item.url, "https://toot.example/@maija/113585110432786401")
        self.assertEqual(item.raw["notification_id"], "40512377")

    def test_a_direct_status_is_a_private_dm_that_starts_its_own_thread(self) -> None:
        status = fixture("notification_direct.json")["status"]
        item = mapping.status_item(status, network="mastodon", channel=7,
                                   root_id=mapping.root_of(status, []))
        self.assertEqual((item.kind, item.is_public, item.public), ("dm", False, False))
        self.assertEqual(item.thread_key, "113585300000000001")
        self.assertIsNone(item.parent_external_id)
        self.assertEqual(item.author.name, "pekka", "an empty display name falls back to the username")

    def test_the_root_is_the_oldest_ancestor(self) -> None:
        status = fixture("notification_reply_mention.json")["status"]
        self.assertEqual(mapping.root_of(status, [{"id": "1"}, {"id": "2"}]), "1")


class LengthTestCase(SimpleTestCase):
    def test_limits_come_from_the_instance(self) -> None:
        limits = mapping.Limits.from_instance(fixture("instance_v2.json"))
        self.assertEqual((limits.max_characters, limits.characters_reserved_per_url), (1000, 23))
        self.assertEqual(mapping.Limits.from_instance({}), mapping.Limits(500, 23))
        self.assertEqual((limits.max_media_attachments, limits.image_size_limit), (4, 16777216))
        self.assertEqual(limits.size_limit("video/mp4"), 103809024)
        self.assertIn("image/webp", limits.supported_mime_types)

    def test_a_post_over_the_limits_says_what_to_change(self) -> None:
        limits = mapping.Limits.from_instance(fixture("instance_v2.json"))
        self.assertIsNone(mapping.post_problem("Hei", [("image/png", 1000)] * 4, limits))
        self.assertIn("1001 characters as Mastodon counts them",
                      mapping.post_problem("x" * 1001, [], limits) or "")
        self.assertIn("5 attachments, at most 4", mapping.post_problem("Hei", [("image/png", 1)] * 5, limits) or "")
        self.assertIn("attachment 2 is 16,777,217 bytes, at most 16,777,216",
                      mapping.post_problem("", [("image/png", 1), ("image/png", 16777217)], limits) or "")
        self.assertIn("image/heic, which the server does not take",
                      mapping.post_problem("", [("image/heic", 1)], limits) or "")

    def test_a_post_takes_its_link_once_and_a_hashtag_query_is_told_apart(self) -> None:
        link = "https://aalto.example/joulu"
        self.assertEqual(mapping.post_text("Joulu!", link), f"Joulu!\n\n{link}")
        self.assertEqual(mapping.post_text(f"Katso {link}", link), f"Katso {link}")
        self.assertEqual(mapping.post_text("Joulu!", None), "Joulu!")
        self.assertEqual(mapping.hashtag(" #AaltoKahvi "), "AaltoKahvi")
        self.assertEqual(mapping.hashtag("#kahvitä"), "kahvitä")
        self.assertIsNone(mapping.hashtag("aalto kahvi"))
        self.assertIsNone(mapping.hashtag("#aalto kahvi"))

    def test_links_count_as_reserved_and_remote_mentions_as_the_username(self) -> None:
        limits = mapping.Limits()
        url = "https://kauppa.example/tilaukset/4711?seuranta=" + "x" * 80
        self.assertEqual(mapping.status_length(f"Katso {url}", limits), 6 + 23)
        self.assertEqual(mapping.status_length("@maija@toot.example hei", limits), len("@maija hei"))
        # A family emoji is one grapheme cluster, as Mastodon counts it.
        self.assertEqual(mapping.status_length("👨‍👩‍👧 ok", limits), 4)

    def test_a_reply_mentions_its_author_once(self) -> None:
        self.assertEqual(mapping.reply_text("Kiitos!", "maija@toot.example"), "@maija@toot.example Kiitos!")
        self.assertEqual(mapping.reply_text("Hei @Maija@toot.example, kiitos!", "maija@toot.example"),
                         "Hei @Maija@toot.example, kiitos!")
        self.assertEqual(mapping.reply_text("@maijaliisa moi", "maija"), "@maija @maijaliisa moi")

    def test_a_sent_reply_is_recognised_by_its_rendered_text(self) -> None:
        content = ('<p><span class="h-card"><a href="https://x.example/@maija">@<span>maija</span></a>'
                   '</span> Kiitos &amp; anteeksi!</p><p>Toinen kappale</p>')
        self.assertTrue(mapping.same_text(content, "@maija Kiitos & anteeksi!\n\nToinen kappale"))
        self.assertFalse(mapping.same_text(content, "@maija Kiitos!"))


class ConfigTestCase(SimpleTestCase):
    def test_the_server_address_is_normalised_and_checked(self) -> None:
        config = MastodonConnector.validate_config({"base_url": "mastodon.example/", "access_token": " t "})
        self.assertEqual(config, {"base_url": "https://mastodon.example", "access_token": "t"})
        with self.assertRaises(ValueError):
            MastodonConnector.validate_config({"base_url": "https://mastodon.example/@aalto",
                                               "access_token": "t"})

    def test_a_timeout_after_sending_is_an_unknown_outcome(self) -> None:
        connector = MastodonConnector({"base_url": "https://mastodon.example", "access_token": "t"})
        try:
            try:
                raise requests.ReadTimeout("read timed out")
            except requests.ReadTimeout as cause:  # as Mastodon.py raises it, inside the except
                raise MastodonNetworkError(f"Could not complete request: {cause}")  # noqa: B904
        except MastodonNetworkError as exc:
            error = connector._error(exc)
        self.assertEqual((error.outcome_unknown, error.permanent, error.retry_after), (True, False, 5))
        self.assertIn("no answer from https://mastodon.example", error.message)

    def test_a_server_that_cannot_be_reached_is_retried_not_sent_twice(self) -> None:
        connector = MastodonConnector({"base_url": "http://127.0.0.1:9", "access_token": "t"})
        with self.assertRaises(ConnectorError) as caught:
            connector.test_connection()
        error = caught.exception
        self.assertEqual((error.permanent, error.outcome_unknown, error.retry_after), (False, False, 5))
        self.assertIn("could not connect to http://127.0.0.1:9", error.message)
