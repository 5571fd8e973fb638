"""Scheduled reports: who may change them, when they run, and a weekly report sent through a
real local SMTP server (aiosmtpd) with the PDF attached, once per period."""

import email
import email.policy
import io
from datetime import UTC, date, datetime, timedelta

from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from breakwater.core.errors import Forbidden, Invalid, NotFound
from breakwater.core.actions import do_create_user
from breakwater.core.models import AuditLog, Role
from breakwater.feedback.tests.servers import smtp_server
from breakwater.reports import actions
from breakwater.reports.actions import ScheduleChange
from breakwater.reports.models import ReportRun, RunStatus, ScheduledReport
from breakwater.test import PASSWORD, BaseTestCase
from breakwater.worker import _housekeeping_step_factory

WEEKLY = ScheduleChange("Weekly overview", "weekly", ["Boss@Acme.example", "team@acme.example"])


class ScheduleActionsTestCase(BaseTestCase):
    def test_managers_and_up_create_edit_and_delete(self) -> None:
        manager = do_create_user("mia@example.org", PASSWORD, "acme", Role.MANAGER)
        schedule = actions.do_create_schedule(manager, WEEKLY)
        self.assertEqual(schedule.recipients, ["boss@acme.example", "team@acme.example"])
        # Next Monday 07:00 in the workspace's zone (Europe/Helsinki), after now.
        local = schedule.next_run_at.astimezone(timezone.get_default_timezone())
        self.assertEqual((local.weekday(), local.hour, local.minute), (0, 7, 0))
        self.assertGreater(schedule.next_run_at, timezone.now())
        for member in (self.bob, self.vera):
            with self.assertRaises(Forbidden):
                actions.do_create_schedule(member, WEEKLY)
            with self.assertRaises(Forbidden):
                actions.do_delete_schedule(member, schedule.pk)
        monthly = actions.do_update_schedule(
            self.alice, schedule.pk, ScheduleChange("Monthly", "monthly", ["boss@acme.example"])
        )
        self.assertEqual(monthly.next_run_at.astimezone(timezone.get_default_timezone()).day, 1)
        with self.assertRaises(NotFound):
            actions.do_delete_schedule(self.charlie, schedule.pk)
        actions.do_delete_schedule(self.alice, schedule.pk)
        self.assertFalse(ScheduledReport.objects.exists())
        self.assertEqual(
            list(AuditLog.objects.filter(action__startswith="report_schedule")
                 .order_by("pk").values_list("action", flat=True)),
            ["report_schedule.created", "report_schedule.updated", "report_schedule.deleted"],
        )

    def test_it_refuses_bad_input(self) -> None:
        for change in (
            ScheduleChange("", "weekly", ["a@b.example"]),
            ScheduleChange("x", "daily", ["a@b.example"]),
            ScheduleChange("x", "weekly", []),
            ScheduleChange("x", "weekly", ["not an address"]),
            ScheduleChange("x", "weekly", ["a@b.example"], {"colour": "red"}),
        ):
            with self.assertRaises(Invalid):
                actions.do_create_schedule(self.alice, change)

    def test_the_page_creates_and_deletes_for_managers_only(self) -> None:
        self.client.login(username="alice@example.org", password=PASSWORD)
        response = self.client.post("/reports/schedules/", {
            "name": "Weekly", "frequency": "weekly", "recipients": "a@acme.example\nb@acme.example",
            "channel": str(self.channel.pk),
        })
        self.assertEqual(response.status_code, 302)
        schedule = ScheduledReport.objects.get()
        self.assertEqual(schedule.filters, {"channel": self.channel.pk})
        page = self.client.get("/reports/schedules/").content.decode()
        self.assertIn("a@acme.example, b@acme.example", page)
        self.client.login(username="bob@example.org", password=PASSWORD)
        self.client.post(f"/reports/schedules/{schedule.pk}/delete/")
        self.assertTrue(ScheduledReport.objects.exists())
        self.client.login(username="charlie@example.org", password=PASSWORD)
        self.assertEqual(self.client.get(f"/reports/schedules/{schedule.pk}/").status_code, 404)


