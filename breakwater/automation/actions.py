"""Every state change of automation: rules, assignment policies, a member's availability.

Managers and up edit rules and policies; every member sets their own availability.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from breakwater.automation.models import AssignmentMode, AssignmentPolicy, Rule, Trigger
from breakwater.automation.rules import (
    AssignAction,
    ForwardAction,
    ReplyAction,
    RuleBody,
    RuleError,
    parse_body,
)
from breakwater.composer.models import SavedReply
from breakwater.core import events
from breakwater.core.actions import audit, check_role, in_workspace
from breakwater.core.errors import Invalid, NotFound
from breakwater.core.models import Availability, Channel, Membership, Role
from breakwater.feedback.models import Destination
from breakwater.inbox.models import Tag

MAX_NAME = 120


def access_rule(member: Membership, rule_id: int, *, lock: bool = False) -> Rule:
    return in_workspace(member, Rule, rule_id, "rule", lock=lock)


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(f"{field}: {message}", [{"field": field, "message": message}])


def check_body(member: Membership, conditions: Any, actions: Any) -> RuleBody:
    """Parse and check that every id the rule names belongs to the workspace."""
    try:
        body = parse_body(conditions, actions)
    except RuleError as exc:
        raise Invalid(str(exc), exc.problems) from None
    ws = member.workspace_id
    channels = set(body.conditions.channels)
    if channels - set(Channel.objects.filter(workspace_id=ws, pk__in=channels).values_list("pk", flat=True)):
        raise _invalid("conditions.channels", "a channel is not in this workspace")
    members = set(Membership.objects.filter(workspace_id=ws).values_list("user_id", flat=True))
    for i, action in enumerate(body.actions):
        if isinstance(action, AssignAction):
            wanted = {action.member} if action.mode == "member" else set(action.pool)
            if wanted - members:
                raise _invalid(f"actions.{i}", "assign to members of this workspace")
        if isinstance(action, ReplyAction):
            if not SavedReply.objects.filter(workspace_id=ws, pk=action.saved_reply).exists():
                raise _invalid(f"actions.{i}.saved_reply", "choose a saved reply of this workspace")
        if isinstance(action, ForwardAction):
            if not Destination.objects.filter(workspace_id=ws, pk=action.destination).exists():
                raise _invalid(f"actions.{i}.destination",
                               "choose a forwarding destination of this workspace (Feedback page)")
    return body


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise _invalid("name", f"a rule needs a name of 1 to {MAX_NAME} characters")
    return name


def _check_trigger(trigger: str) -> str:
    if trigger not in Trigger.values:
        raise _invalid("trigger", f"one of {', '.join(Trigger.values)}")
    return trigger


def _announce(member: Membership) -> None:
    events.publish(member.workspace_id, "rules.changed", actor=member.user_id)


def do_create_rule(member: Membership, name: str, conditions: Any, actions: Any, *,
                   trigger: str = Trigger.MESSAGE_RECEIVED, stop: bool = False,
                   enabled: bool = True) -> Rule:
    """A new rule, placed after the others."""
    check_role(member, Role.MANAGER)
    body = check_body(member, conditions, actions)
    with transaction.atomic():
        last = Rule.objects.filter(workspace_id=member.workspace_id).aggregate(m=Max("position"))
        rule = Rule.objects.create(
            workspace_id=member.workspace_id, name=_check_name(name),
            trigger=_check_trigger(trigger), position=(last["m"] or 0) + 1, enabled=enabled,
            stop=stop, conditions=body.conditions.model_dump(mode="json"),
            actions=[a.model_dump(mode="json") for a in body.actions],
            created_by_id=member.user_id,
        )
        audit(member, member.workspace_id, "rule.created", rule, name=rule.name)
        _announce(member)
    return rule


EDITABLE = ("name", "trigger", "conditions", "actions", "stop", "enabled")


def do_update_rule(member: Membership, rule_id: int, **changes: Any) -> Rule:
    """Change any of ``EDITABLE``; what is not given stays."""
    check_role(member, Role.MANAGER)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(f"cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        rule = access_rule(member, rule_id, lock=True)
        if "conditions" in changes or "actions" in changes:
            body = check_body(member, changes.get("conditions", rule.conditions),
                              changes.get("actions", rule.actions))
            rule.conditions = body.conditions.model_dump(mode="json")
            rule.actions = [a.model_dump(mode="json") for a in body.actions]
        if "name" in changes:
            rule.name = _check_name(changes["name"])
        if "trigger" in changes:
            rule.trigger = _check_trigger(changes["trigger"])
        for flag in ("stop", "enabled"):
            if flag in changes:
                setattr(rule, flag, bool(changes[flag]))
        rule.updated_at = timezone.now()
        rule.save(update_fields=[*EDITABLE, "updated_at"])
        audit(member, member.workspace_id, "rule.updated", rule, fields=sorted(changes))
        _announce(member)
    return rule


def do_set_rule_enabled(member: Membership, rule_id: int, enabled: bool) -> Rule:
    return do_update_rule(member, rule_id, enabled=enabled)


def do_delete_rule(member: Membership, rule_id: int) -> None:
    check_role(member, Role.MANAGER)
    with transaction.atomic():
        rule = access_rule(member, rule_id, lock=True)
        audit(member, member.workspace_id, "rule.deleted", rule, name=rule.name)
        rule.delete()
        _announce(member)


def do_reorder_rules(member: Membership, rule_ids: Sequence[int]) -> list[Rule]:
    """Put the workspace's rules in this order (every rule once)."""
    check_role(member, Role.MANAGER)
    with transaction.atomic():
        rules = {r.pk: r for r in Rule.objects.select_for_update().filter(
            workspace_id=member.workspace_id)}
        if sorted(rule_ids) != sorted(rules):
            raise _invalid("ids", "list every rule of the workspace once, in the new order")
        now = timezone.now()
        for position, rule_id in enumerate(rule_ids, start=1):
            rule = rules[rule_id]
            if rule.position != position:
                rule.position, rule.updated_at = position, now
                rule.save(update_fields=["position", "updated_at"])
        audit(member, member.workspace_id, "rule.reordered", None, ids=list(rule_ids))
        _announce(member)
    return [rules[i] for i in rule_ids]


