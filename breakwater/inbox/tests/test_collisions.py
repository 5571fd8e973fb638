"""Two people on one conversation: they see each other, and nobody answers twice unknowingly."""

from breakwater.core import events
from breakwater.inbox.actions import RepliedMeanwhile, do_report_presence, do_reply
from breakwater.inbox.models import Message
from breakwater.test import BaseTestCase


class ReplyCollisionTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.conv = self.conversation(text="Missä tilaukseni on?")
        self.seen = Message.objects.filter(conversation=self.conv).latest("pk").pk

    def test_a_reply_after_a_colleagues_reply_needs_confirmation(self) -> None:
        do_reply(self.alice, self.conv.pk, "Tarkistan asian!", "alice-1", seen_up_to=self.seen)
        with self.assertRaises(RepliedMeanwhile) as caught:
            do_reply(self.bob, self.conv.pk, "Katson heti.", "bob-1", seen_up_to=self.seen)
        self.assertIn("Alice replied while you were writing", caught.exception.message)
        self.assertEqual(caught.exception.detail["text"], "Tarkistan asian!")
        self.assertEqual(Message.objects.filter(conversation=self.conv, direction="out").count(), 1)
        message, created = do_reply(self.bob, self.conv.pk, "Katson heti.", "bob-1",
                                    seen_up_to=self.seen, confirm=True)
        self.assertTrue(created)

    def test_own_replies_and_seen_ones_do_not_warn(self) -> None:
        first, _ = do_reply(self.bob, self.conv.pk, "Hetki vain.", "bob-1", seen_up_to=self.seen)
        do_reply(self.bob, self.conv.pk, "Löytyi!", "bob-2", seen_up_to=self.seen)
        do_reply(self.alice, self.conv.pk, "Lisäksi...", "alice-1", seen_up_to=Message.objects.latest("pk").pk)
        self.assertEqual(Message.objects.filter(conversation=self.conv, direction="out").count(), 3)

    def test_the_brands_own_reply_from_the_networks_app_counts_too(self) -> None:
        self.ingest(self.acme, [self.item(thread_key=self.conv.thread_key, direction="out",
                                          text="Vastasimme jo sovelluksessa.")])
        with self.assertRaises(RepliedMeanwhile) as caught:
            do_reply(self.bob, self.conv.pk, "Katson heti.", "bob-1", seen_up_to=self.seen)
        self.assertEqual(caught.exception.detail["by"], "Acme demo")

    def test_the_api_answers_409_with_the_other_reply(self) -> None:
        do_reply(self.alice, self.conv.pk, "Tarkistan asian!", "alice-1")
        url = f"/api/v1/conversations/{self.conv.pk}/replies"
        response = self.api("post", url, self.bob_token,
                            json={"text": "Katson heti.", "seen_up_to": self.seen})
        self.assertEqual(response.status_code, 409, response.content)
        self.assertEqual(response.json()["detail"]["by"], "Alice")
        response = self.api("post", url, self.bob_token,
                            json={"text": "Katson heti.", "seen_up_to": self.seen, "confirm": True})
        self.assertEqual(response.status_code, 201, response.content)

    def test_the_page_keeps_the_draft_and_offers_to_send_anyway(self) -> None:
        do_reply(self.alice, self.conv.pk, "Tarkistan asian!", "alice-1")
        self.client.force_login(self.bob.user)
        response = self.client.post(f"/c/{self.conv.pk}/reply/", {
            "text": "Katson heti.", "idempotency_key": "bob-1", "seen_up_to": self.seen})
        self.assertEqual(response.status_code, 409)
        page = response.content.decode()
        self.assertIn("Katson heti.</textarea>", page)
        self.assertIn('name="confirm" value="1"', page)
        self.assertIn('value="bob-1"', page)


class PresenceTestCase(BaseTestCase):
    def test_presence_is_announced_to_the_workspace_only_for_its_conversations(self) -> None:
        conv = self.conversation()
        heard: list[dict] = []
        sub = events.subscribe(self.acme.pk, heard.append)
        self.addCleanup(sub.close)
        with self.captureOnCommitCallbacks(execute=True):
            do_report_presence(self.bob, conv.pk, "typing")
        self.assertEqual([(e["type"], e["name"], e["state"]) for e in heard],
                         [("presence", "Bob", "typing")])
        response = self.api("post", f"/api/v1/conversations/{conv.pk}/presence", self.charlie_token,
                            json={"state": "viewing"})
        self.assertEqual(response.status_code, 404)
        response = self.api("post", f"/api/v1/conversations/{conv.pk}/presence", self.bob_token,
                            json={"state": "dancing"})
        self.assertEqual(response.status_code, 422)
