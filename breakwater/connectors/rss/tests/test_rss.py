"""RSS and Atom: mapping the fixtures, and a channel polling a real feed server."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.test import SimpleTestCase
from django.utils import timezone

from breakwater.connectors.base import ConnectorError
from breakwater.connectors.rss.connector import RssConnector
from breakwater.connectors.rss.tests.feedserver import feed_server
from breakwater.core.models import Channel, ChannelStatus
from breakwater.inbox.models import Conversation, Message
from breakwater.ingest import sync
from breakwater.ingest.models import SyncState
from breakwater.test import BaseTestCase

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ATOM = (FIXTURES / "uutiset.atom").read_bytes()
RSS = (FIXTURES / "news.rss").read_bytes()
NEW_ENTRY = b"""  <entry>
    <title>Joulukahvi palaa kauppoihin</title>
    <id>tag:uutiset.example.test,2026:joulu</id>
    <link href="https://uutiset.example.test/joulu"/>
    <updated>2026-11-30T09:00:00Z</updated>
    <summary>Maustettu kahvi on taas myynniss\xc3\xa4.</summary>
  </entry>
</feed>"""


class MappingTestCase(SimpleTestCase):
    def test_it_maps_atom_and_rss_entries_to_mentions(self) -> None:
        with feed_server() as feeds:
            atom = RssConnector({"url": feeds.put("/uutiset.atom", ATOM)}, channel=7).poll(None)
            rss = RssConnector({"url": feeds.put("/news.rss", RSS, "application/rss+xml")},
                               channel=7).poll(None)
        first, second = atom.items
        self.assertEqual((first.kind, first.channel, first.network), ("mention", 7, "rss"))
        self.assertEqual(first.external_id, "tag:uutiset.example.test,2026:paahtimo")
        self.assertEqual(first.created_at, datetime(2026, 11, 30, 7, 30, tzinfo=UTC))
        self.assertEqual(first.text, "Aalto Kahvi avaa paahtimon Tampereelle\n\n"
                                     "Uusi paahtimo työllistää 12 henkeä.")
        self.assertNotIn("script", first.html or "")
        self.assertIn("<b>työllistää</b>", first.html or "")
        self.assertEqual((first.author.name, first.author.handle), ("Kahviuutiset", "Maija Toimittaja"))
        self.assertEqual(first.url, "https://uutiset.example.test/paahtimo")
        self.assertIn("kahvin hinta nousee & laatu laskee?", second.text)
        nordic, no_guid = rss.items
        self.assertEqual(nordic.external_id, "news-1001")
        self.assertEqual(no_guid.external_id, "https://news.example.test/no-guid")
        self.assertEqual(nordic.created_at, datetime(2026, 11, 30, 6, 0, tzinfo=UTC))

    def test_a_page_that_is_not_a_feed_is_refused_with_a_reason(self) -> None:
        with feed_server() as feeds:
            url = feeds.put("/index.html", b"<html><body>Hello</body></html>", "text/html")
            with self.assertRaises(ConnectorError) as caught:
                RssConnector({"url": url}).test_connection()
        self.assertIn("is not an RSS or Atom feed", caught.exception.message)

    def test_it_asks_conditionally_and_an_unchanged_feed_gives_nothing(self) -> None:
        with feed_server() as feeds:
            connector = RssConnector({"url": feeds.put("/uutiset.atom", ATOM)})
            first = connector.poll(None)
            again = connector.poll(first.cursor)
        self.assertEqual(len(first.items), 2)
        self.assertEqual((again.items, again.cursor), ([], first.cursor))
        self.assertIn("If-None-Match", feeds.requests[1])


class FeedChannelTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.feeds = self.enterContext(feed_server())
        self.url = self.feeds.put("/uutiset.atom", ATOM)

    def connect(self) -> Channel:
        response = self.api("post", "/api/v1/channels", self.alice_token,
                            json={"network": "rss", "name": "Kahviuutiset", "config": {"url": self.url}})
        self.assertEqual(response.status_code, 201, response.content)
        return Channel.objects.get(pk=response.json()["id"])

    def test_a_connected_feed_syncs_by_itself_without_duplicates(self) -> None:
        channel = self.connect()
        self.assertEqual(sync.sync_once(), 2)
        self.assertEqual(Conversation.objects.filter(channel=channel).count(), 2)
        # Its next turn is in poll_interval; when it comes, the unchanged feed answers 304.
        self.assertEqual(sync.claim_due(), [])
        SyncState.objects.filter(pk=channel.pk).update(next_poll_at=timezone.now())
        self.assertEqual(sync.sync_once(), 0)
        self.feeds.put("/uutiset.atom", ATOM.replace(b"</feed>", NEW_ENTRY), at=1_764_496_800.0)
        SyncState.objects.filter(pk=channel.pk).update(next_poll_at=timezone.now())
        self.assertEqual(sync.sync_once(), 1)
        self.assertEqual(Message.objects.filter(channel=channel).count(), 3)
        detail = self.api("get", f"/api/v1/channels/{channel.pk}", self.alice_token).json()
        self.assertEqual((detail["status"], detail["last_error"]), ("active", ""))
        self.assertIsNotNone(detail["last_synced_at"])

    def test_a_wrong_url_is_a_422_with_the_servers_answer(self) -> None:
        response = self.api("post", "/api/v1/channels", self.alice_token, json={
            "network": "rss", "name": "Typo", "config": {"url": self.feeds.base + "/uutset.atom"}})
        self.assertEqual(response.status_code, 422)
        self.assertIn("HTTP 404: no such feed", response.json()["error"])
        self.assertFalse(Channel.objects.filter(name="Typo").exists())

    def test_server_errors_back_off_and_show_while_refusals_need_attention(self) -> None:
        channel = self.connect()
        self.feeds.fail_with = 503
        sync.sync_once()
        state = SyncState.objects.get(pk=channel.pk)
        self.assertIn("HTTP 503", state.last_error)
        self.assertGreater(state.next_poll_at, timezone.now() + timedelta(seconds=20))
        self.assertEqual(Channel.objects.get(pk=channel.pk).status, ChannelStatus.ACTIVE)
        detail = self.api("get", f"/api/v1/channels/{channel.pk}", self.alice_token).json()
        self.assertIn("HTTP 503", detail["last_error"])
        self.feeds.fail_with = 401
        SyncState.objects.filter(pk=channel.pk).update(next_poll_at=timezone.now())
        sync.sync_once()
        channel.refresh_from_db()
        self.assertEqual(channel.status, ChannelStatus.NEEDS_ATTENTION)
        self.assertIn("feed server says no", channel.status_detail)
        # Reconnecting (the feed works again) resumes from the saved cursor: nothing twice.
        self.feeds.fail_with = None
        response = self.api("post", f"/api/v1/channels/{channel.pk}/reconnect", self.alice_token, json={})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "active")
        sync.sync_once()
        self.assertEqual(Message.objects.filter(channel=channel).count(), 2)

    def test_a_crash_between_fetch_and_store_loses_nothing(self) -> None:
        channel = self.connect()
        original = sync.ingest_items

        def crash(*args, **kwargs):
            raise RuntimeError("worker killed")

        sync.ingest_items = crash
        try:
            self.assertEqual(sync.sync_once(), 0)
        finally:
            sync.ingest_items = original
        self.assertEqual(SyncState.objects.get(pk=channel.pk).cursor, "")
        SyncState.objects.filter(pk=channel.pk).update(lease_until=None)
        self.assertEqual(sync.sync_once(), 2)

    def test_reconciliation_recovers_and_counts_what_was_lost(self) -> None:
        # Entries from yesterday: inside the 3-day window, older than the last poll.
        yesterday = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        recent = ATOM.replace(b"2026-11-30T07:30:00Z", yesterday).replace(b"2026-11-29T12:00:00Z", yesterday)
        self.feeds.put("/uutiset.atom", recent)
        channel = self.connect()
        sync.sync_once()
        # One entry was lost on our side (say, a restore from an older backup).
        Message.objects.filter(channel=channel, external_id__endswith="hinta").delete()
        run = sync.reconcile_channel(channel.pk)
        self.assertEqual((run.checked, run.recovered, run.error), (2, 1, ""))
        self.assertEqual(Message.objects.filter(channel=channel).count(), 2)
        detail = self.api("get", f"/api/v1/channels/{channel.pk}", self.alice_token).json()
        self.assertEqual(detail["recovered_gaps"], 1)

    def test_pause_resume_and_disconnect_keep_history(self) -> None:
        channel = self.connect()
        sync.sync_once()
        base = f"/api/v1/channels/{channel.pk}"
        self.assertEqual(self.api("post", f"{base}/pause", self.alice_token).json()["status"], "paused")
        SyncState.objects.filter(pk=channel.pk).update(next_poll_at=timezone.now())
        self.assertEqual(sync.claim_due(), [])
        self.assertEqual(self.api("post", f"{base}/resume", self.alice_token).json()["status"], "active")
        self.assertEqual(self.api("post", f"{base}/pause", self.bob_token).status_code, 403)
        response = self.api("delete", base, self.alice_token)
        self.assertEqual(response.json()["status"], "disconnected")
        self.assertEqual(Message.objects.filter(channel=channel).count(), 2)
        self.assertEqual(sync.claim_due(), [])
