"""Every state change of the composer: saved replies, guidelines, the approval policy, approvals.

Also the reply review the inbox's reply action asks for (:func:`review_reply`): the checks
run here, on the server, whatever the browser showed. Approvals know no inbox: a decision is
announced as ``approval.decided`` with the approval's ``ref``, and the owner of that ref (the
inbox for "message:<id>") delivers or blocks it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from pydantic import ValidationError

from breakwater.composer.checks import NetworkRules, Result, check_text
from breakwater.composer.guidelines import GuidelineSet
from breakwater.composer.models import (
    Approval,
    ApprovalPolicy,
    ApprovalStatus,
    SavedReply,
    WorkspaceGuidelines,
)
from breakwater.connectors.base import describe_validation_error, get_connector_class
from breakwater.core import events
from breakwater.core.actions import audit, check_role, in_workspace
from breakwater.core.errors import Conflict, Invalid
from breakwater.core.models import Channel, Membership, Role

MAX_TEXT = 10_000

# -- guidelines ----------------------------------------------------------------------------------


def access_guidelines(workspace_id: int) -> GuidelineSet:
    """The workspace's guidelines (every member may read them; empty until a manager sets some)."""
    row = WorkspaceGuidelines.objects.filter(workspace_id=workspace_id).first()
    return GuidelineSet.model_validate(row.data) if row else GuidelineSet()


def parse_guidelines(data: Any) -> GuidelineSet:
    try:
        return GuidelineSet.model_validate(data)
    except ValidationError as exc:
        raise Invalid(describe_validation_error(exc)) from None


def do_set_guidelines(member: Membership, guidelines: GuidelineSet) -> GuidelineSet:
    check_role(member, Role.MANAGER)
    data = guidelines.model_dump()
    WorkspaceGuidelines.objects.update_or_create(
        workspace_id=member.workspace_id,
        defaults={"data": data, "updated_by_id": member.user_id, "updated_at": timezone.now()},
    )
    audit(member, member.workspace_id, "guidelines.updated", None,
          avoid=len(guidelines.avoid), confidential=len(guidelines.confidential),
          required=len(guidelines.required))
    return guidelines


# -- checks ------------------------------------------------------------------------------------


def network_rules(network: str, channel_config: Mapping[str, Any] | None = None) -> NetworkRules:
    """What ``network`` allows; with a channel's (public) config, that server's own limits."""
    connector = get_connector_class(network)
    config = channel_config or {}
    return NetworkRules(
        label=connector.label,
        max_length=connector.max_length_for(config),
        length=connector.length_for(config),
        links=connector.links_clickable,
        mentions=connector.mentions_notify,
    )


def check_reply_text(workspace_id: int, network: str, text: str, language: str | None = None,
                     channel_config: Mapping[str, Any] | None = None) -> Result:
    """The live checks of a draft (and the server's own before sending)."""
    return check_text(access_guidelines(workspace_id), text, language,
                      network_rules(network, channel_config))


