"""Campaigns, their paid budgets and spend, and the alerts at budget thresholds."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum

from breakwater.core import events
from breakwater.core.actions import audit, check_role, in_workspace
from breakwater.core.errors import Conflict, Invalid
from breakwater.core.models import Channel, Membership, Role
from breakwater.publishing.models import Budget, BudgetAlert, Campaign, SpendEntry, SpendSource


def do_save_campaign(member: Membership, fields: dict[str, Any],
                     campaign_id: int | None = None) -> Campaign:
    check_role(member, Role.MANAGER)
    name = (fields.get("name") or "").strip()
    if not name:
        raise Invalid("a campaign needs a name")
    allowed = ("utm_source", "utm_medium", "utm_campaign", "external_id", "starts_on", "ends_on")
    values = {"name": name, **{k: fields[k] for k in allowed if k in fields}}
    try:
        with transaction.atomic():
            if campaign_id is None:
                campaign = Campaign.objects.create(workspace_id=member.workspace_id, **values)
            else:
                campaign = in_workspace(member, Campaign, campaign_id, "campaign", lock=True)
                for k, v in values.items():
                    setattr(campaign, k, "" if v is None and k.startswith(("utm", "ext")) else v)
                campaign.save(update_fields=list(values))
            audit(member, member.workspace_id, "campaign.saved", campaign)
    except IntegrityError:
        raise Conflict(f"a campaign named {name!r} exists already") from None
    return campaign


def _money(value: Any, what: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise Invalid(f"{what} must be a number, e.g. 120.50") from None
    if amount < 0:
        raise Invalid(f"{what} cannot be negative")
    return amount


def do_create_budget(member: Membership, campaign_id: int, channel_id: int, amount: Any,
                     period_start: Any, period_end: Any, currency: str = "EUR",
                     thresholds: list[int] | None = None) -> Budget:
    check_role(member, Role.MANAGER)
    campaign = in_workspace(member, Campaign, campaign_id, "campaign")
    channel = in_workspace(member, Channel, channel_id, "channel")
    if period_end < period_start:
        raise Invalid("the period ends before it starts")
    with transaction.atomic():
        budget = Budget.objects.create(
            workspace_id=member.workspace_id, campaign=campaign, channel=channel,
            amount=_money(amount, "amount"), currency=(currency or "EUR").upper()[:3],
            period_start=period_start, period_end=period_end,
            thresholds=sorted(set(thresholds if thresholds is not None else [80, 100])))
        audit(member, member.workspace_id, "budget.created", budget, amount=str(budget.amount))
    return budget


def do_add_spend(member: Membership | None, budget_id: int, day: Any, amount: Any,
                 source: str = SpendSource.MANUAL, note: str = "",
                 workspace_id: int | None = None) -> SpendEntry:
    """Record spend (a person, or the network sync with ``member=None``); alerts fire on the
    thresholds it crosses, once each."""
    if member is not None:
        check_role(member, Role.AGENT)
        budget = in_workspace(member, Budget, budget_id, "budget")
    else:
        budget = Budget.objects.get(pk=budget_id, workspace_id=workspace_id)
    if source not in SpendSource.values:
        raise Invalid(f"source is one of {', '.join(SpendSource.values)}")
    with transaction.atomic():
        entry = SpendEntry.objects.create(workspace_id=budget.workspace_id, budget=budget, date=day,
                                          amount=_money(amount, "amount"), source=source,
                                          note=note[:200])
        audit(member, budget.workspace_id, "spend.added", budget, amount=str(entry.amount),
              source=source)
        _fire_alerts(budget)
    return entry


def _fire_alerts(budget: Budget) -> None:
    spent = budget.spend.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    used = spent / budget.amount * 100 if budget.amount else Decimal(0)
    fired = set(budget.alerts.values_list("threshold", flat=True))
    for threshold in budget.thresholds:
        if used >= threshold and threshold not in fired:
            alert = BudgetAlert.objects.create(workspace_id=budget.workspace_id, budget=budget,
                                               threshold=threshold, spent=spent)
            events.publish(budget.workspace_id, "budget.alert", workspace_id=budget.workspace_id,
                           budget_id=budget.pk, alert_id=alert.pk, threshold=threshold,
                           spent=str(spent), amount=str(budget.amount))


def do_delete_spend(member: Membership, entry_id: int) -> None:
    check_role(member, Role.MANAGER)
    entry = in_workspace(member, SpendEntry, entry_id, "spend entry")
    with transaction.atomic():
        audit(member, member.workspace_id, "spend.deleted", entry.budget, amount=str(entry.amount))
        entry.delete()
