"""Automation: rules (when a message arrives or a conversation changes, if conditions, then
actions) and assignment policies (who gets a new conversation)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breakwater.core.models import Channel, Workspace
from breakwater.inbox.models import Message, Tag


class Trigger(models.TextChoices):
    MESSAGE_RECEIVED = "message_received", _("A message arrives")
    CONVERSATION_CHANGED = "conversation_changed", _("A conversation changes")


class Rule(models.Model):
    """One automation rule. ``conditions`` and ``actions`` are JSON validated by
    ``automation.rules`` (pydantic); rules run in ``position`` order."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=120)
    position = models.IntegerField(default=0)
    enabled = models.BooleanField(default=True)
    trigger = models.CharField(
        max_length=24, choices=Trigger.choices, default=Trigger.MESSAGE_RECEIVED
    )
    conditions = models.JSONField(default=dict, blank=True)
    actions = models.JSONField(default=list, blank=True)
    stop = models.BooleanField(default=False)
    # The last member an "assign: round robin" action gave a conversation to (locked row).
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Ingest reads the enabled rules of a workspace in order: one index range.
        indexes = [models.Index(fields=["workspace", "enabled", "position", "id"], name="rule_order")]

    def __str__(self) -> str:
        return f"rule #{self.pk} {self.name}"


class PendingRuleRun(models.Model):
    """A message whose rules stopped at a rule that needs its sentiment, which the worker
    fills a tick after ingest. The run resumes from ``rule`` (in order) once it is there."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"message {self.message_id} waits at rule {self.rule_id}"


class AssignmentMode(models.TextChoices):
    MANUAL = "manual", _("Manual")
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class AssignmentPolicy(models.Model):
    """Who gets new conversations of a channel or with a tag: a mode and a pool of members."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(
        max_length=16, choices=AssignmentMode.choices, default=AssignmentMode.MANUAL
    )
    # User ids; empty: every agent (and up) of the workspace.
    pool = models.JSONField(default=list, blank=True)
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__isnull=False) ^ models.Q(tag__isnull=False),
                name="policy_channel_or_tag",
            ),
            models.UniqueConstraint(fields=["channel"], name="policy_channel_unique"),
            models.UniqueConstraint(fields=["tag"], name="policy_tag_unique"),
        ]

    def __str__(self) -> str:
        return f"policy #{self.pk} ({self.mode})"
