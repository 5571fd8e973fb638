"""Publishing: posts with per-channel variants, campaigns, cadence targets, queue slots and
paid budgets."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breakwater.core.models import Channel, Workspace


class Campaign(models.Model):
    """Posts and paid budgets grouped under one name; its UTM tags go on every link."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    utm_source = models.CharField(max_length=100, blank=True, default="")
    utm_medium = models.CharField(max_length=100, blank=True, default="")
    utm_campaign = models.CharField(max_length=100, blank=True, default="")
    # The network id of the ad campaign (in ad comments' raw payload), to show them here.
    external_id = models.CharField(max_length=200, blank=True, default="")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="campaign_name")]

    def __str__(self) -> str:
        return self.name


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEEDS_APPROVAL = "needs_approval", _("Needs approval")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")


class Post(models.Model):
    """One draft for many channels: the common text, and a ``Variant`` per channel."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True, default="")
    link = models.URLField(max_length=1000, blank=True, default="")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    status = models.CharField(max_length=16, choices=PostStatus.choices, default=PostStatus.DRAFT)
    # A UTC instant; people enter it in the workspace's time zone.
    scheduled_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # The approval that holds (or held) it: "post:<id>", or "post:<id>:<n>" after a rejection.
    approval_ref = models.CharField(max_length=64, blank=True, default="")
    approval_comment = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["status", "scheduled_at"], name="post_due"),
            models.Index(fields=["workspace", "scheduled_at"], name="post_calendar"),
        ]

    def __str__(self) -> str:
        return f"post {self.pk} ({self.status})"


class VariantStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    QUEUED = "queued", _("Queued")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")


class Variant(models.Model):
    """What one channel gets of a post: its own text (empty: the post's), media, link, first
    comment and alt text; then the network's id and URL once published."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True, default="")
    # Ordered ids of media.MediaAsset rows (the media app's library).
    media = models.JSONField(default=list, blank=True)
    link = models.URLField(max_length=1000, blank=True, default="")
    first_comment = models.TextField(blank=True, default="")
    alt_text = models.TextField(blank=True, default="")
    status = models.CharField(
        max_length=16, choices=VariantStatus.choices, default=VariantStatus.PENDING
    )
    delivery_ref = models.CharField(max_length=64, blank=True, default="")
    external_id = models.CharField(max_length=255, blank=True, default="")
    external_url = models.URLField(max_length=1000, blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "channel"], name="variant_channel")
        ]

    def __str__(self) -> str:
        return f"variant {self.pk} of post {self.post_id}"

    @property
    def idempotency_key(self) -> str:
        return f"post:{self.post_id}:variant:{self.pk}"


class PostVersion(models.Model):
    """The draft as it was before an edit: text and variants, numbered from 1."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True, default="")
    variants = models.JSONField(default=list, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="post_version_number")
        ]

    def __str__(self) -> str:
        return f"post {self.post_id} v{self.number}"


class PostComment(models.Model):
    """A team member's remark on a draft (internal: never published)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"comment on post {self.post_id}"


class CadenceTarget(models.Model):
    """How often a channel should post: ``posts_per_week``, never two within
    ``min_interval_minutes``."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="+")
    posts_per_week = models.PositiveSmallIntegerField(default=3)
    min_interval_minutes = models.PositiveIntegerField(default=240)

    def __str__(self) -> str:
        return f"{self.posts_per_week}/week on channel {self.channel_id}"


class QueueSlot(models.Model):
    """A regular posting time of a channel (weekday 0 = Monday, local time of the workspace)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField()
    time = models.TimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "weekday", "time"], name="queue_slot")
        ]

    def __str__(self) -> str:
        return f"slot {self.weekday} {self.time} on channel {self.channel_id}"


class Budget(models.Model):
    """A paid budget of a campaign on one channel, over a period (both dates included)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="budgets")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    period_start = models.DateField()
    period_end = models.DateField()
    # Alert thresholds in percent of the amount; each fires once.
    thresholds = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for campaign {self.campaign_id}"


class SpendSource(models.TextChoices):
    MANUAL = "manual", _("Manual")
    NETWORK = "network", _("Network")


class SpendEntry(models.Model):
    """Money spent from a budget on one day (boosts, ads), entered or read from the network."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="spend")
    date = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    source = models.CharField(max_length=8, choices=SpendSource.choices, default=SpendSource.MANUAL)
    note = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.amount} on {self.date}"


class BudgetAlert(models.Model):
    """A threshold a budget's spend crossed (each threshold fires once)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="alerts")
    threshold = models.PositiveSmallIntegerField()
    spent = models.DecimalField(max_digits=12, decimal_places=2)
    fired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["budget", "threshold"], name="budget_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.threshold}% of budget {self.budget_id}"


class DigestEmail(models.Model):
    """A weekly cadence digest sent (or being sent) to a workspace's managers, once a week."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "week_start"], name="digest_once_a_week")
        ]

    def __str__(self) -> str:
        return f"digest of {self.workspace_id} for {self.week_start}"
