"""The composer's API: guidelines, checks, replies held or blocked, approvals, saved replies."""

from breakwater.composer import actions as composer
from breakwater.core.actions import do_create_user
from breakwater.core.models import Role
from breakwater.inbox.models import Conversation, Message
from breakwater.outbox.models import Delivery
from breakwater.test import PASSWORD, BaseTestCase

GUIDELINES = {
    "avoid": {"halpa": "edullinen"},
    "confidential": [
        {"term": "yt-neuvottelut", "action": "block"},
        {"term": "fuusio", "action": "approve"},
    ],
    "required": [{"name": "greeting", "pattern": "^(hei|moi)\\b"}],
    "notes": "Me-muoto, ystävällinen.",
}


class ComposerApiTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.mia = do_create_user("mia@example.org", PASSWORD, "acme", Role.MANAGER, name="Mia")
        composer.do_set_guidelines(cls.alice, composer.parse_guidelines(GUIDELINES))

    def setUp(self) -> None:
        self.conv = self.conversation(
            author={"external_id": "maija", "handle": "maija", "name": "Maija Mehiläinen"})

    def reply(self, text: str, token: str | None = None, key: str | None = None) -> dict:
        body = {"text": text, **({"idempotency_key": key} if key else {})}
        response = self.api("POST", f"/api/v1/conversations/{self.conv.pk}/replies",
                            token or self.bob_token, body)
        self.assertIn(response.status_code, (200, 201), response.content)
        return response.json()

    # -- guidelines ---------------------------------------------------------------------------

    def test_it_reads_and_replaces_the_guidelines(self) -> None:
        got = self.api("GET", "/api/v1/guidelines", self.vera_token).json()
        self.assertEqual(got["avoid"], {"halpa": "edullinen"})
        self.assertEqual(got["confidential"][0], {"term": "yt-neuvottelut", "pattern": None,
                                                  "action": "block", "label": ""})
        self.assertEqual(got["notes"], GUIDELINES["notes"])
        new = {**GUIDELINES, "confidential": [{"terms": ["lakko"], "action": "approve"}]}
        put = self.api("PUT", "/api/v1/guidelines", self.mia_token(), new)
        self.assertEqual(put.status_code, 200, put.content)
        self.assertEqual(put.json()["confidential"][0]["term"], "lakko")
        # Other workspaces see none of it.
        theirs = self.api("GET", "/api/v1/guidelines", self.charlie_token).json()
        self.assertEqual(theirs["avoid"], {})

    def mia_token(self) -> str:
        from breakwater.core.actions import do_create_token

        return do_create_token(self.mia)

    def test_it_lets_only_managers_edit_guidelines(self) -> None:
        response = self.api("PUT", "/api/v1/guidelines", self.bob_token, GUIDELINES)
        self.assertEqual(response.status_code, 403)
        bad = self.api("PUT", "/api/v1/guidelines", self.alice_token,
                       {"required": [{"name": "x", "pattern": "(("}]})
        self.assertEqual(bad.status_code, 422)
        self.assertIn("regular expression", bad.json()["error"])

    # -- checks -------------------------------------------------------------------------------

    def test_it_checks_a_draft(self) -> None:
        text = "Kerromme yt-neuvotteluista, halpaa"
        response = self.api("POST", f"/api/v1/conversations/{self.conv.pk}/checks",
                            self.bob_token, {"text": text})
        data = response.json()
        self.assertEqual(data["verdict"], "block")
        kinds = {c["kind"]: text[c["start"]:c["end"]] for c in data["checks"]}
        self.assertEqual(kinds["confidential"], "yt-neuvotteluista")
        self.assertEqual(kinds["avoid"], "halpaa")
        self.assertIn("required", kinds)
        other = self.api("POST", f"/api/v1/conversations/{self.conv.pk}/checks",
                         self.charlie_token, {"text": text})
        self.assertEqual(other.status_code, 404)

    # -- replies ------------------------------------------------------------------------------

    def test_it_blocks_an_inflected_confidential_term(self) -> None:
        data = self.reply("Hei, kerromme yt-neuvotteluista myöhemmin.")
        self.assertEqual(data["delivery_status"], "blocked")
        self.assertEqual(data["delivery_state"], "blocked")
        [check] = [c for c in data["checks"] if c["kind"] == "confidential"]
        self.assertEqual((check["start"], check["end"]), (14, 31))
        self.assertIn("yt-neuvottelut", data["delivery_error"])
        self.assertFalse(Delivery.objects.exists())
        self.assertIsNone(Conversation.objects.get(pk=self.conv.pk).first_response_at)

    def test_it_sends_a_reply_with_warnings(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            data = self.reply("Kahvi on halpaa.")
        self.assertEqual(data["delivery_status"], "queued")
        self.assertEqual(Message.objects.get(pk=data["id"]).delivery_state, "sent")
        self.assertEqual({c["kind"] for c in data["checks"]}, {"avoid", "required"})
        self.assertIsNotNone(Conversation.objects.get(pk=self.conv.pk).first_response_at)

    def test_it_holds_a_reply_for_approval_and_sends_it_once_approved(self) -> None:
        data = self.reply("Hei, fuusiosta emme voi kertoa.", key="k-1")
        self.assertEqual(data["delivery_status"], "needs_approval")
        self.assertFalse(Delivery.objects.exists())
        self.assertIsNone(Conversation.objects.get(pk=self.conv.pk).first_response_at)
        # The same key again gives the held reply back.
        self.assertEqual(self.reply("Hei, fuusiosta emme voi kertoa.", key="k-1")["id"], data["id"])
        [queued] = self.api("GET", "/api/v1/approvals", self.alice_token).json()
        self.assertEqual(queued["ref"], f"message:{data['id']}")
        self.assertEqual(queued["context"]["conversation"], self.conv.pk)
        self.assertEqual(queued["reasons"][0]["kind"], "confidential")
        denied = self.api("POST", f"/api/v1/approvals/{queued['id']}/approve", self.bob_token, {})
        self.assertEqual(denied.status_code, 403)
        url = f"/api/v1/approvals/{queued['id']}/approve"
        edited = "Hei, kerromme lisää pian."
        with self.captureOnCommitCallbacks(execute=True):
            ok = self.api("POST", url, self.alice_token, {"text": edited, "comment": "ok"})
        self.assertEqual(ok.json()["status"], "approved")
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.api("POST", url, self.alice_token, {}).status_code, 200)
        message = Message.objects.get(pk=data["id"])
        self.assertEqual((message.delivery_state, message.text), ("sent", edited))
        [delivery] = Delivery.objects.all()
        self.assertEqual((delivery.idempotency_key, delivery.payload["text"]), ("k-1", edited))
        self.assertIsNotNone(Conversation.objects.get(pk=self.conv.pk).first_response_at)
        self.assertEqual(self.api("GET", "/api/v1/approvals", self.alice_token).json(), [])

    def test_it_refuses_an_edit_that_still_blocks(self) -> None:
        data = self.reply("Hei, fuusiosta emme voi kertoa.")
        approval_id = self.api("GET", "/api/v1/approvals", self.alice_token).json()[0]["id"]
        response = self.api("POST", f"/api/v1/approvals/{approval_id}/approve", self.alice_token,
                            {"text": "Hei, yt-neuvotteluista myöhemmin."})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(Message.objects.get(pk=data["id"]).delivery_state, "needs_approval")

    def test_it_keeps_a_rejected_reply_blocked_with_the_comment(self) -> None:
        data = self.reply("Hei, fuusiosta emme voi kertoa.")
        approval_id = self.api("GET", "/api/v1/approvals", self.alice_token).json()[0]["id"]
        url = f"/api/v1/approvals/{approval_id}/reject"
        self.assertEqual(self.api("POST", url, self.alice_token, {"comment": ""}).status_code, 422)
        response = self.api("POST", url, self.alice_token, {"comment": "Ei fuusiosta."})
        self.assertEqual(response.json()["status"], "rejected")
        message = Message.objects.get(pk=data["id"])
        self.assertEqual((message.delivery_state, message.delivery_error),
                         ("blocked", "Ei fuusiosta."))
        again = self.api("POST", f"/api/v1/approvals/{approval_id}/approve", self.alice_token, {})
        self.assertEqual(again.status_code, 409)
        self.assertFalse(Delivery.objects.exists())

    def test_it_holds_replies_of_members_the_policy_covers(self) -> None:
        response = self.api("PUT", "/api/v1/approvals/policy", self.alice_token,
                            {"roles": ["agent"], "members": ["mia@example.org"]})
        self.assertEqual(response.json(), {"roles": ["agent"], "members": ["mia@example.org"]})
        self.assertEqual(self.reply("Hei, kiitos!")["delivery_status"], "needs_approval")
        self.assertEqual(self.reply("Hei, kiitos!", self.mia_token())["delivery_status"],
                         "needs_approval")
        self.assertEqual(self.reply("Hei, kiitos!", self.alice_token)["delivery_status"], "queued")
        [first, _] = self.api("GET", "/api/v1/approvals", self.alice_token).json()
        self.assertEqual(first["reasons"][0]["kind"], "policy")
        self.assertEqual(self.api("GET", "/api/v1/approvals", self.charlie_token).json(), [])
        bad = self.api("PUT", "/api/v1/approvals/policy", self.alice_token, {"roles": ["boss"]})
        self.assertEqual(bad.status_code, 422)

    # -- saved replies ------------------------------------------------------------------------

    def test_it_manages_saved_replies(self) -> None:
        body = {"name": "Aukiolo", "text": "Hei {{contact.first_name}}! Avoinna 8-16. "
                "{{link https://example.com/aukiolo}} t. {{agent.name}}"}
        created = self.api("POST", "/api/v1/saved-replies", self.bob_token, body)
        self.assertEqual(created.status_code, 201, created.content)
        reply_id = created.json()["id"]
        self.assertEqual(created.json()["shortcut"], "aukiolo")
        again = self.api("POST", "/api/v1/saved-replies", self.bob_token, body)
        self.assertEqual(again.status_code, 409)
        found = self.api("GET", "/api/v1/saved-replies?q=avoinna", self.bob_token).json()
        self.assertEqual([r["id"] for r in found], [reply_id])
        self.assertEqual(self.api("GET", "/api/v1/saved-replies?q=xyz", self.bob_token).json(), [])
        self.assertEqual(self.api("GET", "/api/v1/saved-replies", self.charlie_token).json(), [])
        rendered = self.api("GET", f"/api/v1/conversations/{self.conv.pk}/saved-replies?q=auk",
                            self.bob_token).json()[0]["rendered"]
        self.assertEqual(rendered, "Hei Maija! Avoinna 8-16. https://example.com/aukiolo?utm_source="
                         "demo&utm_medium=social&utm_campaign=aukiolo t. Bob")
        changed = self.api("PUT", f"/api/v1/saved-replies/{reply_id}", self.bob_token,
                           {**body, "shortcut": "auki"})
        self.assertEqual(changed.json()["shortcut"], "auki")
        self.assertEqual(self.api("DELETE", f"/api/v1/saved-replies/{reply_id}",
                                  self.charlie_token).status_code, 404)
        self.assertEqual(self.api("DELETE", f"/api/v1/saved-replies/{reply_id}",
                                  self.bob_token).status_code, 204)
        self.assertEqual(self.api("GET", "/api/v1/saved-replies", self.bob_token).json(), [])

    def test_viewers_cannot_write_saved_replies(self) -> None:
        response = self.api("POST", "/api/v1/saved-replies", self.vera_token,
                            {"name": "x", "text": "y"})
        self.assertEqual(response.status_code, 403)

    def test_it_publishes_its_paths_in_the_openapi_schema(self) -> None:
        paths = self.client.get("/api/v1/openapi.json").json()["paths"]
        for path in ["/api/v1/saved-replies", "/api/v1/saved-replies/{saved_reply_id}",
                     "/api/v1/conversations/{conversation_id}/saved-replies",
                     "/api/v1/conversations/{conversation_id}/checks", "/api/v1/guidelines",
                     "/api/v1/approvals", "/api/v1/approvals/{approval_id}/approve",
                     "/api/v1/approvals/{approval_id}/reject", "/api/v1/approvals/policy"]:
            self.assertIn(path, paths)
        self.assertEqual(set(paths["/api/v1/guidelines"]), {"get", "put"})