# -- assignment ----------------------------------------------------------------------------


def do_set_availability(member: Membership, availability: str) -> Membership:
    """A member says whether they take new conversations now."""
    if availability not in Availability.values:
        raise _invalid("availability", f"one of {', '.join(Availability.values)}")
    if member.availability != availability:
        member.availability = availability
        member.save(update_fields=["availability"])
        audit(member, member.workspace_id, "member.availability", member,
              availability=availability)
        events.publish(member.workspace_id, "members.changed", actor=member.user_id)
    return member


def _policy_target(member: Membership, channel_id: int | None, tag: str | None
                   ) -> dict[str, Any]:
    if bool(channel_id) == bool(tag and tag.strip()):
        raise _invalid("channel", "give either a channel or a tag")
    if channel_id:
        channel = Channel.objects.filter(workspace_id=member.workspace_id, pk=channel_id).first()
        if channel is None:
            raise _invalid("channel", "not a channel of this workspace")
        return {"channel": channel, "tag": None}
    found, _ = Tag.objects.get_or_create(workspace_id=member.workspace_id, name=tag.strip()[:64])
    return {"channel": None, "tag": found}


def do_save_policy(member: Membership, mode: str, pool: Sequence[int] = (), *,
                   channel_id: int | None = None, tag: str | None = None) -> AssignmentPolicy:
    """Set how a channel's (or a tag's) new conversations are assigned."""
    check_role(member, Role.MANAGER)
    if mode not in AssignmentMode.values:
        raise _invalid("mode", f"one of {', '.join(AssignmentMode.values)}")
    members = set(Membership.objects.filter(workspace_id=member.workspace_id)
                  .values_list("user_id", flat=True))
    if set(pool) - members:
        raise _invalid("pool", "the pool can hold members of this workspace only")
    target = _policy_target(member, channel_id, tag)
    with transaction.atomic():
        key = {"channel": target["channel"]} if target["channel"] else {"tag": target["tag"]}
        policy, _ = AssignmentPolicy.objects.update_or_create(
            workspace_id=member.workspace_id, **key,
            defaults={"mode": mode, "pool": sorted(set(pool)), "updated_at": timezone.now()},
        )
        audit(member, member.workspace_id, "policy.saved", policy, mode=mode, pool=policy.pool)
    return policy


def do_delete_policy(member: Membership, policy_id: int) -> None:
    check_role(member, Role.MANAGER)
    policy = AssignmentPolicy.objects.filter(workspace_id=member.workspace_id, pk=policy_id).first()
    if policy is None:
        raise NotFound(f"assignment policy {policy_id} not found")
    audit(member, member.workspace_id, "policy.deleted", policy)
    policy.delete()
