"""Scheduled reports: what to send, to whom and when, and a record of every run."""

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from breakwater.core.models import Workspace


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class ScheduledReport(models.Model):
    """The overview dashboard as a PDF, emailed weekly or monthly to chosen recipients.

    ``filters`` holds the dashboard filters (``channel``, ``network``, ``tag``, ``member``) the
    report is narrowed to; ``next_run_at`` is the next send time, computed in the workspace's
    time zone (see ``periods.next_run``).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    recipients = models.JSONField(default=list)
    filters = models.JSONField(default=dict, blank=True)
    next_run_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        # The worker's sweep asks "is anything due?" every few seconds: one index range scan.
        indexes = [models.Index(fields=["next_run_at"], name="schedreport_due")]

    def __str__(self) -> str:
        return f"{self.name} ({self.frequency})"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ReportRun(models.Model):
    """One period's send of a scheduled report. Unique per schedule and period, so a period is
    sent once however many workers sweep."""

    schedule = models.ForeignKey(ScheduledReport, on_delete=models.CASCADE, related_name="runs")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    error = models.TextField(blank=True, default="")
    # A queued run whose task was lost (a worker killed between the sweep and the send), or
    # whose send failed and waits to be tried again, is claimed again once this has passed.
    leased_until = models.DateTimeField(null=True, blank=True)
    # Failed sends so far (the SMTP server down, say): tried again after ``RETRY_AFTER``.
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schedule", "period_start"], name="reportrun_once")
        ]
        indexes = [models.Index(fields=["status", "leased_until"], name="reportrun_lease")]

    def __str__(self) -> str:
        return f"{self.schedule_id}: {self.period_start}..{self.period_end} {self.status}"


class ResponseWait(models.Model):
    """One wait for a response, kept from the messages (see ``reports.waits``): from the first
    unanswered inbound message (``asked_at``) to the next outbound one that counts as a
    response (``answered_at``, null while still waiting; ``answered_by`` null for a reply
    made outside Breakwater). ``channel`` and ``network`` are those of the asking message;
    the metrics read these rows instead of rebuilding the waits from every message.
    ``asked_epoch`` / ``answered_epoch`` are the same instants as seconds since 1970
    (``metrics.base.epoch``, to the millisecond), kept so that the response metrics do
    arithmetic on plain floats instead of converting two datetimes per wait per query."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE,
                                     related_name="+")
    channel = models.ForeignKey("core.Channel", on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=32)
    asked_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    asked_epoch = models.FloatField()
    answered_epoch = models.FloatField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    db_constraint=False)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "asked_at"], name="wait_asked"),
            models.Index(fields=["workspace", "channel", "asked_at"], name="wait_channel"),
            models.Index(fields=["workspace", "network", "asked_at"], name="wait_network"),
            models.Index(fields=["conversation"], name="wait_conversation"),
        ]


class StaleWaits(models.Model):
    """Conversations whose waits need recomputing: database triggers on the message table add
    one row per conversation whose messages were inserted, deleted or changed in a way the
    waits depend on; ``waits.refresh`` recomputes and removes them."""

    conversation_id = models.BigIntegerField(primary_key=True)
    workspace_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["workspace_id"], name="stalewaits_ws")]
