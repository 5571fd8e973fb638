from django.core import mail

from breakwater.api.tests.test_api import V1, ApiTestCase
from breakwater.core.models import AuditLog
from breakwater.inbox.models import Message


class FeedbackApiTestCase(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.msg = Message.objects.get(conversation=self.conversation(text="Add dark mode please"))
        cats = self.api("get", f"{V1}/feedback-categories", self.bob_token).json()
        self.cat = {c["name"]: c["id"] for c in cats}

    def test_it_files_groups_and_removes(self) -> None:
        response = self.api(
            "post",
            f"{V1}/messages/{self.msg.pk}/feedback",
            self.bob_token,
            json={"category": self.cat["Product"], "note": "asked twice"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["category"], "Product")
        view = self.api("get", f"{V1}/feedback", self.bob_token).json()
        self.assertEqual(view["total"], 1)
        group = view["groups"][0]
        self.assertEqual((group["category"]["name"], group["count"]), ("Product", 1))
        self.assertEqual(group["examples"][0]["text"], "Add dark mode please")
        self.assertEqual(
            self.api("get", f"{V1}/feedback?category={self.cat['Bug']}", self.bob_token).json()[
                "total"
            ],
            0,
        )
        self.assertEqual(self.api("get", f"{V1}/feedback", self.charlie_token).json()["total"], 0)
        self.assertEqual(
            self.api("delete", f"{V1}/messages/{self.msg.pk}/feedback", self.bob_token).status_code,
            204,
        )
        self.assertEqual(self.api("get", f"{V1}/feedback", self.bob_token).json()["total"], 0)

    def test_it_refuses_viewers_strangers_and_unknown_categories(self) -> None:
        body = {"category": self.cat["Bug"]}
        self.assertError(
            self.api("post", f"{V1}/messages/{self.msg.pk}/feedback", self.vera_token, json=body),
            403,
        )
        self.assertError(
            self.api(
                "post", f"{V1}/messages/{self.msg.pk}/feedback", self.charlie_token, json=body
            ),
            404,
        )
        self.assertError(
            self.api(
                "post",
                f"{V1}/messages/{self.msg.pk}/feedback",
                self.bob_token,
                json={"category": 999999},
            ),
            404,
        )

    def test_categories_crud(self) -> None:
        created = self.api(
            "post", f"{V1}/feedback-categories", self.alice_token, json={"name": "Pricing"}
        )
        self.assertEqual(created.status_code, 201)
        cid = created.json()["id"]
        renamed = self.api(
            "patch", f"{V1}/feedback-categories/{cid}", self.alice_token, json={"name": "Prices"}
        )
        self.assertEqual(renamed.json()["name"], "Prices")
        self.assertError(
            self.api("post", f"{V1}/feedback-categories", self.alice_token, json={"name": "Bug"}),
            409,
        )
        self.assertError(
            self.api("post", f"{V1}/feedback-categories", self.bob_token, json={"name": "X"}), 403
        )
        self.assertEqual(
            self.api("delete", f"{V1}/feedback-categories/{cid}", self.alice_token).status_code, 204
        )

    def test_it_forwards_a_message_and_a_group(self) -> None:
        self.api(
            "post",
            f"{V1}/messages/{self.msg.pk}/feedback",
            self.bob_token,
            json={"category": self.cat["Product"]},
        )
        dest = self.api(
            "post",
            f"{V1}/feedback-destinations",
            self.alice_token,
            json={"name": "Product", "kind": "email", "address": "p@acme.example"},
        )
        self.assertEqual(dest.status_code, 201, dest.content)
        self.assertNotIn("address", dest.json())
        dest_id = dest.json()["id"]
        with self.captureOnCommitCallbacks(execute=True):
            one = self.api(
                "post",
                f"{V1}/feedback/forward",
                self.bob_token,
                json={
                    "destination": dest_id,
                    "message_ids": [self.msg.pk],
                    "comment": "for the roadmap",
                },
            )
        self.assertEqual(one.status_code, 201, one.content)
        self.assertEqual(one.json()["message_ids"], [self.msg.pk])
        with self.captureOnCommitCallbacks(execute=True):
            group = self.api(
                "post",
                f"{V1}/feedback/forward",
                self.bob_token,
                json={"destination": dest_id, "category": self.cat["Product"]},
            )
        self.assertEqual(group.status_code, 201, group.content)
        self.assertEqual(len(mail.outbox), 2)
        self.assertIn("for the roadmap", mail.outbox[0].body)
        forwards = self.api("get", f"{V1}/feedback/forwards", self.bob_token).json()
        self.assertEqual([f["status"] for f in forwards], ["sent", "sent"])
        self.assertEqual(AuditLog.objects.filter(action="feedback.forwarded").count(), 2)
        self.assertError(
            self.api(
                "post", f"{V1}/feedback/forward", self.bob_token, json={"destination": dest_id}
            ),
            422,
        )
        self.assertError(
            self.api("post", f"{V1}/feedback/forwards/{forwards[0]['id']}/retry", self.bob_token),
            409,
        )

    def test_the_schema_documents_the_endpoints(self) -> None:
        paths = self.client.get(f"{V1}/openapi.json").json()["paths"]
        for path in (
            "/api/v1/feedback",
            "/api/v1/messages/{message_id}/feedback",
            "/api/v1/feedback/forward",
            "/api/v1/feedback-destinations",
            "/api/v1/feedback-categories",
        ):
            self.assertIn(path, paths)
