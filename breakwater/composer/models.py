"""What agents write with: saved replies, the workspace's guidelines, and approvals."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breakwater.core.models import Membership, Workspace


class SavedReply(models.Model):
    """A reusable answer with variables such as ``{{contact.first_name}}`` or ``{{agent.name}}``."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="saved_replies")
    name = models.CharField(max_length=120)
    shortcut = models.SlugField(max_length=64, blank=True, default="")
    text = models.TextField()
    language = models.CharField(max_length=8, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="saved_reply_name")
        ]

    def __str__(self) -> str:
        return self.name


class WorkspaceGuidelines(models.Model):
    """A workspace's guideline set, stored as the API's JSON (``guidelines.GuidelineSet``)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"guidelines of {self.workspace_id}"


class ApprovalPolicy(models.Model):
    """Whose replies (and, later, posts) wait for a manager: by role, or named members."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    roles = models.JSONField(default=list, blank=True)
    members = models.ManyToManyField(Membership, blank=True, related_name="+")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"approval policy of {self.workspace_id}"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Approval(models.Model):
    """A request to let something reach a network. Generic: ``ref`` names what waits
    ("message:42" for a reply; posts later), and its owner acts on ``approval.decided``."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ref = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    text = models.TextField()
    # What the approver sends instead, when they edited it.
    approved_text = models.TextField(blank=True, default="")
    # The checks and policy that held it: [{"kind", "message", "start", "end", ...}].
    reasons = models.JSONField(default=list, blank=True)
    # What the queue shows beside it, from the requester: {"conversation": 7, "network": "demo"}.
    context = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "ref"], name="approval_ref")
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "requested_at"], name="approval_queue")
        ]

    def __str__(self) -> str:
        return f"approval of {self.ref} ({self.status})"
