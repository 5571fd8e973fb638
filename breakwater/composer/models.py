"""What agents write with: saved replies (and, beside them, the workspace's guidelines)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from breakwater.core.models import Workspace


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
