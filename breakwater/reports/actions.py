"""Every change of scheduled reports, and their sending. Managers and up create, edit and delete
schedules; the worker's sweep claims the due ones and a task sends each run once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.forms import ValidationError
from django.utils import timezone

from breakwater.core.actions import audit, check_role, in_workspace
from breakwater.core.errors import Invalid, NotFound
from breakwater.core.models import Membership, Role, Workspace
from breakwater.reports import periods
from breakwater.reports.models import Frequency, ReportRun, RunStatus, ScheduledReport

log = logging.getLogger(__name__)
MAX_RECIPIENTS = 50
# How long a claimed run waits for its task before the sweep hands it out again.
LEASE = timedelta(minutes=30)
# A failed send (the mail server down for maintenance, a render that ran out of memory) is
# tried again after each of these waits in turn, then left failed with its error, for a
# manager to send again.
RETRY_AFTER = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=6))
FILTER_KEYS = ("channel", "network", "tag", "member")
# (workspace, period, filters) -> (file name, PDF bytes): the overview dashboard as a PDF.
Renderer = Callable[[Workspace, periods.Period, dict[str, Any]], tuple[str, bytes]]


@dataclass(frozen=True)
class ScheduleChange:
    name: str
    frequency: str
    recipients: Sequence[str]
    filters: dict[str, Any] = field(default_factory=dict)


def _clean(change: ScheduleChange) -> ScheduleChange:
    name = change.name.strip()
    if not name:
        raise Invalid("give the report a name")
    if change.frequency not in Frequency.values:
        raise Invalid(f"unknown frequency {change.frequency!r}; one of weekly, monthly")
    recipients = list(dict.fromkeys(r.strip().lower() for r in change.recipients if r.strip()))
    if not recipients:
        raise Invalid("give at least one recipient's email address")
    if len(recipients) > MAX_RECIPIENTS:
        raise Invalid(f"at most {MAX_RECIPIENTS} recipients")
    for address in recipients:
        try:
            validate_email(address)
        except ValidationError:
            raise Invalid(f"{address!r} is not an email address") from None
    unknown = set(change.filters) - set(FILTER_KEYS)
    if unknown:
        raise Invalid(f"unknown filters {sorted(unknown)}; use {', '.join(FILTER_KEYS)}")
    filters = {k: v for k, v in change.filters.items() if v not in (None, "")}
    return ScheduleChange(name[:200], change.frequency, recipients, filters)


def access_schedule(member: Membership, schedule_id: int) -> ScheduledReport:
    return in_workspace(member, ScheduledReport, schedule_id, "scheduled report")


def do_create_schedule(member: Membership, change: ScheduleChange) -> ScheduledReport:
    check_role(member, Role.MANAGER)
    change = _clean(change)
    now = timezone.now()
    with transaction.atomic():
        schedule = ScheduledReport.objects.create(
            workspace_id=member.workspace_id, name=change.name, frequency=change.frequency,
            recipients=list(change.recipients), filters=change.filters,
            next_run_at=periods.next_run(change.frequency, now, member.workspace.timezone),
            created_by_id=member.user_id, created_at=now, updated_at=now,
        )
        audit(member, member.workspace_id, "report_schedule.created", schedule,
              frequency=schedule.frequency)
    return schedule


def do_update_schedule(member: Membership, schedule_id: int,
                       change: ScheduleChange) -> ScheduledReport:
    check_role(member, Role.MANAGER)
    change = _clean(change)
    with transaction.atomic():
        schedule = in_workspace(member, ScheduledReport, schedule_id, "scheduled report", lock=True)
        fields = ["name", "recipients", "filters", "updated_at"]
        if change.frequency != schedule.frequency:
            schedule.frequency = change.frequency
            schedule.next_run_at = periods.next_run(
                change.frequency, timezone.now(), member.workspace.timezone
            )
            fields += ["frequency", "next_run_at"]
        schedule.name = change.name
        schedule.recipients = list(change.recipients)
        schedule.filters = change.filters
        schedule.updated_at = timezone.now()
        schedule.save(update_fields=fields)
        audit(member, member.workspace_id, "report_schedule.updated", schedule)
    return schedule


def do_delete_schedule(member: Membership, schedule_id: int) -> None:
    check_role(member, Role.MANAGER)
    with transaction.atomic():
        schedule = in_workspace(member, ScheduledReport, schedule_id, "scheduled report", lock=True)
        audit(member, member.workspace_id, "report_schedule.deleted", schedule, name=schedule.name)
        schedule.delete()


def claim_due_runs(limit: int = 20) -> list[int]:
    """Record a run for each schedule whose send time has come and move the schedule to its
    next time; answers the runs to send, with those whose task was lost (lease passed). A run
    is unique per schedule and period, so two workers sweeping at once record it once."""
    now = timezone.now()
    due = ScheduledReport.objects.filter(next_run_at__lte=now)
    lost = ReportRun.objects.filter(status=RunStatus.QUEUED, leased_until__lt=now)
    # Look before taking the write lock (SQLite takes it at BEGIN): nearly every sweep finds none.
    if not due.exists() and not lost.exists():
        return []
    run_ids = []
    with transaction.atomic():
        for schedule in due.select_related("workspace").select_for_update()[:limit]:
            zone = schedule.workspace.timezone
            period = periods.covered(schedule.frequency, schedule.next_run_at, zone)
            try:
                with transaction.atomic():
                    run = ReportRun.objects.create(
                        schedule=schedule, period_start=period.start, period_end=period.end,
                        leased_until=now + LEASE,
                    )
                run_ids.append(run.pk)
            except IntegrityError:
                pass  # this period was recorded already: it is sent once
            schedule.next_run_at = periods.next_run(schedule.frequency, now, zone)
            schedule.save(update_fields=["next_run_at"])
        again = list(lost.select_for_update().values_list("pk", flat=True)[:limit])
        ReportRun.objects.filter(pk__in=again).update(leased_until=now + LEASE)
    return run_ids + again


def do_send_run(run_id: int, render: Renderer) -> ReportRun | None:
    """Render the PDF and email it to the schedule's recipients; a run that was sent already is
    left alone. The send happens outside any transaction (it may take seconds)."""
    run = ReportRun.objects.select_related("schedule__workspace").filter(pk=run_id).first()
    if run is None or run.status == RunStatus.SENT:
        return None
    schedule = run.schedule
    period = periods.Period(run.period_start, run.period_end)
    try:
        filename, pdf = render(schedule.workspace, period, dict(schedule.filters))
        email = EmailMessage(
            subject=f"{schedule.name}: {period.start:%Y-%m-%d} – {period.end:%Y-%m-%d}",
            body=(
                f"{schedule.workspace.name}: {schedule.name}, "
                f"{period.start:%Y-%m-%d} – {period.end:%Y-%m-%d}.\n\n"
                "The report is attached as a PDF.\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=list(schedule.recipients),
        )
        email.attach(filename, pdf, "application/pdf")
        email.send()
    except Exception as exc:
        log.exception("scheduled report %s failed", schedule.pk)
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.attempts += 1
        if run.attempts <= len(RETRY_AFTER):
            # Still queued: the sweep hands it out again once the lease has passed.
            run.leased_until = timezone.now() + RETRY_AFTER[run.attempts - 1]
        else:
            run.status = RunStatus.FAILED
        run.save(update_fields=["status", "error", "attempts", "leased_until"])
        return run
    run.status, run.error, run.sent_at = RunStatus.SENT, "", timezone.now()
    run.save(update_fields=["status", "error", "sent_at"])
    return run


def do_resend_run(member: Membership, run_id: int) -> ReportRun:
    """Queue a failed run to be sent again at the next sweep, with a fresh set of retries."""
    check_role(member, Role.MANAGER)
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(
            pk=run_id, schedule__workspace_id=member.workspace_id).first()
        if run is None:
            raise NotFound(f"report run {run_id} not found")
        if run.status != RunStatus.FAILED:
            raise Invalid(f"this report is {run.status}: only a failed one can be sent again")
        run.status, run.attempts, run.leased_until = RunStatus.QUEUED, 0, timezone.now()
        run.save(update_fields=["status", "attempts", "leased_until"])
        audit(member, member.workspace_id, "report_run.resent", run.schedule,
              period_start=run.period_start.isoformat())
    return run
