"""Bluesky's pure parts: notifications to items (a recorded answer), text length and facets."""

import json
from pathlib import Path

import httpx
from django.test import SimpleTestCase

from breakwater.connectors.bluesky.connector import BlueskyConnector
from breakwater.connectors.bluesky.firehose import websocket_base
from breakwater.connectors.bluesky.mapping import (
    concerns,
    image_alts,
    notification_item,
    search_item,
)
from breakwater.connectors.bluesky.text import facets, graphemes, length_problem
from breakwater.connectors.bluesky.xrpc import budget, xrpc_error

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BRAND = "did:plc:755upk3i2c33vwp4go5gd46f"  # kahvila.test, see fixtures/README.md
NOTIFICATIONS = json.loads((FIXTURES / "notifications.json").read_text())["notifications"]
SEARCH_POSTS = json.loads((FIXTURES / "search_posts.json").read_text())["posts"]
SEARCH_BRAND = "did:plc:gwveb6xsvhx464smkusvrkgj"  # kahvila.test of search_posts.json


def items() -> dict[str, object]:
    found = {}
    for note in NOTIFICATIONS:
        item = notification_item(note, channel=3, brand_did=BRAND, service="http://localhost:2583")
        found[note["reason"]] = item
    return found


class SearchTestCase(SimpleTestCase):
    def items(self) -> list[object]:
        return [search_item(post, channel=4, brand_did=SEARCH_BRAND, service="http://pds.test")
                for post in SEARCH_POSTS]

    def test_found_posts_are_public_mentions_with_the_inbox_ids(self) -> None:
        reply, with_image, brands_own = self.items()
        self.assertIsNone(brands_own)
        self.assertEqual({(i.kind, i.is_public, i.channel) for i in (reply, with_image)},
                         {("mention", True, 4)})
        self.assertEqual(reply.external_id, SEARCH_POSTS[0]["uri"])
        # A reply in the brand's thread keeps the thread's root (the inbox's thread_key).
        brand_post = "at://did:plc:gwveb6xsvhx464smkusvrkgj/app.bsky.feed.post/3n3neja77os2o"
        self.assertEqual((reply.thread_key, reply.parent_external_id), (brand_post, brand_post))
        self.assertEqual((with_image.thread_key, with_image.parent_external_id),
                         (with_image.external_id, None))
        self.assertEqual(with_image.author.handle, "maija.test")
        (image,) = with_image.media
        self.assertEqual((image["alt"], image["mime_type"]), ("Mansikkajäätelö tötterössä",
                                                              "image/png"))
        self.assertIn("bafkreidrx2bpnhqrkjyfnjtrmaxjf3aat3bqgx52uwzv54qmsogbaapuui", image["url"])

    def test_image_alts_of_a_post(self) -> None:
        self.assertEqual(image_alts(SEARCH_POSTS[1]["record"]), ["Mansikkajäätelö tötterössä"])
        self.assertEqual(image_alts(SEARCH_POSTS[0]["record"]), [])


class NotificationTestCase(SimpleTestCase):
    def test_replies_thread_under_the_brands_root_post(self) -> None:
        reply = items()["reply"]
        brand_post = "at://did:plc:755upk3i2c33vwp4go5gd46f/app.bsky.feed.post/3n3nbebjvk22h"
        self.assertEqual((reply.kind, reply.channel, reply.network), ("comment", 3, "bluesky"))
        self.assertEqual(reply.external_id,
                         "at://did:plc:esfruxpzdyix7nbo7st5s7fg/app.bsky.feed.post/3n3nbebz7rk2h")
        self.assertEqual((reply.thread_key, reply.parent_external_id), (brand_post, brand_post))
        self.assertEqual(reply.text, "Onko tätä myös kauramaidolla?")
        self.assertEqual((reply.author.handle, reply.author.external_id),
                         ("maija.test", "did:plc:esfruxpzdyix7nbo7st5s7fg"))
        self.assertEqual(reply.url, "https://bsky.app/profile/"
                                    "did:plc:esfruxpzdyix7nbo7st5s7fg/post/3n3nbebz7rk2h")
        self.assertTrue(reply.public)

    def test_mentions_and_quotes_are_threads_of_their_own_and_likes_no_items(self) -> None:
        found = items()
        mention, quote = found["mention"], found["quote"]
        self.assertEqual((mention.kind, mention.thread_key), ("mention", mention.external_id))
        self.assertEqual(mention.text, "@kahvila.test toimitatteko Tampereelle? 👋🏽")
        self.assertEqual((quote.kind, quote.thread_key), ("mention", quote.external_id))
        self.assertEqual(quote.raw["quotes"],
                         "at://did:plc:755upk3i2c33vwp4go5gd46f/app.bsky.feed.post/3n3nbebjvk22h")
        self.assertIsNone(found["like"])

    def test_the_firehose_keeps_posts_about_the_brand_only(self) -> None:
        records = {n["reason"]: (n["record"], n["author"]["did"]) for n in NOTIFICATIONS}
        for reason in ("reply", "mention", "quote"):
            record, author = records[reason]
            self.assertTrue(concerns(record, author, BRAND), reason)
            self.assertFalse(concerns(record, BRAND, BRAND), "the brand's own posts are no items")
            self.assertFalse(concerns(record, author, "did:plc:someoneelse"), reason)
        self.assertFalse(concerns(*records["like"], BRAND))


