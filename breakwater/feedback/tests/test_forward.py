"""Forwarding feedback to a real local SMTP server and a real local webhook server."""

from django.core import mail
from django.test import override_settings

from breakwater.core.errors import Invalid, NotFound
from breakwater.core.models import AuditLog
from breakwater.feedback import actions, queries
from breakwater.feedback.models import ForwardStatus
from breakwater.feedback.queries import FeedbackFilters
from breakwater.feedback.tests.servers import smtp_server, webhook_server
from breakwater.inbox.models import Message
from breakwater.test import BaseTestCase


class ForwardTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        cats = {c.name: c for c in queries.categories(self.bob)}
        conv = self.conversation(
            text="Checkout button does nothing on Android",
            author={"external_id": "a1", "handle": "maija", "name": "Maija M"},
            url="https://demo.invalid/posts/1",
        )
        self.message = Message.objects.get(conversation=conv)
        actions.do_tag_feedback(self.bob, self.message.pk, cats["Bug"].pk, "Happens since 2.3")
        self.bug = cats["Bug"]

    def test_it_forwards_by_email_through_a_real_smtp_server(self) -> None:
        with (
            smtp_server() as (port, received),
            override_settings(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=port,
            ),
        ):
            dest = actions.do_create_destination(
                self.alice, "Product", "email", "product@acme.example"
            )
            with self.captureOnCommitCallbacks(execute=True):
                forward = actions.do_forward(self.bob, [self.message.pk], dest.pk, "Please look")
            forward.refresh_from_db()
        self.assertEqual(forward.status, ForwardStatus.SENT, forward.error)
        self.assertEqual(len(received), 1)
        self.assertEqual(received[0]["to"], ["product@acme.example"])
        data = received[0]["data"]
        for expected in (
            "Subject: Feedback from acme: Bug",
            "Checkout button does nothing",
            "Maija M on demo",
            "Happens since 2.3",
            "Please look",
            f"/c/{self.message.conversation_id}/",
        ):
            self.assertIn(expected, data)
        entry = AuditLog.objects.get(action="feedback.forwarded")
        self.assertEqual(
            (entry.data["messages"], entry.data["destination"]), ([self.message.pk], "Product")
        )

    def test_it_posts_slack_compatible_json_and_retries_a_5xx(self) -> None:
        with webhook_server([503, 200]) as (url, received):
            dest = actions.do_create_destination(self.alice, "Slack #product", "webhook", url)
            with self.captureOnCommitCallbacks(execute=True):
                forward = actions.do_forward(self.bob, [self.message.pk], dest.pk)
            forward.refresh_from_db()
            self.assertEqual(forward.status, ForwardStatus.QUEUED)
            self.assertIn("HTTP 503", forward.error)
            # The worker's sweep sends it again once its time has come.
            type(forward).objects.filter(pk=forward.pk).update(next_attempt_at=forward.created_at)
            self.assertEqual(actions.claim_due_forwards(), [forward.pk])
            actions.do_send_forward(forward.pk)
        forward.refresh_from_db()
        self.assertEqual(
            (forward.status, forward.attempts, forward.error), (ForwardStatus.SENT, 2, "")
        )
        self.assertEqual(len(received), 2)
        body = received[-1]["json"]
        self.assertEqual(received[-1]["content_type"], "application/json")
        self.assertIn("Checkout button does nothing on Android", body["text"])
        self.assertEqual(body["blocks"][0]["type"], "header")
        section = next(b for b in body["blocks"] if b["type"] == "section")["text"]["text"]
        self.assertIn("*Bug* · Maija M on demo", section)
        self.assertIn("|Open the conversation>", section)
        self.assertIn("<https://demo.invalid/posts/1|View on demo>", section)
        item = body["breakwater"]["items"][0]
        self.assertEqual(
            (item["category"], item["note"], item["author"]),
            ("Bug", "Happens since 2.3", "Maija M"),
        )

    def test_a_4xx_fails_for_good_with_the_answer_and_can_be_retried(self) -> None:
        with webhook_server([404, 200]) as (url, received):
            dest = actions.do_create_destination(self.alice, "Teams", "webhook", url)
            with self.captureOnCommitCallbacks(execute=True):
                forward = actions.do_forward(self.bob, [self.message.pk], dest.pk)
            forward.refresh_from_db()
            self.assertEqual(forward.status, ForwardStatus.FAILED)
            self.assertIn("HTTP 404", forward.error)
            self.assertEqual(actions.claim_due_forwards(), [])
            with self.captureOnCommitCallbacks(execute=True):
                actions.do_retry_forward(self.bob, forward.pk)
            forward.refresh_from_db()
        self.assertEqual(forward.status, ForwardStatus.SENT)
        self.assertEqual(len(received), 2)

    def test_a_group_forward_sends_the_category_and_period(self) -> None:
        mail.outbox = []
        dest = actions.do_create_destination(self.alice, "Product", "email", "product@acme.example")
        with self.captureOnCommitCallbacks(execute=True):
            forward = actions.do_forward_group(
                self.bob, dest.pk, FeedbackFilters(category=self.bug.pk)
            )
        forward.refresh_from_db()
        self.assertEqual(forward.status, ForwardStatus.SENT)
        self.assertEqual(mail.outbox[0].subject, "Feedback from acme: Bug")
        with self.assertRaisesRegex(Invalid, "no feedback"):
            actions.do_forward_group(
                self.bob, dest.pk, FeedbackFilters(category=queries.categories(self.bob)[-1].pk)
            )

    def test_it_stays_in_the_workspace(self) -> None:
        dest = actions.do_create_destination(self.alice, "Product", "email", "product@acme.example")
        with self.assertRaises(NotFound):
            actions.do_forward(self.charlie, [self.message.pk], dest.pk)
        theirs = actions.do_create_destination(self.charlie, "Theirs", "email", "x@other.example")
        with self.assertRaises(NotFound):
            actions.do_forward(self.bob, [self.message.pk], theirs.pk)
        with self.assertRaisesRegex(Invalid, "at least one"):
            actions.do_forward(self.bob, [], dest.pk)
