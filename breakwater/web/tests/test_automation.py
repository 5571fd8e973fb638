"""The rules pages, the editor with its dry run, assignment, workload and availability."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from breakwater.automation import actions
from breakwater.automation.models import AssignmentPolicy, Rule
from breakwater.core.models import Membership
from breakwater.test import PASSWORD, BaseTestCase

RULE_FORM = {
    "name": "Feedback", "trigger": "message_received", "c_text": "palaute",
    "c_kinds": ["comment"], "c_start": "08:00", "c_end": "", "c_weekdays": ["0", "1"],
    "a_tags": "feedback, product", "a_priority": "high", "a_assign": "member",
    "enabled": "1",
}


class RulesPagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.login(username="alice@example.org", password=PASSWORD)

    def test_the_editor_saves_form_rows_as_a_rule(self) -> None:
        form = {**RULE_FORM, "a_member": str(self.bob.user_id), "do": "save"}
        response = self.client.post(reverse("web:rule_new"), form)
        self.assertRedirects(response, reverse("web:rules"))
        rule = Rule.objects.get()
        self.assertEqual(rule.conditions["text"], "palaute")
        self.assertEqual(rule.conditions["time"], {"start": "08:00", "end": None, "weekdays": [0, 1]})
        self.assertEqual([a["type"] for a in rule.actions], ["tag", "assign", "priority"])
        page = self.client.get(reverse("web:rule_edit", args=[rule.pk]))
        self.assertContains(page, 'value="palaute"')
        self.assertContains(page, 'value="feedback, product"')
        listing = self.client.get(reverse("web:rules"))
        self.assertContains(listing, "Feedback")
        self.assertContains(listing, "Text matches: “palaute” · Type: comment")
        self.assertContains(listing, "Add tags: feedback, product · Assign: member · Set priority: high")

    def test_the_editor_shows_the_dry_run_before_saving(self) -> None:
        now = timezone.now()
        self.ingest(self.acme, [
            self.item(text="Kiitos palautteesta", created_at=(now - timedelta(days=2)).isoformat()),
            self.item(text="Ei mitään", created_at=(now - timedelta(days=2)).isoformat()),
        ])
        form = {"name": "x", "c_text": "palaute", "do": "try"}
        page = self.client.post(reverse("web:rule_new"), form)
        self.assertContains(page, "Would have matched 1 message in the last 30 days.")
        self.assertContains(page, "Kiitos palautteesta")
        self.assertFalse(Rule.objects.exists())
        partial = self.client.post(reverse("web:rule_new"), {"c_text": "", "do": "try"},
                                   HTTP_X_REQUESTED_WITH="fetch")
        self.assertContains(partial, "Would have matched 2 messages in the last 30 days.")
        self.assertNotContains(partial, "<html")

    def test_errors_keep_the_form(self) -> None:
        form = {**RULE_FORM, "a_member": "", "do": "save"}
        page = self.client.post(reverse("web:rule_new"), form)
        self.assertContains(page, "choose the member who gets the conversation", status_code=400)
        self.assertContains(page, 'value="palaute"', status_code=400)

    def test_list_buttons_reorder_disable_and_delete(self) -> None:
        first = actions.do_create_rule(self.alice, "one", {}, [])
        second = actions.do_create_rule(self.alice, "two", {}, [])
        command = reverse("web:rule_command", args=[second.pk])
        self.client.post(command, {"do": "up"})
        self.assertEqual(list(Rule.objects.order_by("position").values_list("pk", flat=True)),
                         [second.pk, first.pk])
        self.client.post(command, {"do": "disable"})
        second.refresh_from_db()
        self.assertFalse(second.enabled)
        self.client.post(command, {"do": "delete"})
        self.assertEqual(list(Rule.objects.values_list("pk", flat=True)), [first.pk])

    def test_agents_see_rules_but_cannot_change_them(self) -> None:
        rule = actions.do_create_rule(self.alice, "one", {}, [])
        self.client.login(username="bob@example.org", password=PASSWORD)
        listing = self.client.get(reverse("web:rules"))
        self.assertContains(listing, "one")
        self.assertNotContains(listing, reverse("web:rule_new"))
        self.client.post(reverse("web:rule_command", args=[rule.pk]), {"do": "delete"})
        self.assertTrue(Rule.objects.filter(pk=rule.pk).exists())

    def test_another_workspaces_rule_is_not_found(self) -> None:
        theirs = actions.do_create_rule(self.charlie, "theirs", {}, [])
        self.assertEqual(self.client.get(reverse("web:rule_edit", args=[theirs.pk])).status_code, 404)


class AssignmentPagesTestCase(BaseTestCase):
    def test_policy_form_workload_and_availability(self) -> None:
        self.client.login(username="alice@example.org", password=PASSWORD)
        response = self.client.post(reverse("web:assignment"), {
            "channel": str(self.channel.pk), "mode": "round_robin", "pool": [str(self.bob.user_id)]})
        self.assertRedirects(response, reverse("web:assignment"))
        self.assertEqual(AssignmentPolicy.objects.get().pool, [self.bob.user_id])
        self.assertContains(self.client.get(reverse("web:assignment")), "Round robin")
        self.conversation()
        page = self.client.get(reverse("web:workload"))
        self.assertContains(page, "Bob")
        self.client.post(reverse("web:availability"), {"availability": "away", "next": "/rules/"})
        alice = Membership.objects.get(pk=self.alice.pk)
        self.assertEqual(alice.availability, "away")
        self.assertContains(self.client.get(reverse("web:rules")), 'value="away" selected')
