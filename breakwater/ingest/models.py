"""The raw inbound log: what arrived, kept before it is processed, replayable after."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breakwater.core.models import Workspace


class EventState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class InboundEvent(models.Model):
    """One received item (or webhook body), durably stored before anyone answers 2xx.

    A worker claims pending rows with a lease; a worker that dies leaves the lease to
    expire and the next worker processes the row. Processing is idempotent, so a row
    that was stored but not yet marked done is harmless to process again.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=32, default="api")
    payload = models.JSONField()
    state = models.CharField(max_length=8, choices=EventState.choices, default=EventState.PENDING)
    error = models.TextField(blank=True, default="")
    attempts = models.SmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "id"], name="inbound_pending")]

    def __str__(self) -> str:
        return f"inbound #{self.pk} ({self.state})"


class SyncState(models.Model):
    """Where a channel's polling stands: its cursor, its next turn, its last error.

    ``cursor`` is saved in the same transaction as the items it follows (ingest/sync.py),
    so what the network sent is stored before the channel moves past it.
    """

    channel = models.OneToOneField(
        "core.Channel", on_delete=models.CASCADE, primary_key=True, related_name="sync"
    )
    cursor = models.TextField(blank=True, default="")
    next_poll_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    failures = models.SmallIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    items_stored = models.BigIntegerField(default=0)
    # From the network's rate-limit headers, as of the last poll.
    budget_remaining = models.IntegerField(null=True, blank=True)
    budget_limit = models.IntegerField(null=True, blank=True)
    budget_reset_at = models.DateTimeField(null=True, blank=True)
    next_reconcile_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["next_poll_at"], name="sync_due")]

    def __str__(self) -> str:
        return f"sync of channel {self.channel_id}"


class ReconciliationRun(models.Model):
    """One comparison of what the network has with what was stored, and the gaps it closed."""

    channel = models.ForeignKey("core.Channel", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    checked = models.IntegerField(default=0)
    recovered = models.IntegerField(default=0)
    error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["channel", "-started_at"], name="reconcile_channel")]

    def __str__(self) -> str:
        return f"reconciliation of channel {self.channel_id}: {self.recovered} recovered"
