"""Durable delivery of what the brand sends: one record per outbound action."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breakwater.core.models import Channel, Workspace


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Unknown")


class Delivery(models.Model):
    """A reply, DM or post on its way to a network.

    The outbox knows nothing of the inbox: ``ref`` is a plain reference ("message:42")
    that the owner of the thing delivered resolves when ``delivery.updated`` fires.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=16, default="reply")
    idempotency_key = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    ref = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.SmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    external_id = models.CharField(max_length=255, blank=True)
    external_url = models.URLField(max_length=1000, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "idempotency_key"], name="delivery_idempotency"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.action} {self.idempotency_key} ({self.status})"
