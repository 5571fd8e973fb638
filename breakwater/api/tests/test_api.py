import json

from breakwater.core.models import ApiToken, Channel
from breakwater.inbox.models import Conversation, Message, Note, Status
from breakwater.outbox.models import Delivery, DeliveryStatus
from breakwater.test import BaseTestCase

V1 = "/api/v1"


class ApiTestCase(BaseTestCase):
    def assertError(self, response, status: int) -> dict:
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        data = response.json()
        self.assertEqual(set(data), {"error", "detail"})
        self.assertIsInstance(data["error"], str)
        self.assertTrue(data["error"])
        return data


class AuthTestCase(ApiTestCase):
    def test_it_requires_a_token(self) -> None:
        for method, path in [
            ("get", "/conversations"),
            ("post", "/ingest"),
            ("get", "/channels"),
            ("patch", "/conversations/1"),
        ]:
            data = self.assertError(self.api(method, V1 + path, None), 401)
            self.assertIn("Bearer", data["detail"])

    def test_it_refuses_a_bad_token(self) -> None:
        self.assertError(self.api("get", f"{V1}/conversations", "bw_not-a-real-token"), 401)
        self.assertError(self.api("get", f"{V1}/conversations", ""), 401)
        response = self.client.get(
            f"{V1}/conversations", HTTP_AUTHORIZATION=f"Token {self.alice_token}"
        )
        self.assertError(response, 401)

    def test_it_refuses_the_token_of_a_deactivated_user(self) -> None:
        user = self.bob.user
        user.is_active = False
        user.save()
        self.assertError(self.api("get", f"{V1}/conversations", self.bob_token), 401)

    def test_it_marks_the_token_used(self) -> None:
        self.assertEqual(self.api("get", f"{V1}/channels", self.bob_token).status_code, 200)
        self.assertIsNotNone(ApiToken.objects.get(name="bob").last_used_at)
        self.assertIsNone(ApiToken.objects.get(name="vera").last_used_at)

    def test_it_publishes_the_openapi_schema(self) -> None:
        response = self.client.get(f"{V1}/openapi.json")
        self.assertEqual(response.status_code, 200)
        paths = response.json()["paths"]
        for path in [
            "/api/v1/ingest",
            "/api/v1/conversations",
            "/api/v1/conversations/{conversation_id}",
            "/api/v1/conversations/{conversation_id}/replies",
            "/api/v1/conversations/{conversation_id}/notes",
            "/api/v1/conversations/bulk",
            "/api/v1/channels",
        ]:
            self.assertIn(path, paths)
        self.assertEqual(set(paths["/api/v1/conversations/{conversation_id}"]), {"get", "patch"})
        self.assertEqual(set(paths["/api/v1/channels"]), {"get", "post"})


class IngestApiTestCase(ApiTestCase):
    url = f"{V1}/ingest"

    def test_it_ingests_a_json_array(self) -> None:
        items = [self.item(), self.item(), {"network": "demo"}]
        response = self.api("post", self.url, self.bob_token, json=items)
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(set(data), {"received", "created", "duplicates", "errors"})
        self.assertEqual((data["received"], data["created"], data["duplicates"]), (3, 2, 0))
        self.assertEqual([e["index"] for e in data["errors"]], [2])
        self.assertEqual(set(data["errors"][0]), {"index", "error"})

        again = self.api("post", self.url, self.bob_token, json=items[:2]).json()
        self.assertEqual(again, {"received": 2, "created": 0, "duplicates": 2, "errors": []})
        self.assertEqual(Message.objects.count(), 2)

    def test_it_ingests_json_lines(self) -> None:
        lines = [json.dumps(self.item()), "{not json", "", json.dumps(self.item())]
        response = self.api(
            "post",
            self.url,
            self.bob_token,
            body="\n".join(lines) + "\n",
            content_type="application/x-ndjson",
        )
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual((data["received"], data["created"]), (3, 2))
        self.assertEqual(len(data["errors"]), 1)
        self.assertEqual(data["errors"][0]["index"], 1)
        self.assertIn("not valid JSON", data["errors"][0]["error"])

    def test_it_ingests_a_single_object(self) -> None:
        data = self.api("post", self.url, self.bob_token, json=self.item()).json()
        self.assertEqual(data["created"], 1)

    def test_it_refuses_an_unparseable_body(self) -> None:
        for body in ["[{broken", "complete nonsense", "", b"\xff\xfe\x00garbage"]:
            data = self.assertError(self.api("post", self.url, self.bob_token, body=body), 400)
            self.assertIn("body", data["error"])
        self.assertFalse(Message.objects.exists())

    def test_it_keeps_items_in_their_workspace(self) -> None:
        item = self.item(channel=self.other_channel.pk)
        data = self.api("post", self.url, self.bob_token, json=[item]).json()
        self.assertEqual(data["created"], 0)
        self.assertIn("not a channel of this workspace", data["errors"][0]["error"])
        self.assertFalse(Message.objects.exists())

    def test_it_refuses_a_viewer(self) -> None:
        self.assertError(self.api("post", self.url, self.vera_token, json=[self.item()]), 403)
        self.assertFalse(Message.objects.exists())


