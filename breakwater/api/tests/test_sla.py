from breakwater.api.tests.test_api import V1, ApiTestCase
from breakwater.core.models import AuditLog
from breakwater.inbox.models import Conversation


class BusinessHoursApiTestCase(ApiTestCase):
    def test_it_answers_the_defaults_before_anyone_saved(self) -> None:
        data = self.api("get", f"{V1}/business-hours", self.bob_token).json()
        self.assertEqual(data["week"][0], [["08:00", "16:00"]])
        self.assertEqual(data["week"][5:], [[], []])
        self.assertTrue(data["finnish_holidays"])
        self.assertEqual(
            (data["timezone"], data["breaching_soon_minutes"]), ("Europe/Helsinki", 30)
        )

    def test_managers_replace_the_setting(self) -> None:
        body = {
            "week": [[["09:00", "12:00"], ["13:00", "17:00"]]] * 5 + [[], []],
            "finnish_holidays": False,
            "breaching_soon_minutes": 45,
            "holidays": [{"date": "2026-12-31", "name": "Company day"}],
        }
        response = self.api("put", f"{V1}/business-hours", self.alice_token, json=body)
        self.assertEqual(response.status_code, 200, response.content)
        data = self.api("get", f"{V1}/business-hours", self.bob_token).json()
        self.assertEqual(data["week"][2], [["09:00", "12:00"], ["13:00", "17:00"]])
        self.assertEqual(data["holidays"], [{"date": "2026-12-31", "name": "Company day"}])
        self.assertFalse(data["finnish_holidays"])
        self.assertTrue(AuditLog.objects.filter(action="business_hours.updated").exists())
        # The other workspace keeps its defaults.
        theirs = self.api("get", f"{V1}/business-hours", self.charlie_token).json()
        self.assertEqual(theirs["holidays"], [])

    def test_agents_may_not_and_bad_hours_say_why(self) -> None:
        week = [[["08:00", "16:00"]]] * 7
        self.assertError(
            self.api("put", f"{V1}/business-hours", self.bob_token, json={"week": week}), 403
        )
        data = self.assertError(
            self.api(
                "put",
                f"{V1}/business-hours",
                self.alice_token,
                json={"week": [[["8", "16:00"]]] * 7},
            ),
            422,
        )
        self.assertIn("HH:MM", data["error"])
        self.assertError(
            self.api("put", f"{V1}/business-hours", self.alice_token, json={"week": week[:5]}), 422
        )


class SlaTargetApiTestCase(ApiTestCase):
    def test_it_creates_lists_changes_and_deletes_targets(self) -> None:
        conv = self.conversation()
        response = self.api(
            "post",
            f"{V1}/sla-targets",
            self.alice_token,
            json={"minutes": 60, "business_hours": False},
        )
        self.assertEqual(response.status_code, 201, response.content)
        target = response.json()
        self.assertEqual(
            (target["minutes"], target["priority"], target["channel"]), (60, None, None)
        )
        conv.refresh_from_db()
        self.assertIsNotNone(conv.response_due_at)
        listed = self.api("get", f"{V1}/conversations?due=soon&sort=due", self.bob_token).json()
        self.assertEqual(listed["items"], [])  # due in an hour, not within 30 minutes
        listed = self.api("get", f"{V1}/conversations?sort=due", self.bob_token).json()
        self.assertEqual(listed["items"][0]["id"], conv.pk)
        self.assertIsNotNone(listed["items"][0]["response_due_at"])

        changed = self.api(
            "put",
            f"{V1}/sla-targets/{target['id']}",
            self.alice_token,
            json={"minutes": 20, "business_hours": False, "channel": self.channel.pk},
        )
        self.assertEqual(changed.json()["channel"], self.channel.pk)
        listed = self.api("get", f"{V1}/conversations?due=soon", self.bob_token).json()
        self.assertEqual([c["id"] for c in listed["items"]], [conv.pk])

        self.assertEqual(self.api("get", f"{V1}/sla-targets", self.charlie_token).json(), [])
        self.assertError(
            self.api("delete", f"{V1}/sla-targets/{target['id']}", self.charlie_token), 404
        )
        self.assertError(
            self.api("delete", f"{V1}/sla-targets/{target['id']}", self.bob_token), 403
        )
        deleted = self.api("delete", f"{V1}/sla-targets/{target['id']}", self.alice_token)
        self.assertEqual(deleted.status_code, 204)
        self.assertIsNone(Conversation.objects.get(pk=conv.pk).response_due_at)

    def test_it_refuses_bad_targets(self) -> None:
        self.assertError(
            self.api("post", f"{V1}/sla-targets", self.alice_token, json={"minutes": 0}), 422
        )
        self.assertError(
            self.api(
                "post", f"{V1}/sla-targets", self.alice_token, json={"minutes": 5, "priority": 9}
            ),
            422,
        )
        self.assertError(self.api("get", f"{V1}/conversations?due=later", self.bob_token), 422)

    def test_the_schema_documents_the_endpoints(self) -> None:
        paths = self.client.get(f"{V1}/openapi.json").json()["paths"]
        for path in (
            "/api/v1/business-hours",
            "/api/v1/sla-targets",
            "/api/v1/sla-targets/{target_id}",
        ):
            self.assertIn(path, paths)