class ScheduledSendTestCase(BaseTestCase):
    def setUp(self) -> None:
        # A week of traffic: three inbound messages on Tuesday 2 December 2025.
        tuesday = datetime(2025, 12, 2, 10, 0, tzinfo=UTC)
        self.ingest(self.acme, [self.item(created_at=(tuesday + timedelta(minutes=m)).isoformat())
                                for m in range(3)])
        self.schedule = actions.do_create_schedule(self.alice, WEEKLY)
        # Its Monday came: 8 December 2025, 07:00 in Helsinki.
        self.due = datetime(2025, 12, 8, 5, 0, tzinfo=UTC)
        ScheduledReport.objects.filter(pk=self.schedule.pk).update(next_run_at=self.due)

    def test_the_worker_sends_a_due_weekly_report_with_the_pdf_attached(self) -> None:
        sweep = _housekeeping_step_factory()
        with (
            smtp_server() as (port, received),
            override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                              EMAIL_HOST="127.0.0.1", EMAIL_PORT=port),
        ):
            sweep()
            sweep()  # a second sweep finds nothing due: the period is sent once
        run = ReportRun.objects.get()
        self.assertEqual(run.status, RunStatus.SENT, run.error)
        self.assertEqual((run.period_start, run.period_end), (date(2025, 12, 1), date(2025, 12, 7)))
        self.assertEqual(len(received), 1)
        self.assertEqual(sorted(received[0]["to"]), ["boss@acme.example", "team@acme.example"])
        message = email.message_from_string(received[0]["data"], policy=email.policy.default)
        self.assertEqual(message["Subject"], "Weekly overview: 2025-12-01 – 2025-12-07")
        attachments = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
        self.assertEqual(len(attachments), 1)
        self.assertEqual(attachments[0].get_filename(), "report_20251201-20251207.pdf")
        reader = PdfReader(io.BytesIO(attachments[0].get_payload(decode=True)))
        self.assertGreaterEqual(len(reader.pages), 1)
        self.assertIn("Inbound messages", reader.pages[0].extract_text())
        self.schedule.refresh_from_db()
        self.assertGreater(self.schedule.next_run_at, timezone.now())

    def test_a_period_is_recorded_once_and_a_sent_run_is_not_sent_again(self) -> None:
        first = actions.claim_due_runs()
        ScheduledReport.objects.filter(pk=self.schedule.pk).update(next_run_at=self.due)
        self.assertEqual(actions.claim_due_runs(), [])  # the same period again: no new run
        calls = []

        def render(*args: object) -> tuple[str, bytes]:
            calls.append(args)
            return "r.pdf", b"%PDF-1.7"

        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self.assertEqual(actions.do_send_run(first[0], render).status, RunStatus.SENT)
            self.assertIsNone(actions.do_send_run(first[0], render))
        self.assertEqual(len(calls), 1)

    def test_a_run_whose_task_was_lost_is_handed_out_again(self) -> None:
        (run_id,) = actions.claim_due_runs()
        self.assertEqual(actions.claim_due_runs(), [])  # leased: its task is on the way
        expired = timezone.now() - timedelta(seconds=1)
        ReportRun.objects.filter(pk=run_id).update(leased_until=expired)
        self.assertEqual(actions.claim_due_runs(), [run_id])
        self.assertEqual(actions.claim_due_runs(), [])

    def _send_to_a_closed_port(self, run_id: int) -> ReportRun:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                               EMAIL_HOST="127.0.0.1", EMAIL_PORT=1, EMAIL_TIMEOUT=2):
            return actions.do_send_run(run_id, lambda *a: ("r.pdf", b"%PDF-1.7"))

    def test_a_failed_send_is_tried_again_later_then_left_failed_with_its_error(self) -> None:
        (run_id,) = actions.claim_due_runs()
        before = timezone.now()
        run = self._send_to_a_closed_port(run_id)
        self.assertEqual((run.status, run.attempts), (RunStatus.QUEUED, 1))
        self.assertIn("Connection", run.error)
        self.assertGreaterEqual(run.leased_until, before + actions.RETRY_AFTER[0])
        self.assertEqual(actions.claim_due_runs(), [])  # not before its wait is over
        for attempt in range(2, len(actions.RETRY_AFTER) + 2):
            ReportRun.objects.filter(pk=run_id).update(leased_until=timezone.now())
            self.assertEqual(actions.claim_due_runs(), [run_id])
            run = self._send_to_a_closed_port(run_id)
            self.assertEqual(run.attempts, attempt)
        self.assertEqual(run.status, RunStatus.FAILED)
        ReportRun.objects.filter(pk=run_id).update(leased_until=timezone.now())
        self.assertEqual(actions.claim_due_runs(), [])  # failed for good: no more tries

        # A manager sends it again once the mail server is back, from the schedules page.
        self.client.login(username="bob@example.org", password=PASSWORD)  # an agent may not
        self.assertNotIn("Send again", self.client.get("/reports/schedules/").content.decode())
        self.client.post(f"/reports/runs/{run_id}/resend/")
        self.assertEqual(ReportRun.objects.get(pk=run_id).status, RunStatus.FAILED)
        self.client.login(username="alice@example.org", password=PASSWORD)
        page = self.client.get("/reports/schedules/").content.decode()
        self.assertIn("Connection", page)
        self.assertIn("Send again", page)
        self.client.post(f"/reports/runs/{run_id}/resend/")
        run.refresh_from_db()
        self.assertEqual((run.status, run.attempts), (RunStatus.QUEUED, 0))
        self.assertTrue(AuditLog.objects.filter(action="report_run.resent").exists())
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self.assertEqual(actions.claim_due_runs(), [run_id])
            self.assertEqual(actions.do_send_run(run_id, lambda *a: ("r.pdf", b"%PDF-1.7")).status,
                             RunStatus.SENT)
        with self.assertRaises(Invalid):  # only a failed run can be sent again
            actions.do_resend_run(self.alice, run_id)
        with self.assertRaises(NotFound):  # nor one of another workspace
            actions.do_resend_run(self.charlie, run_id)