class ConversationApiTestCase(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.conv = self.conversation(text="Is the Kallio café open on Sunday?")
        self.url = f"{V1}/conversations/{self.conv.pk}"

    def test_it_lists_conversations_with_cursor_and_limit(self) -> None:
        for _ in range(4):
            self.conversation()
        self.conversation(workspace=self.other)
        expected = list(
            Conversation.objects.filter(workspace=self.acme)
            .order_by("-last_activity_at", "-pk")
            .values_list("pk", flat=True)
        )
        seen: list[int] = []
        path = f"{V1}/conversations?limit=2"
        while True:
            response = self.api("get", path, self.vera_token)
            self.assertEqual(response.status_code, 200, response.content)
            page = response.json()
            self.assertLessEqual(len(page["items"]), 2)
            seen += [c["id"] for c in page["items"]]
            if not page["next_cursor"]:
                break
            path = f"{V1}/conversations?limit=2&cursor={page['next_cursor']}"
        self.assertEqual(seen, expected)

        first = self.api("get", f"{V1}/conversations", self.vera_token).json()
        self.assertEqual(first["counts"], {"open": 5, "pending": 0, "done": 0})
        item = first["items"][-1]
        self.assertEqual(item["id"], self.conv.pk)
        self.assertEqual(
            item["channel"], {"id": self.channel.pk, "network": "demo", "name": "Acme demo"}
        )
        self.assertEqual(item["preview"], "Is the Kallio café open on Sunday?")
        self.assertEqual((item["status"], item["tags"], item["assignee"]), ("open", [], None))
        self.assertIsNotNone(item["contact"])

    def test_it_filters_the_list(self) -> None:
        dm = self.conversation(kind="dm")
        self.api(
            "patch",
            f"{V1}/conversations/{dm.pk}",
            self.bob_token,
            json={"status": "pending", "assignee": "bob@example.org", "add_tags": ["vip"]},
        )

        def ids(query: str, token: str = self.bob_token) -> list[int]:
            response = self.api("get", f"{V1}/conversations?{query}", token)
            self.assertEqual(response.status_code, 200, response.content)
            return [c["id"] for c in response.json()["items"]]

        self.assertEqual(ids("status=pending"), [dm.pk])
        self.assertEqual(ids("status=open"), [self.conv.pk])
        self.assertEqual(ids("kind=dm"), [dm.pk])
        self.assertEqual(ids("tag=vip"), [dm.pk])
        self.assertEqual(ids("assignee=me"), [dm.pk])
        self.assertEqual(ids("assignee=me", self.alice_token), [])
        self.assertEqual(ids("assignee=none"), [self.conv.pk])
        self.assertEqual(ids(f"channel={self.channel.pk}&network=demo"), [dm.pk, self.conv.pk])
        self.assertEqual(ids("q=kallio"), [self.conv.pk])
        self.assertEqual(ids("status=open", self.charlie_token), [])

    def test_it_refuses_invalid_list_parameters(self) -> None:
        for query in ["limit=0", "limit=201", "channel=abc", "status=archived", "cursor=%%%"]:
            data = self.assertError(
                self.api("get", f"{V1}/conversations?{query}", self.bob_token), 422
            )
            self.assertTrue(data["error"])

    def test_it_opens_a_conversation(self) -> None:
        self.api("post", f"{self.url}/notes", self.bob_token, json={"text": "Checking @alice"})
        response = self.api("get", self.url, self.vera_token)
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(data["id"], self.conv.pk)
        self.assertEqual(len(data["messages"]), 1)
        message = data["messages"][0]
        self.assertEqual(
            (message["direction"], message["text"], message["delivery_state"]),
            ("in", "Is the Kallio café open on Sunday?", "received"),
        )
        self.assertEqual(message["author"]["handle"], message["author"]["handle"].strip())
        self.assertEqual([n["text"] for n in data["notes"]], ["Checking @alice"])
        self.assertEqual(data["notes"][0]["mentions"], ["alice"])
        self.assertEqual(data["notes"][0]["author"]["email"], "bob@example.org")

    def test_it_hides_another_workspaces_conversation(self) -> None:
        for method, path, body in [
            ("get", self.url, None),
            ("patch", self.url, {"status": "done"}),
            ("post", f"{self.url}/replies", {"text": "Hello"}),
            ("post", f"{self.url}/notes", {"text": "Hello"}),
            ("post", f"{V1}/conversations/bulk", {"ids": [self.conv.pk], "status": "done"}),
        ]:
            self.assertError(self.api(method, path, self.charlie_token, json=body), 404)
        self.assertError(self.api("get", f"{V1}/conversations/987654", self.alice_token), 404)
        self.conv.refresh_from_db()
        self.assertEqual(self.conv.status, Status.OPEN)
        self.assertFalse(Note.objects.exists())
        self.assertFalse(Delivery.objects.exists())

    def test_it_changes_a_conversation(self) -> None:
        response = self.api(
            "patch",
            self.url,
            self.bob_token,
            json={
                "status": "pending",
                "priority": "high",
                "assignee": "alice@example.org",
                "add_tags": ["refund", "vip"],
            },
        )
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(
            (data["status"], data["priority"], data["tags"]), ("pending", 3, ["refund", "vip"])
        )
        self.assertEqual(data["assignee"]["email"], "alice@example.org")

        data = self.api(
            "patch", self.url, self.bob_token, json={"assignee": None, "remove_tags": ["vip"]}
        ).json()
        self.assertEqual(
            (data["assignee"], data["tags"], data["status"]), (None, ["refund"], "pending")
        )

    def test_it_refuses_invalid_changes(self) -> None:
        for body in [
            {"status": "archived"},
            {"priority": "sky-high"},
            {"colour": "red"},
            {},
            {"assignee": "charlie@example.org"},
            {"add_tags": [""]},
        ]:
            self.assertError(self.api("patch", self.url, self.bob_token, json=body), 422)
        self.conv.refresh_from_db()
        self.assertEqual(
            (self.conv.status, self.conv.priority, self.conv.assignee_id), (Status.OPEN, 0, None)
        )

    def test_it_refuses_a_viewer_changing_things(self) -> None:
        for method, path, body in [
            ("patch", self.url, {"status": "done"}),
            ("post", f"{self.url}/replies", {"text": "Hello"}),
            ("post", f"{self.url}/notes", {"text": "Hello"}),
            ("post", f"{V1}/conversations/bulk", {"ids": [self.conv.pk], "status": "done"}),
            ("post", f"{V1}/channels", {"network": "demo", "name": "Mine"}),
        ]:
            self.assertError(self.api(method, path, self.vera_token, json=body), 403)
        self.conv.refresh_from_db()
        self.assertEqual(self.conv.status, Status.OPEN)

    def test_it_updates_in_bulk(self) -> None:
        second = self.conversation()
        response = self.api(
            "post",
            f"{V1}/conversations/bulk",
            self.bob_token,
            json={"ids": [self.conv.pk, second.pk], "status": "done"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(sorted(response.json()["updated"]), sorted([self.conv.pk, second.pk]))
        self.assertEqual(Conversation.objects.filter(status="done").count(), 2)
        self.assertError(
            self.api(
                "post",
                f"{V1}/conversations/bulk",
                self.bob_token,
                json={"ids": [], "status": "done"},
            ),
            422,
        )

    def test_it_replies_once_per_idempotency_key(self) -> None:
        body = {"text": "Yes, from 9 to 17!", "idempotency_key": "ticket-7"}
        with self.captureOnCommitCallbacks(execute=True):
            first = self.api("post", f"{self.url}/replies", self.bob_token, json=body)
        self.assertEqual(first.status_code, 201, first.content)
        created = first.json()
        self.assertEqual(
            (created["direction"], created["kind"], created["text"]),
            ("out", "reply", "Yes, from 9 to 17!"),
        )
        self.assertEqual(created["sent_by"]["email"], "bob@example.org")

        with self.captureOnCommitCallbacks(execute=True):
            replay = self.api("post", f"{self.url}/replies", self.bob_token, json=body)
        self.assertEqual(replay.status_code, 200, replay.content)
        replayed = replay.json()
        self.assertEqual(replayed["id"], created["id"])
        # By now the network has it: the replay shows where it went.
        self.assertEqual(replayed["delivery_state"], "sent")
        self.assertTrue(replayed["external_id"].startswith("demo-reply-"))
        self.assertEqual(Delivery.objects.get().status, DeliveryStatus.SENT)
        self.assertEqual(Message.objects.filter(direction="out").count(), 1)

        conflict = self.api(
            "post",
            f"{self.url}/replies",
            self.bob_token,
            json={"text": "Something else", "idempotency_key": "ticket-7"},
        )
        self.assertError(conflict, 409)

    def test_it_refuses_invalid_replies(self) -> None:
        for body in [
            {},
            {"text": ""},
            {"text": "x" * 2001},
            {"text": "hi", "idempotency_key": "k" * 201},
        ]:
            self.assertError(
                self.api("post", f"{self.url}/replies", self.bob_token, json=body), 422
            )
        self.assertFalse(Delivery.objects.exists())

    def test_it_adds_a_note(self) -> None:
        response = self.api(
            "post", f"{self.url}/notes", self.bob_token, json={"text": "Ask @vera@example.org"}
        )
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual(
            (data["text"], data["mentions"]), ("Ask @vera@example.org", ["vera@example.org"])
        )
        self.assertFalse(Delivery.objects.exists())
        self.assertError(
            self.api("post", f"{self.url}/notes", self.bob_token, json={"text": ""}), 422
        )


class ChannelApiTestCase(ApiTestCase):
    url = f"{V1}/channels"

    def test_it_lists_the_workspaces_channels(self) -> None:
        response = self.api("get", self.url, self.vera_token)
        self.assertEqual(response.status_code, 200)
        self.assertEqual([c["id"] for c in response.json()], [self.channel.pk])
        self.assertEqual(response.json()[0]["config"], {"handle": "acme"})
        data = self.api("get", self.url, self.charlie_token).json()
        self.assertEqual([c["id"] for c in data], [self.other_channel.pk])

    def test_it_connects_a_channel_and_keeps_its_secrets(self) -> None:
        response = self.api(
            "post",
            self.url,
            self.alice_token,
            json={
                "network": "api",
                "name": "Our CRM",
                "config": {"webhook_url": "https://crm.invalid/replies", "secret": "s3cret"},
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual(
            (data["network"], data["name"], data["status"]), ("api", "Our CRM", "active")
        )
        self.assertEqual(data["config"], {"webhook_url": "https://crm.invalid/replies"})
        # The secret the integrator chose is theirs: shown to admins, as a generated one is.
        self.assertEqual(data["secret"], "s3cret")
        channel = Channel.objects.get(pk=data["id"])
        self.assertEqual(channel.workspace_id, self.acme.pk)
        self.assertNotIn("s3cret", channel.secrets_encrypted)
        self.assertTrue(channel.secrets_encrypted)

    def test_an_api_channel_gets_a_generated_secret_that_only_admins_see(self) -> None:
        response = self.api("post", self.url, self.alice_token,
                            json={"network": "api", "name": "CRM",
                                  "config": {"webhook_url": "https://crm.invalid/hook"}})
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertGreaterEqual(len(data["secret"]), 32)
        channel = Channel.objects.get(pk=data["id"])
        self.assertNotIn(data["secret"], channel.secrets_encrypted)
        detail = self.api("get", f"{self.url}/{data['id']}", self.alice_token).json()
        self.assertEqual(detail["secret"], data["secret"])
        self.assertIsNone(self.api("get", f"{self.url}/{data['id']}", self.bob_token).json()["secret"])
        self.assertEqual(self.api("get", f"{self.url}/{data['id']}", self.charlie_token).status_code, 404)
        demo = self.api("get", f"{self.url}/{self.channel.pk}", self.alice_token).json()
        self.assertIsNone(demo["secret"])

    def test_it_refuses_agents_and_invalid_channels(self) -> None:
        self.assertError(
            self.api("post", self.url, self.bob_token, json={"network": "demo", "name": "Mine"}),
            403,
        )
        for body in [
            {"network": "myspace", "name": "Old"},
            {"network": "demo", "name": ""},
            {"network": "demo", "name": "   "},
            {"network": "demo"},
            {"network": "demo", "name": "x", "config": {"password": "no"}},
        ]:
            self.assertError(self.api("post", self.url, self.alice_token, json=body), 422)
        self.assertEqual(Channel.objects.filter(workspace=self.acme).count(), 1)