class TextTestCase(SimpleTestCase):
    def test_it_counts_graphemes_as_bluesky_does(self) -> None:
        # A thumb with a skin tone, a family, e with a combining accent.
        self.assertEqual(graphemes("👍🏽👨‍👩‍👧‍👦é"), 3)
        self.assertIsNone(length_problem("👍🏽" * 300))
        problem = length_problem("👍🏽" * 301)
        self.assertIn("at most 300 characters; this one has 301", problem)
        self.assertEqual(BlueskyConnector.max_text_length, 300)

    def test_mention_and_link_facets_use_utf8_byte_offsets(self) -> None:
        text = "Hei @maija.test 👋🏽 katso https://kahvila.example/joulu. Ja @eiole.test"
        dids = {"maija.test": "did:plc:maija"}
        found = facets(text, dids.get)
        data = text.encode()
        spans = [data[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode() for f in found]
        self.assertEqual(spans, ["@maija.test", "https://kahvila.example/joulu"])
        self.assertEqual(found[0]["features"], [{"$type": "app.bsky.richtext.facet#mention",
                                                 "did": "did:plc:maija"}])
        before_link = "Hei @maija.test 👋🏽 katso ".encode()
        self.assertEqual(found[1]["index"]["byteStart"], len(before_link))


class ConfigTestCase(SimpleTestCase):
    def test_it_cleans_the_settings(self) -> None:
        cleaned = BlueskyConnector.validate_config({
            "service": "https://bsky.social/ ", "handle": "@kahvila.bsky.social",
            "app_password": "x"})
        self.assertEqual((cleaned["service"], cleaned["handle"]),
                         ("https://bsky.social", "kahvila.bsky.social"))
        with self.assertRaisesMessage(ValueError, "service must be an https:// address"):
            BlueskyConnector.validate_config(
                {"service": "bsky.social", "handle": "a", "app_password": "x"})
        self.assertEqual(BlueskyConnector.sensitive_parameters(), {"app_password"})
        self.assertEqual(websocket_base("https://pds.example/"), "wss://pds.example/xrpc")


class ErrorTestCase(SimpleTestCase):
    def test_the_servers_error_text_reaches_the_channel(self) -> None:
        refused = xrpc_error(httpx.Response(401, json={
            "error": "AuthenticationRequired", "message": "Invalid identifier or password"}))
        self.assertEqual(refused.message,
                         "Invalid identifier or password (AuthenticationRequired, HTTP 401)")
        self.assertTrue(refused.reauth and refused.permanent)
        too_long = xrpc_error(httpx.Response(400, json={
            "error": "InvalidRequest", "message": "grapheme too big (maximum 300, got 301)"}))
        self.assertTrue(too_long.permanent)
        self.assertFalse(too_long.reauth)
        limited = xrpc_error(httpx.Response(429, headers={"ratelimit-reset": "9999999999"},
                                            json={"error": "RateLimitExceeded"}))
        self.assertFalse(limited.permanent)
        self.assertGreater(limited.retry_after, 3600)

    def test_it_reads_the_rate_limit_headers(self) -> None:
        left = budget(httpx.Response(200, headers={
            "ratelimit-limit": "3000", "ratelimit-remaining": "2999",
            "ratelimit-reset": "1764633600"}))
        self.assertEqual((left.remaining, left.limit), (2999, 3000))
        self.assertEqual(left.reset_at.isoformat(), "2025-12-02T00:00:00+00:00")
        self.assertIsNone(budget(httpx.Response(200)))
