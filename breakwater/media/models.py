"""The media library: uploaded images and videos, and the fixed copies made from them.

Originals are never modified: a fix writes a new asset whose ``original`` points back.
Files live under ``DATA_DIR / "media"`` (one folder per workspace, named by content hash).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.timezone import now

from breakwater.core.models import Workspace


def media_storage() -> FileSystemStorage:
    """The storage of media files, read at run time so a test's data dir is respected."""
    return FileSystemStorage(location=settings.DATA_DIR / "media")


def media_path(asset: MediaAsset, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{asset.workspace_id}/{asset.sha256[:2]}/{asset.sha256}.{ext}"


class MediaKind(models.TextChoices):
    IMAGE = "image", "image"
    VIDEO = "video", "video"


class MediaAsset(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=MediaKind.choices, default=MediaKind.IMAGE)
    file = models.FileField(upload_to=media_path, storage=media_storage, max_length=300)
    # A fixed copy points to the asset it was made from; originals have none.
    original = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    # "instagram/story" on a copy made for that network and placement.
    fixed_for = models.CharField(max_length=60, blank=True)
    name = models.CharField(max_length=255, blank=True)  # the uploaded file name
    # jpeg | png | webp | gif | heic | avif | mp4 | mov | webm ...
    format = models.CharField(max_length=16)
    content_type = models.CharField(max_length=100)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    bytes = models.PositiveBigIntegerField()
    has_alpha = models.BooleanField(default=False)
    animated = models.BooleanField(default=False)
    # Whether the uploaded file carried GPS location metadata (fixed copies never do).
    had_gps = models.BooleanField(default=False)
    sha256 = models.CharField(max_length=64)
    alt = models.TextField(blank=True)
    # The point to keep in view when cropping, as fractions of width and height (0..1).
    focal_x = models.FloatField(null=True, blank=True)
    focal_y = models.FloatField(null=True, blank=True)
    # Video: seconds and codec when the container says (read without ffmpeg), else null.
    duration = models.FloatField(null=True, blank=True)
    codec = models.CharField(max_length=32, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="media_ws_recent"),
            models.Index(fields=["workspace", "sha256"], name="media_ws_sha"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.format} {self.width}x{self.height})"
