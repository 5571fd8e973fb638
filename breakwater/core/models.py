"""Accounts: users, workspaces, members and roles, channels, API tokens, the audit log."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in; belongs to workspaces through memberships."""

    email = models.EmailField(_("email"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


class Workspace(models.Model):
    """A brand or organisation: the boundary no data ever crosses."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    timezone = models.CharField(max_length=64, default="Europe/Helsinki")
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    AGENT = "agent", _("Agent")
    VIEWER = "viewer", _("Viewer")


class Availability(models.TextChoices):
    """Whether a member takes new conversations: auto-assignment skips away and offline."""

    AVAILABLE = "available", _("Available")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class Membership(models.Model):
    """A user's role in one workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    availability = models.CharField(
        max_length=16, choices=Availability.choices, default=Availability.AVAILABLE
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workspace} ({self.role})"


class ChannelStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    NEEDS_ATTENTION = "needs_attention", _("Needs attention")
    PAUSED = "paused", _("Paused")
    DISCONNECTED = "disconnected", _("Disconnected")


class Channel(models.Model):
    """A connected account on a network (or the API feed) in one workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="channels")
    network = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    config = models.JSONField(default=dict, blank=True)
    # Sensitive parameters (tokens, passwords), Fernet-encrypted as one JSON document.
    secrets_encrypted = models.TextField(blank=True, default="")
    status = models.CharField(
        max_length=20, choices=ChannelStatus.choices, default=ChannelStatus.ACTIVE
    )
    status_detail = models.TextField(blank=True, default="")
    last_sync_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"{self.name} ({self.network})"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API; only its hash is stored."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100, default="cli")
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @staticmethod
    def generate() -> str:
        return "bw_" + secrets.token_urlsafe(32)


class AuditLog(models.Model):
    """One row per action: who did what to which object, and when."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="audit_ws_time"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"


class WorkerHeartbeat(models.Model):
    """Each worker process writes here every few seconds; /readyz reads it."""

    name = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return self.name
