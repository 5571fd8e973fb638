"""Running the rules: on ingest, when sentiment arrives, and when a person changes a
conversation. Every change goes through the inbox actions as the rule's system actor.

The system actor is an unsaved membership of the workspace with no user and the manager
role (what it takes to write rules): audit rows get no person as actor and carry
``"rule": N`` (or ``"policy": N`` for assignment policies), and the live event's ``actor``
is None, which is also how the "conversation changed" trigger tells a person's change from
a rule's (so rules never trigger each other in a loop).

Cost when a workspace has no rules: one indexed query per ingest batch (``_enabled``),
plus one for assignment policies when the batch started new conversations.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from breakwater.automation import assignment
from breakwater.automation import facts as stored
from breakwater.automation.models import AssignmentMode, AssignmentPolicy, PendingRuleRun, Rule, Trigger
from breakwater.automation.rules import (
    AssignAction,
    Facts,
    ForwardAction,
    PriorityAction,
    ReplyAction,
    RuleBody,
    SpamAction,
    StatusAction,
    TagAction,
    evaluate,
    parse_body,
    uses,
)
from breakwater.composer import variables
from breakwater.core import events
from breakwater.core.actions import audit
from breakwater.core.errors import ActionError
from breakwater.core.models import Membership, Role, Workspace
from breakwater.feedback.actions import do_forward
from breakwater.inbox import actions as inbox
from breakwater.inbox.models import (
    Conversation,
    ConversationTag,
    Direction,
    Message,
    Priority,
    Status,
)

log = logging.getLogger(__name__)
CHUNK = 900


def system_member(workspace_id: int, **acting: int) -> Membership:
    """The actor of automatic changes: no person, manager rights, ``acting`` in the audit."""
    member = Membership(workspace_id=workspace_id, role=Role.MANAGER)
    member.acting = acting  # type: ignore[attr-defined] -- read by core.actions.audit
    return member


@dataclass(frozen=True)
class Compiled:
    """A rule as the engine runs it: the row's identity and its parsed body."""

    pk: int
    position: int
    stop: bool
    body: RuleBody


# Parsed bodies by (rule id, updated_at): an edit changes updated_at, so a stale entry is
# never used; other processes see the edit on their next read of the rules.
_parsed: dict[tuple[int, datetime], RuleBody] = {}


def _enabled(workspace_id: int, trigger: str) -> list[Compiled]:
    rows = (
        Rule.objects.filter(workspace_id=workspace_id, enabled=True, trigger=trigger)
        .order_by("position", "id")
        .values_list("pk", "position", "stop", "updated_at", "conditions", "actions")
    )
    out = []
    for pk, position, stop, updated_at, conditions, actions in rows:
        key = (pk, updated_at)
        if key not in _parsed:
            try:
                _parsed[key] = parse_body(conditions, actions)
            except ValueError:
                log.warning("rule %s has invalid conditions or actions; skipped", pk)
                continue
        out.append(Compiled(pk, position, stop, _parsed[key]))
    return out


def _timezone(workspace_id: int) -> str:
    return Workspace.objects.filter(pk=workspace_id).values_list("timezone", flat=True).first() or "UTC"


def _batch_facts(workspace_id: int, rows: list[tuple[Any, ...]], rules: Sequence[Compiled]
                 ) -> list[tuple[tuple[Any, ...], Facts]]:
    tz = _timezone(workspace_id)
    is_open = stored.business_hours(workspace_id)
    out = [(row, stored.to_facts(row, tz, is_open)) for row in rows]
    if any(r.body.conditions.contact and r.body.conditions.contact.first_time for r in rules):
        firsts = stored.first_messages(workspace_id, (row[-1] for row in rows))
        for row, facts in out:
            stored.mark_first_time(facts, row, firsts)
    return out


# -- applying ------------------------------------------------------------------------------


def _changes(member: Membership, rule: Compiled, conversation_id: int) -> inbox.Changes:
    """The rule's conversation changes as one inbox ``Changes`` (one action, one audit row)."""
    status = priority = assignee = None
    assign, tags = False, []
    for action in rule.body.actions:
        if isinstance(action, TagAction):
            tags.extend(action.tags)
        elif isinstance(action, StatusAction):
            status = action.status
        elif isinstance(action, PriorityAction):
            # The number: the inbox parses a name through its translated labels each time.
            priority = Priority[action.priority.upper()].value
        elif isinstance(action, AssignAction):
            chosen = action.member if action.mode == "member" else _auto_assignee(
                member, rule, action, conversation_id)
            if chosen is not None:
                assign, assignee = True, chosen
    return inbox.Changes(status=status, priority=priority, assignee=assignee, assign=assign,
                         add_tags=tags)


