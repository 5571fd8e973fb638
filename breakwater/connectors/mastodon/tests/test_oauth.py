"""Connecting a Mastodon channel by OAuth: Breakwater registers itself on the server, the admin
grants access on the server's own page, and the code that comes back becomes the channel's
token, tested and stored like a typed one. Against the loopback server, with Mastodon.py."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from breakwater.connectors.mastodon.tests.fake_server import FakeMastodon, fake_mastodon
from breakwater.core.actions import channel_config
from breakwater.core.models import Channel, ChannelStatus
from breakwater.test import BaseTestCase

CALLBACK = "http://testserver/channels/oauth/callback/"


class MastodonOAuthTest(BaseTestCase):
    def setUp(self) -> None:
        self.fake: FakeMastodon = self.enterContext(fake_mastodon())
        self.brand, self.brand_token = self.fake.register("aalto", "Aalto Kahvi")
        self.client.force_login(self.alice.user)

    def start(self, **extra: str) -> str:
        """Press "Sign in with Mastodon": answers where the browser is sent."""
        response = self.client.post("/channels/oauth/", {
            "network": "mastodon", "name": "Aalto Mastodonissa", "cfg_base_url": self.fake.base,
            **extra})
        self.assertEqual(response.status_code, 302, response.content[:500])
        return response["Location"]

    def consent(self, authorize_url: str) -> str:
        """The admin, signed in on the server as the brand, allows Breakwater: answers where the
        server sends the browser back (our callback, with the code)."""
        answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
        self.assertEqual(answer.status_code, 302, answer.text)
        return answer.headers["Location"]

    def back(self, location: str) -> list[str]:
        parts = urlsplit(location)
        response = self.client.get(parts.path, parse_qs(parts.query), follow=True)
        return [str(m) for m in response.context["messages"]]

    def test_signing_in_on_the_server_connects_the_channel(self) -> None:
        authorize = self.start()
        self.assertTrue(authorize.startswith(self.fake.base + "/oauth/authorize?"))
        query = parse_qs(urlsplit(authorize).query)
        self.assertEqual(query["redirect_uri"], [CALLBACK])
        self.assertEqual(query["response_type"], ["code"])
        self.assertIn("write:statuses", query["scope"][0].split())
        (app,) = self.fake.apps.values()
        self.assertEqual((app["name"], app["redirect_uris"]), ("Breakwater", [CALLBACK]))

        self.fake.signed_in = self.brand["id"]
        said = self.back(self.consent(authorize))
        self.assertEqual(said, ["Aalto Mastodonissa is connected and syncing."])
        channel = Channel.objects.get(workspace=self.alice.workspace, network="mastodon")
        token = channel_config(channel)["access_token"]
        self.assertEqual(self.fake.tokens[token], self.brand["id"])
        self.assertNotIn("access_token", channel.config)  # kept encrypted, like a typed one
        self.assertEqual(channel.config["server"]["max_characters"], 500)

    def test_a_refused_consent_connects_nothing_and_says_so(self) -> None:
        authorize = self.start()
        self.fake.signed_in, self.fake.deny_consent = self.brand["id"], True
        said = self.back(self.consent(authorize))
        self.assertIn("The resource owner or authorization server denied the request.", said[0])
        self.assertFalse(Channel.objects.filter(network="mastodon").exists())

    def test_a_callback_is_used_once_and_only_from_the_session_that_started_it(self) -> None:
        authorize = self.start()
        self.fake.signed_in = self.brand["id"]
        location = self.consent(authorize)
        self.back(location)
        self.assertIn("unknown or took longer", self.back(location)[0])
        self.assertEqual(Channel.objects.filter(network="mastodon").count(), 1)

        # Another admin's browser cannot finish someone else's sign-in.
        authorize = self.start(name="Toinen")
        location = self.consent(authorize)
        self.client.logout()
        self.client.force_login(self.alice.user)  # a new session
        self.assertIn("unknown or took longer", self.back(location)[0])
        self.assertEqual(Channel.objects.filter(network="mastodon").count(), 1)

    def test_a_code_the_server_refuses_shows_the_servers_words(self) -> None:
        authorize = self.start()
        state = parse_qs(urlsplit(authorize).query)["state"][0]
        said = self.back(f"{CALLBACK}?code=forged&state={state}")
        self.assertIn("The provided authorization grant is invalid", said[0])
        self.assertFalse(Channel.objects.filter(network="mastodon").exists())

    def test_a_wrong_server_address_is_refused_before_leaving_breakwater(self) -> None:
        response = self.client.post("/channels/oauth/", {
            "network": "mastodon", "name": "X", "cfg_base_url": "https://example.invalid/path"})
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "base_url must be the server", status_code=422)

    def test_a_channel_whose_token_was_revoked_reconnects_by_signing_in_again(self) -> None:
        self.fake.signed_in = self.brand["id"]
        self.back(self.consent(self.start()))
        channel = Channel.objects.get(network="mastodon")
        old = channel_config(channel)["access_token"]
        self.fake.revoke(old)
        Channel.objects.filter(pk=channel.pk).update(status=ChannelStatus.NEEDS_ATTENTION,
                                                      status_detail="The access token is invalid")
        page = self.client.get("/channels/")
        self.assertContains(page, "Sign in again with Mastodon")

        response = self.client.post("/channels/oauth/", {"network": "mastodon",
                                                         "channel": channel.pk})
        said = self.back(self.consent(response["Location"]))
        self.assertEqual(said, ["Aalto Mastodonissa is reconnected and resumes from where it stopped."])
        channel.refresh_from_db()
        self.assertEqual(channel.status, ChannelStatus.ACTIVE)
        self.assertNotEqual(channel_config(channel)["access_token"], old)
        self.assertEqual(Channel.objects.filter(network="mastodon").count(), 1)

    def test_only_admins_start_a_sign_in(self) -> None:
        self.client.force_login(self.bob.user)
        response = self.client.post("/channels/oauth/", {
            "network": "mastodon", "name": "X", "cfg_base_url": self.fake.base}, follow=True)
        self.assertFalse(self.fake.apps)
        self.assertFalse(Channel.objects.filter(network="mastodon").exists())
        self.assertEqual(response.status_code, 403)
