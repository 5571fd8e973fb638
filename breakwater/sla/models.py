"""A workspace's business hours, its own holidays and its first-response targets."""

from django.db import models
from django.utils.timezone import now

from breakwater.core.models import Channel, Workspace


def default_week() -> list[list[list[str]]]:
    """Monday to Friday 08:00-16:00, closed at weekends (Monday first)."""
    return [[["08:00", "16:00"]] for _ in range(5)] + [[], []]


class BusinessHours(models.Model):
    """When the team answers: per weekday a list of ["HH:MM", "HH:MM"] open intervals in the
    workspace's time zone, Monday first. One row per workspace, created on first save."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="business_hours"
    )
    week = models.JSONField(default=default_week)
    finnish_holidays = models.BooleanField(default=True)
    # The inbox's "breaching soon" filter: overdue, or due within this many minutes.
    breaching_soon_minutes = models.PositiveIntegerField(default=30)
    updated_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"business hours of {self.workspace_id}"


class Holiday(models.Model):
    """A date the workspace is closed, beside the public holidays."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "date"], name="holiday_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaTarget(models.Model):
    """How soon a first response is due, for a priority and/or a channel (empty: any).

    The most specific target wins: priority and channel, then priority, then channel, then
    the target for everything.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    priority = models.SmallIntegerField(null=True, blank=True)
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    minutes = models.PositiveIntegerField()
    # True: only open business hours count; False: wall-clock minutes.
    business_hours = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["workspace"], name="slatarget_ws")]

    def __str__(self) -> str:
        return f"{self.minutes} min (priority {self.priority}, channel {self.channel_id})"