def _auto_assignee(member: Membership, rule: Compiled, action: AssignAction,
                   conversation_id: int) -> int | None:
    """Round robin or least loaded, for a conversation nobody has yet: taking one away
    from its assignee on every new message would scatter the thread across the team."""
    if Conversation.objects.filter(pk=conversation_id, assignee__isnull=False).exists():
        return None
    return assignment.choose(Rule, rule.pk, member.workspace_id, action.mode, action.pool)


def _saved_reply_text(workspace_id: int, saved_reply_id: int) -> str | None:
    from breakwater.composer.models import SavedReply

    return (
        SavedReply.objects.filter(pk=saved_reply_id, workspace_id=workspace_id)
        .values_list("text", flat=True)
        .first()
    )


def apply_rule(rule: Compiled, workspace_id: int, message_id: int, conversation_id: int) -> None:
    """Run a matching rule's actions; a failing action is audited and skipped, never breaks
    ingest (its savepoint is rolled back)."""
    member = system_member(workspace_id, rule=rule.pk)
    try:
        with transaction.atomic():
            changes = _changes(member, rule, conversation_id)
            if changes != inbox.Changes():
                inbox.do_update_conversation(member, conversation_id, changes)
            for action in rule.body.actions:
                if isinstance(action, SpamAction):
                    inbox.do_mark_spam(member, [message_id])
                elif isinstance(action, ReplyAction):
                    _auto_reply(member, rule, action, message_id, conversation_id)
                elif isinstance(action, ForwardAction):
                    do_forward(member, [message_id], action.destination, action.comment)
    except ActionError as exc:
        audit(member, workspace_id, "rule.failed", None, message=message_id,
              conversation=conversation_id, error=exc.message)
    except Exception:
        log.exception("rule %s failed on message %s", rule.pk, message_id)


def _auto_reply(member: Membership, rule: Compiled, action: ReplyAction, message_id: int,
                conversation_id: int) -> None:
    text = _saved_reply_text(member.workspace_id, action.saved_reply)
    if text is None:
        raise ActionError(f"saved reply {action.saved_reply} no longer exists")
    conv = Conversation.objects.select_related("contact", "workspace").get(pk=conversation_id)
    # Variables as in the composer; the workspace signs ({{agent.name}}): no person wrote it.
    # One reply per rule and message, even if the rule runs again.
    inbox.do_reply(member, conversation_id, variables.render(text, variables.context_for(conv, None)),
                   idempotency_key=f"rule:{rule.pk}:message:{message_id}")


def run(rules: Sequence[Compiled], workspace_id: int, message_id: int, conversation_id: int,
        facts: Facts) -> None:
    """Rules in order for one message; a rule that needs the sentiment first parks the rest."""
    for rule in rules:
        verdict = evaluate(rule.body.conditions, facts)
        if verdict is None:
            PendingRuleRun.objects.update_or_create(
                message_id=message_id, defaults={"workspace_id": workspace_id, "rule_id": rule.pk}
            )
            return
        if verdict:
            apply_rule(rule, workspace_id, message_id, conversation_id)
            if rule.stop:
                return


# -- triggers ------------------------------------------------------------------------------


