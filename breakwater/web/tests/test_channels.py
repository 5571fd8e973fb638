"""The channels page: connect a feed, see its health and errors, pause, reconnect, disconnect."""

from breakwater.connectors.rss.tests.feedserver import feed_server
from breakwater.connectors.rss.tests.test_rss import ATOM
from breakwater.core.models import Channel, ChannelStatus
from breakwater.ingest import sync
from breakwater.test import BaseTestCase


class ChannelsPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.feeds = self.enterContext(feed_server())
        self.url = self.feeds.put("/uutiset.atom", ATOM)
        self.client.force_login(self.alice.user)

    def connect(self, url: str) -> object:
        return self.client.post("/channels/connect/", {"network": "rss", "name": "Uutiset",
                                                       "cfg_url": url}, follow=True)

    def test_an_admin_connects_a_feed_and_sees_it_sync(self) -> None:
        page = self.connect(self.url).content.decode()
        self.assertIn("Uutiset is connected and syncing.", page)
        channel = Channel.objects.get(name="Uutiset")
        sync.sync_once()
        page = self.client.get("/channels/").content.decode()
        self.assertIn(f'id="channel-{channel.pk}"', page)
        self.assertIn("RSS / Atom feed", page)
        self.assertNotIn('role="alert"', page)

    def test_a_refused_connection_shows_the_servers_answer_and_keeps_the_form(self) -> None:
        response = self.client.post("/channels/connect/", {
            "network": "rss", "name": "Typo", "cfg_url": self.feeds.base + "/nope.atom"})
        self.assertEqual(response.status_code, 422)
        page = response.content.decode()
        self.assertIn("HTTP 404: no such feed", page)
        self.assertIn(self.feeds.base + "/nope.atom", page)
        self.assertFalse(Channel.objects.filter(name="Typo").exists())

    def test_a_channel_that_needs_attention_says_why_and_reconnects(self) -> None:
        self.connect(self.url)
        channel = Channel.objects.get(name="Uutiset")
        self.feeds.fail_with = 403
        sync.sync_once()
        page = self.client.get("/channels/").content.decode()
        self.assertIn("Needs attention", page)
        self.assertIn("HTTP 403: feed server says no", page)
        self.feeds.fail_with = None
        page = self.client.post(f"/channels/{channel.pk}/reconnect/", {}, follow=True).content.decode()
        self.assertIn("is reconnected", page)
        self.assertEqual(Channel.objects.get(pk=channel.pk).status, ChannelStatus.ACTIVE)

    def test_pause_resume_disconnect(self) -> None:
        self.connect(self.url)
        channel = Channel.objects.get(name="Uutiset")
        self.client.post(f"/channels/{channel.pk}/pause/")
        self.assertEqual(Channel.objects.get(pk=channel.pk).status, ChannelStatus.PAUSED)
        self.client.post(f"/channels/{channel.pk}/resume/")
        self.assertEqual(Channel.objects.get(pk=channel.pk).status, ChannelStatus.ACTIVE)
        page = self.client.post(f"/channels/{channel.pk}/disconnect/", follow=True).content.decode()
        self.assertIn("Its conversations stay in the inbox.", page)
        self.assertEqual(Channel.objects.get(pk=channel.pk).status, ChannelStatus.DISCONNECTED)

    def test_agents_see_health_but_cannot_manage(self) -> None:
        self.client.force_login(self.bob.user)
        page = self.client.get("/channels/").content.decode()
        self.assertIn("Acme demo", page)
        self.assertNotIn("Connect a channel", page)
        self.assertEqual(self.connect(self.url).status_code, 403)
