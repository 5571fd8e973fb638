"""Feedback routing: messages filed as feedback under a category, and forwarded to the teams
that act on them (by email or an outgoing webhook)."""

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from breakwater.core.models import Channel, Workspace
from breakwater.inbox.models import Conversation, Message

# What a new workspace starts with; each workspace renames, adds and removes its own.
STARTER_CATEGORIES = ("Product", "Service", "Content idea", "Bug", "Praise")


class Category(models.Model):
    """A kind of feedback, e.g. "Bug"; ``position`` orders them."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=64)
    position = models.SmallIntegerField(default=0)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="feedback_category_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Feedback(models.Model):
    """An inbound message filed as feedback. The channel and network are copied from the
    message so the feedback view filters and counts on this table alone."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="feedback")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items")
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "category", "-created_at"], name="fb_by_category"),
            models.Index(fields=["workspace", "-created_at"], name="fb_recent"),
        ]

    def __str__(self) -> str:
        return f"feedback on message {self.message_id}"


class DestinationKind(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook (Slack, Teams)")


class Destination(models.Model):
    """Another team's inbox: an email address or an incoming-webhook URL of Slack or Teams."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=8, choices=DestinationKind.choices)
    address = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return self.name


class ForwardStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Forward(models.Model):
    """One forward of one or more feedback messages, delivered like the outbox delivers:
    queued -> sending -> sent | failed, retried with backoff on timeouts and 5xx answers.
    ``payload`` is frozen when forwarded, so a retry sends what the person saw."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="forwards")
    message_ids = models.JSONField(default=list)
    comment = models.TextField(blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=8, choices=ForwardStatus.choices, default=ForwardStatus.QUEUED
    )
    attempts = models.SmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=now)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="fwd_due"),
            models.Index(fields=["workspace", "-created_at"], name="fwd_recent"),
        ]

    def __str__(self) -> str:
        return f"forward {self.pk} to {self.destination_id} ({self.status})"
