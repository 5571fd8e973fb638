"""The weekly cadence digest by email: the worker sends it on Monday morning, once a week."""

from __future__ import annotations

import logging
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from breakwater.core.models import Membership, Role, Workspace
from breakwater.publishing import clock, queries
from breakwater.publishing.models import CadenceTarget, DigestEmail

log = logging.getLogger(__name__)

DIGEST_HOUR = 8  # Monday, local time of each workspace
_digest_checked = [0.0]


def send_weekly_digests(now: datetime | None = None, *, throttle: bool = False) -> int:
    """Email each workspace with cadence targets its week's digest on Monday from 08:00
    local time, once a week (the row is claimed before the mail goes: a crash between them
    loses that week's mail rather than sending it twice). Returns how many were sent."""
    if throttle:
        if time.monotonic() - _digest_checked[0] < 60:
            return 0
        _digest_checked[0] = time.monotonic()
    now = now or clock.now()
    sent = 0
    workspace_ids = set(CadenceTarget.objects.values_list("workspace_id", flat=True))
    for workspace in Workspace.objects.filter(pk__in=workspace_ids):
        local = now.astimezone(ZoneInfo(workspace.timezone))
        if local.weekday() != 0 or local.hour < DIGEST_HOUR:
            continue
        week = local.date()
        if DigestEmail.objects.filter(workspace=workspace, week_start=week).exists():
            continue
        sent += _send_digest(workspace, week)
    return sent


def _send_digest(workspace: Workspace, week: date) -> int:
    managers = list(Membership.objects.filter(
        workspace=workspace, role__in=(Role.MANAGER, Role.ADMIN, Role.OWNER),
        user__is_active=True).values_list("user__email", flat=True))
    try:
        with transaction.atomic():
            DigestEmail.objects.create(workspace=workspace, week_start=week,
                                       recipients=len(managers))
    except IntegrityError:
        return 0  # another worker claimed it
    digest = queries.digest(workspace.pk, week, workspace.timezone)
    names = {c.pk: c.name for c in queries.channels(workspace.pk)}
    for f in digest["flags"]:
        f["name"] = names.get(f["channel"], "")
    body = render_to_string("publishing/digest_email.txt", {
        "digest": digest,
        "url": f"{settings.BREAKWATER_PUBLIC_URL}/publishing/digest/?week={week.isoformat()}"})
    subject = _("Publishing this week: %(workspace)s") % {"workspace": workspace.name}
    try:
        send_mail(subject, body, None, managers)
    except OSError:
        log.exception("the weekly digest of workspace %s could not be sent", workspace.pk)
        return 0
    return 1
