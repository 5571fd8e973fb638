from django.core import mail
from django.urls import reverse

from breakwater.feedback import queries
from breakwater.feedback.models import Destination, Feedback, Forward
from breakwater.inbox.models import Message
from breakwater.test import PASSWORD, BaseTestCase


class FeedbackPagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.conv = self.conversation(text="Please bring back the oat latte")
        self.msg = Message.objects.get(conversation=self.conv)
        self.cats = {c.name: c for c in queries.categories(self.bob)}

    def login(self, email: str) -> None:
        self.client.login(username=email, password=PASSWORD)

    def test_an_agent_files_a_message_and_sees_it_grouped(self) -> None:
        self.login("bob@example.org")
        page = self.client.get(reverse("web:conversation", args=[self.conv.pk]))
        self.assertContains(page, "File as feedback")
        response = self.client.post(
            reverse("web:feedback_tag", args=[self.msg.pk]),
            {
                "category": self.cats["Product"].pk,
                "note": "menu team",
                "next": reverse("web:conversation", args=[self.conv.pk]),
            },
            follow=True,
        )
        self.assertContains(response, "Filed as feedback.")
        self.assertContains(response, "Feedback: Product")
        page = self.client.get(reverse("web:feedback"))
        self.assertContains(page, "Please bring back the oat latte")
        self.assertContains(page, "menu team")
        self.assertNotContains(page, "Add destination")  # agents do not manage destinations
        response = self.client.post(
            reverse("web:feedback_tag", args=[self.msg.pk]), {}, follow=True
        )
        self.assertContains(response, "Choose a category")
        self.client.post(reverse("web:feedback_untag", args=[self.msg.pk]))
        self.assertFalse(Feedback.objects.exists())

    def test_a_manager_adds_a_destination_and_forwards_a_group(self) -> None:
        self.login("alice@example.org")
        self.client.post(
            reverse("web:feedback_tag", args=[self.msg.pk]), {"category": self.cats["Product"].pk}
        )
        response = self.client.post(
            reverse("web:feedback_destination_add"),
            {"name": "Menu team", "kind": "email", "address": "menu@acme.example"},
            follow=True,
        )
        self.assertContains(response, "Destination added.")
        dest = Destination.objects.get()
        page = self.client.get(reverse("web:feedback"))
        self.assertContains(page, "Forward this group to")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("web:feedback_forward_group"),
                {"destination": dest.pk, "category": self.cats["Product"].pk, "comment": "weekly"},
                follow=True,
            )
        self.assertContains(response, "Forwarded.")
        self.assertEqual(Forward.objects.get().status, "sent")
        self.assertIn("oat latte", mail.outbox[0].body)
        self.assertContains(self.client.get(reverse("web:feedback")), "Menu team")

    def test_errors_say_what_to_do(self) -> None:
        self.login("alice@example.org")
        response = self.client.post(
            reverse("web:feedback_destination_add"),
            {"name": "Slack", "kind": "webhook", "address": "not a url"},
            follow=True,
        )
        self.assertContains(response, "incoming-webhook URL")
        response = self.client.post(
            reverse("web:feedback_forward", args=[self.msg.pk]), {}, follow=True
        )
        self.assertContains(response, "managers add destinations")
