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