def draft_report(workspace_id: int, network: str, text: str, language: str | None = None,
                 channel_config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What the composer shows while the agent types: the checks, the verdict, and the length
    as the network counts it against its limit (None: no limit)."""
    rules = network_rules(network, channel_config)
    return {**check_reply_text(workspace_id, network, text, language, channel_config).as_dict(),
            "length": rules.length(text), "limit": rules.max_length}


@dataclass(frozen=True)
class Review:
    """What the server decided about a reply before storing it."""

    result: Result
    policy_reason: str = ""

    @property
    def blocked(self) -> bool:
        return self.result.verdict == "block"

    @property
    def needs_approval(self) -> bool:
        return not self.blocked and (self.result.verdict == "approve" or bool(self.policy_reason))

    @property
    def checks(self) -> list[dict[str, Any]]:
        return self.result.as_dict()["checks"]  # type: ignore[return-value]

    def reasons(self) -> list[dict[str, Any]]:
        """Why it is held: the checks that hold it and the policy, as the approval shows them."""
        held = [c for c in self.checks if c["severity"] in ("approve", "block")]
        if self.policy_reason:
            held.append({"kind": "policy", "message": self.policy_reason, "start": 0, "end": 0,
                         "severity": "approve", "term": "", "suggestion": ""})
        return held

    def explanation(self) -> str:
        return " ".join(r["message"] for r in self.reasons())


def review_reply(member: Membership, network: str, text: str,
                 channel_config: Mapping[str, Any] | None = None) -> Review:
    return Review(check_reply_text(member.workspace_id, network, text,
                                   channel_config=channel_config), _policy_reason(member))


# -- the approval policy -----------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    roles: tuple[str, ...] = ()
    members: tuple[Membership, ...] = ()


def access_policy(workspace_id: int) -> Policy:
    row = ApprovalPolicy.objects.filter(workspace_id=workspace_id).first()
    if row is None:
        return Policy()
    members = tuple(row.members.select_related("user").order_by("user__email"))
    return Policy(tuple(row.roles), members)


def _policy_reason(member: Membership) -> str:
    row = ApprovalPolicy.objects.filter(workspace_id=member.workspace_id).first()
    if row is None:
        return ""
    if member.role in row.roles:
        return _("Replies by members with the %(role)s role need approval.") % {
            "role": Role(member.role).label}
    if row.members.filter(pk=member.pk).exists():
        return _("Your replies need approval.")
    return ""


def do_set_policy(member: Membership, roles: Sequence[str], members: Sequence[int | str]) -> Policy:
    """Whose replies need approval: ``roles`` (e.g. ["agent"]) and members by user id or email."""
    check_role(member, Role.MANAGER)
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        raise Invalid(f"unknown role(s) {', '.join(unknown)}; use {', '.join(Role.values)}")
    chosen = [_member_of(member, m) for m in members]
    with transaction.atomic():
        row, _created = ApprovalPolicy.objects.update_or_create(
            workspace_id=member.workspace_id,
            defaults={"roles": sorted(set(roles)), "updated_by_id": member.user_id,
                      "updated_at": timezone.now()},
        )
        row.members.set(chosen)
        audit(member, member.workspace_id, "approval_policy.updated", row,
              roles=row.roles, members=[m.user.email for m in chosen])
    return access_policy(member.workspace_id)


def _member_of(member: Membership, who: int | str) -> Membership:
    qs = Membership.objects.select_related("user").filter(workspace_id=member.workspace_id)
    found = (
        qs.filter(user_id=int(who)) if isinstance(who, int) or str(who).isdigit()
        else qs.filter(user__email__iexact=str(who))
    ).first()
    if found is None:
        raise Invalid(f"{who!r} is not a member of this workspace")
    return found


# -- approvals ---------------------------------------------------------------------------------


def do_request_approval(member: Membership, ref: str, text: str, reasons: list[dict[str, Any]],
                        context: dict[str, Any]) -> Approval:
    """Hold ``ref`` for a manager (inside the requester's transaction)."""
    try:
        with transaction.atomic():
            approval = Approval.objects.create(
                workspace_id=member.workspace_id, ref=ref, text=text, reasons=reasons,
                context=context, requested_by_id=member.user_id,
            )
    except IntegrityError:
        raise Conflict(f"{ref} already waits for approval") from None
    audit(member, member.workspace_id, "approval.requested", approval, ref=ref)
    return approval


def access_approval(member: Membership, approval_id: int, *, lock: bool = False) -> Approval:
    return in_workspace(member, Approval, approval_id, "approval", lock=lock)


def do_approve(member: Membership, approval_id: int, text: str | None = None,
               comment: str = "") -> Approval:
    """Let it go out, as written or as edited here. Approving twice changes nothing."""
    check_role(member, Role.MANAGER)
    with transaction.atomic():
        approval = access_approval(member, approval_id, lock=True)
        if approval.status == ApprovalStatus.APPROVED:
            return approval
        if approval.status == ApprovalStatus.REJECTED:
            raise Conflict("this was rejected; the author can write a new reply instead")
        final = _approved_text(approval, text)
        _decide(member, approval, ApprovalStatus.APPROVED, comment,
                approved_text=final if final != approval.text else "")
    return approval


def _approved_text(approval: Approval, text: str | None) -> str:
    final = (text if text is not None else approval.text).strip()
    if not final:
        raise Invalid("the approved text cannot be empty; reject the reply instead")
    if len(final) > MAX_TEXT:
        raise Invalid(f"a reply can hold at most {MAX_TEXT} characters")
    network = approval.context.get("network")
    if final != approval.text and network:
        channel = Channel.objects.filter(pk=approval.context.get("channel_id"),
                                         workspace_id=approval.workspace_id).first()
        result = check_reply_text(approval.workspace_id, network, final,
                                  channel_config=channel.config if channel else None)
        if result.verdict == "block":
            blocking = [c.message for c in result.checks if c.severity == "block"]
            raise Invalid(" ".join(blocking) + " " + _("Edit the text before approving."))
    return final


def do_reject(member: Membership, approval_id: int, comment: str) -> Approval:
    """Keep it from the network for good; the comment tells the author why."""
    check_role(member, Role.MANAGER)
    comment = (comment or "").strip()
    if not comment:
        raise Invalid("say why in a comment, so the author knows what to change")
    with transaction.atomic():
        approval = access_approval(member, approval_id, lock=True)
        if approval.status == ApprovalStatus.REJECTED:
            return approval
        if approval.status == ApprovalStatus.APPROVED:
            raise Conflict("this was already approved and sent")
        _decide(member, approval, ApprovalStatus.REJECTED, comment)
    return approval


def _decide(member: Membership, approval: Approval, status: str, comment: str,
            approved_text: str = "") -> None:
    approval.status = status
    approval.comment = (comment or "").strip()
    approval.approved_text = approved_text
    approval.decided_by_id = member.user_id
    approval.decided_at = timezone.now()
    approval.save(update_fields=["status", "comment", "approved_text", "decided_by", "decided_at"])
    audit(member, member.workspace_id, f"approval.{status}", approval, ref=approval.ref,
          edited=bool(approved_text), comment=approval.comment)
    events.publish(
        member.workspace_id, "approval.decided", workspace_id=member.workspace_id,
        approval_id=approval.pk, ref=approval.ref, status=status,
        text=approved_text or approval.text, comment=approval.comment, actor=member.user_id,
    )


# -- saved replies -----------------------------------------------------------------------------


def access_saved_reply(member: Membership, saved_reply_id: int) -> SavedReply:
    return in_workspace(member, SavedReply, saved_reply_id, "saved reply")


@dataclass(frozen=True)
class SavedReplyFields:
    name: str
    text: str
    shortcut: str = ""
    language: str = ""


def _clean(fields: SavedReplyFields) -> SavedReplyFields:
    name, text = fields.name.strip(), fields.text.strip()
    if not name or len(name) > 120:
        raise Invalid("a saved reply needs a name of 1 to 120 characters")
    if not text or len(text) > MAX_TEXT:
        raise Invalid(f"a saved reply needs a text of 1 to {MAX_TEXT} characters")
    shortcut = slugify(fields.shortcut or name)[:64]
    return SavedReplyFields(name, text, shortcut, (fields.language or "").strip().lower()[:8])


def _name_taken(name: str) -> Conflict:
    return Conflict(f"a saved reply named {name!r} exists already; pick another name")


def do_create_saved_reply(member: Membership, fields: SavedReplyFields) -> SavedReply:
    check_role(member, Role.AGENT)
    clean = _clean(fields)
    try:
        with transaction.atomic():
            reply = SavedReply.objects.create(
                workspace_id=member.workspace_id, created_by_id=member.user_id,
                name=clean.name, text=clean.text, shortcut=clean.shortcut, language=clean.language,
            )
    except IntegrityError:
        raise _name_taken(clean.name) from None
    audit(member, member.workspace_id, "saved_reply.created", reply, name=reply.name)
    return reply


def do_update_saved_reply(member: Membership, saved_reply_id: int,
                          fields: SavedReplyFields) -> SavedReply:
    check_role(member, Role.AGENT)
    clean = _clean(fields)
    reply = access_saved_reply(member, saved_reply_id)
    reply.name, reply.text, reply.shortcut, reply.language = (
        clean.name, clean.text, clean.shortcut, clean.language)
    reply.updated_at = timezone.now()
    try:
        with transaction.atomic():
            reply.save(update_fields=["name", "text", "shortcut", "language", "updated_at"])
    except IntegrityError:
        raise _name_taken(clean.name) from None
    audit(member, member.workspace_id, "saved_reply.updated", reply, name=reply.name)
    return reply


def do_delete_saved_reply(member: Membership, saved_reply_id: int) -> None:
    check_role(member, Role.AGENT)
    reply = access_saved_reply(member, saved_reply_id)
    audit(member, member.workspace_id, "saved_reply.deleted", reply, name=reply.name)
    reply.delete()
