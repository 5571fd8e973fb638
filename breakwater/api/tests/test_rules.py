"""The rules and assignment API: CRUD, order, enable/disable, dry run, availability, workload."""

from datetime import timedelta

from django.utils import timezone

from breakwater.automation.models import Rule
from breakwater.inbox.models import Conversation, Priority
from breakwater.test import BaseTestCase

V1 = "/api/v1"


class RulesApiTestCase(BaseTestCase):
    def create(self, name: str = "VIP", **body: object) -> dict:
        payload = {"name": name, "conditions": {"text": "palaute"},
                   "actions": [{"type": "priority", "priority": "high"}], **body}
        response = self.api("post", f"{V1}/rules", self.alice_token, json=payload)
        self.assertEqual(response.status_code, 201, response.content)
        return response.json()

    def test_it_creates_lists_changes_and_deletes_rules(self) -> None:
        first = self.create()
        self.assertEqual((first["position"], first["enabled"], first["conditions"]["text"]),
                         (1, True, "palaute"))
        second = self.create("Spam", actions=[{"type": "spam"}], stop=True)
        listed = self.api("get", f"{V1}/rules", self.bob_token).json()
        self.assertEqual([r["id"] for r in listed], [first["id"], second["id"]])
        response = self.api("patch", f"{V1}/rules/{first['id']}", self.alice_token,
                            json={"name": "Feedback", "conditions": {"kinds": ["dm"]}})
        self.assertEqual((response.json()["name"], response.json()["conditions"]["kinds"]),
                         ("Feedback", ["dm"]))
        response = self.api("post", f"{V1}/rules/reorder", self.alice_token,
                            json={"ids": [second["id"], first["id"]]})
        self.assertEqual([r["id"] for r in response.json()], [second["id"], first["id"]])
        self.assertFalse(self.api("post", f"{V1}/rules/{first['id']}/disable",
                                  self.alice_token).json()["enabled"])
        self.assertTrue(self.api("post", f"{V1}/rules/{first['id']}/enable",
                                 self.alice_token).json()["enabled"])
        self.assertEqual(self.api("delete", f"{V1}/rules/{first['id']}", self.alice_token)
                         .status_code, 204)
        self.assertEqual(list(Rule.objects.values_list("pk", flat=True)), [second["id"]])

    def test_created_rules_apply_on_ingest(self) -> None:
        self.create()
        conv = self.conversation(text="Hyvää palautetta")
        self.assertEqual(conv.priority, Priority.HIGH)

    def test_errors_name_the_field(self) -> None:
        response = self.api("post", f"{V1}/rules", self.alice_token, json={
            "name": "x", "conditions": {"time": {"start": "8 am"}}, "actions": []})
        self.assertEqual(response.status_code, 422)
        self.assertIn("conditions.time.start", response.json()["error"])
        response = self.api("post", f"{V1}/rules", self.alice_token, json={
            "name": "x", "actions": [{"type": "reply", "saved_reply": 999}]})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["error"],
                         "actions.0.saved_reply: choose a saved reply of this workspace")
        response = self.api("post", f"{V1}/rules", self.alice_token, json={
            "name": "x", "actions": [{"type": "assign", "member": self.charlie.user_id}]})
        self.assertEqual(response.status_code, 422)

    def test_managers_and_up_edit_and_workspaces_stay_apart(self) -> None:
        response = self.api("post", f"{V1}/rules", self.bob_token, json={"name": "x"})
        self.assertEqual(response.status_code, 403)
        rule = self.create()
        self.assertEqual(self.api("get", f"{V1}/rules/{rule['id']}", self.charlie_token)
                         .status_code, 404)
        self.assertEqual(self.api("patch", f"{V1}/rules/{rule['id']}", self.charlie_token,
                                  json={"enabled": False}).status_code, 404)
        self.assertEqual(self.api("get", f"{V1}/rules", self.charlie_token).json(), [])

    def test_dry_run_answers_the_contract(self) -> None:
        now = timezone.now()
        self.ingest(self.acme, [
            self.item(text="Kiitos palautteesta", created_at=(now - timedelta(days=3)).isoformat()),
            self.item(text="Palautetta tulee", created_at=(now - timedelta(days=9)).isoformat()),
            self.item(text="Palaute vanha", created_at=(now - timedelta(days=50)).isoformat()),
            self.item(text="Muuta asiaa", created_at=(now - timedelta(days=1)).isoformat()),
        ])
        response = self.api("post", f"{V1}/rules/dry-run", self.alice_token,
                            json={"conditions": {"text": "palaute"}, "days": 30})
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["matched"], 2)
        self.assertEqual(body["examples"][0]["text"], "Kiitos palautteesta")
        self.assertEqual(set(body["examples"][0]),
                         {"message_id", "conversation_id", "text", "created_at", "network"})
        self.assertEqual(Conversation.objects.filter(priority__gt=0).count(), 0)
        response = self.api("post", f"{V1}/rules/dry-run", self.alice_token,
                            json={"conditions": {"text": "palaute"}, "days": 0})
        self.assertEqual(response.status_code, 422)

    def test_the_openapi_schema_documents_rules(self) -> None:
        schema = self.api("get", f"{V1}/openapi.json", None).json()
        self.assertIn("/api/v1/rules/dry-run", schema["paths"])
        self.assertIn("/api/v1/workload", schema["paths"])
        self.assertIn("Conditions", schema["components"]["schemas"])


class AssignmentApiTestCase(BaseTestCase):
    def test_policy_availability_and_workload(self) -> None:
        response = self.api("put", f"{V1}/assignment-policies", self.alice_token, json={
            "channel": self.channel.pk, "mode": "round_robin", "pool": [self.bob.user_id]})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["mode"], "round_robin")
        conv = self.conversation()
        self.assertEqual(conv.assignee_id, self.bob.user_id)
        response = self.api("put", f"{V1}/me/availability", self.bob_token,
                            json={"availability": "away"})
        self.assertEqual(response.json(), {"availability": "away"})
        self.assertIsNone(self.conversation().assignee_id)
        rows = {r["email"]: r for r in self.api("get", f"{V1}/workload", self.vera_token).json()}
        self.assertEqual((rows["bob@example.org"]["availability"], rows["bob@example.org"]["open"]),
                         ("away", 1))
        response = self.api("put", f"{V1}/me/availability", self.bob_token,
                            json={"availability": "asleep"})
        self.assertEqual(response.status_code, 422)
        policies = self.api("get", f"{V1}/assignment-policies", self.alice_token).json()
        self.assertEqual(len(policies), 1)
        self.assertEqual(self.api("delete", f"{V1}/assignment-policies/{policies[0]['id']}",
                                  self.alice_token).status_code, 204)