def _chunks(values: Sequence[int]) -> list[Sequence[int]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


@events.on("messages.ingested")
def on_ingested(event: dict[str, Any]) -> None:
    workspace_id = event["workspace_id"]
    rules = _enabled(workspace_id, Trigger.MESSAGE_RECEIVED)
    if rules:
        rows: list[tuple[Any, ...]] = []
        for chunk in _chunks(list(event["conversation_ids"])):
            qs = Message.objects.filter(
                conversation_id__in=chunk, received_at=event["received_at"],
                direction=Direction.IN,
            ).order_by("created_at", "id")
            rows.extend(stored.rows(qs))
        rows.sort(key=lambda r: (r[stored.COLUMNS.index("created_at")], r[0]))
        for row, facts in _batch_facts(workspace_id, rows, rules):
            run(rules, workspace_id, row[0], row[1], facts)
    if event["created_conversation_ids"]:
        assign_new(workspace_id, event["created_conversation_ids"])


@events.on("conversations.changed")
def on_changed(event: dict[str, Any]) -> None:
    """Sentiment arrived (the worker, or a person's correction): resume parked runs. A
    person changed conversations: run the "conversation changed" rules."""
    if event.get("sentiment") or event.get("actor"):
        resume_pending()
    if event.get("actor"):
        _on_person_change(event["conversation_ids"])


def resume_pending() -> int:
    """Continue each parked run whose message now has a sentiment, from the rule it waited at."""
    parked = list(
        PendingRuleRun.objects.filter(message__sentiment__gt="")
        .select_related("rule")
        .order_by("message_id")
    )
    by_workspace: dict[int, list[Compiled]] = {}
    for run_ in parked:
        if run_.workspace_id not in by_workspace:
            by_workspace[run_.workspace_id] = _enabled(run_.workspace_id, Trigger.MESSAGE_RECEIVED)
        rules = by_workspace[run_.workspace_id]
        at = (run_.rule.position, run_.rule_id)
        rest = [r for r in rules if (r.position, r.pk) >= at]
        row = list(stored.rows(Message.objects.filter(pk=run_.message_id)))
        run_.delete()
        if row and rest:
            [(_, facts)] = _batch_facts(run_.workspace_id, row, rest)
            run(rest, run_.workspace_id, row[0][0], row[0][1], facts)
    return len(parked)


def _on_person_change(conversation_ids: Sequence[int]) -> None:
    if not conversation_ids:
        return
    workspace_id = (
        Conversation.objects.filter(pk=conversation_ids[0])
        .values_list("workspace_id", flat=True).first()
    )
    if workspace_id is None:
        return
    rules = _enabled(workspace_id, Trigger.CONVERSATION_CHANGED)
    if not rules:
        return
    for conversation_id in conversation_ids:
        newest = (
            Message.objects.filter(conversation_id=conversation_id, direction=Direction.IN)
            .order_by("-created_at", "-id")[:1]
        )
        row = list(stored.rows(newest))
        if row:
            [(_, facts)] = _batch_facts(workspace_id, row, rules)
            # Sentiment not known yet: such a rule simply does not match on this change.
            decided = [r for r in rules if not (uses(r.body.conditions, "sentiments")
                                                and not facts.sentiment)]
            run(decided, workspace_id, row[0][0], conversation_id, facts)


# -- assignment policies -------------------------------------------------------------------


def assign_new(workspace_id: int, conversation_ids: Sequence[int]) -> None:
    """Give new, still unassigned, open conversations to someone by their tag's or channel's
    policy (a tag's policy first: it is the more specific)."""
    policies = list(
        AssignmentPolicy.objects.filter(workspace_id=workspace_id)
        .exclude(mode=AssignmentMode.MANUAL)
        .order_by("id")
    )
    if not policies:
        return
    by_channel = {p.channel_id: p for p in policies if p.channel_id}
    by_tag = {p.tag_id: p for p in policies if p.tag_id}
    convs = Conversation.objects.filter(
        pk__in=list(conversation_ids), assignee__isnull=True, status=Status.OPEN
    ).values_list("pk", "channel_id")
    tags: dict[int, list[int]] = {}
    if by_tag:
        for conv_id, tag_id in ConversationTag.objects.filter(
            conversation_id__in=list(conversation_ids), tag_id__in=list(by_tag)
        ).order_by("tag_id").values_list("conversation_id", "tag_id"):
            tags.setdefault(conv_id, []).append(tag_id)
    for conv_id, channel_id in convs:
        tagged = [by_tag[t] for t in tags.get(conv_id, ())]
        policy = tagged[0] if tagged else by_channel.get(channel_id)
        if policy is not None:
            assign_by_policy(policy, conv_id)


def assign_by_policy(policy: AssignmentPolicy, conversation_id: int) -> int | None:
    chosen = assignment.choose(AssignmentPolicy, policy.pk, policy.workspace_id, policy.mode,
                               policy.pool)
    if chosen is not None:
        inbox.do_assign(system_member(policy.workspace_id, policy=policy.pk), conversation_id,
                        chosen)
    return chosen
