"""The composer over HTTP: saved replies, guidelines, live checks and approvals."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from breakwater.api.schemas import UserRef
from breakwater.composer import actions, queries
from breakwater.composer.actions import SavedReplyFields
from breakwater.composer.guidelines import GuidelineSet
from breakwater.composer.variables import context_for, render
from breakwater.inbox.actions import access_conversation

router = Router()


# -- saved replies -----------------------------------------------------------------------------


class SavedReplyIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    text: str = Field(..., min_length=1, description="with variables, e.g. {{contact.first_name}}")
    shortcut: str = Field("", max_length=64, description="what follows / in the reply box")
    language: str = Field("", max_length=8)


class SavedReplyOut(Schema):
    id: int
    name: str
    shortcut: str
    text: str
    language: str
    created_at: datetime
    updated_at: datetime


class RenderedReplyOut(SavedReplyOut):
    rendered: str = Field(description="the text with this conversation's variables filled in")


def _fields(body: SavedReplyIn) -> SavedReplyFields:
    return SavedReplyFields(name=body.name, text=body.text, shortcut=body.shortcut,
                            language=body.language)


@router.get("/saved-replies", response=list[SavedReplyOut], tags=["saved replies"],
            summary="List saved replies")
def list_saved_replies(request: HttpRequest, q: str = "") -> Any:
    """`q` finds replies whose shortcut, name or text contain it."""
    return queries.saved_replies(request.member, q)  # type: ignore[attr-defined]


@router.post("/saved-replies", response={201: SavedReplyOut}, tags=["saved replies"],
             summary="Create a saved reply")
def create_saved_reply(request: HttpRequest, body: SavedReplyIn) -> Status[Any]:
    return Status(201, actions.do_create_saved_reply(request.member, _fields(body)))  # type: ignore[attr-defined]


@router.put("/saved-replies/{int:saved_reply_id}", response=SavedReplyOut, tags=["saved replies"],
            summary="Change a saved reply")
def update_saved_reply(request: HttpRequest, saved_reply_id: int, body: SavedReplyIn) -> Any:
    return actions.do_update_saved_reply(request.member, saved_reply_id, _fields(body))  # type: ignore[attr-defined]


@router.delete("/saved-replies/{int:saved_reply_id}", response={204: None},
               tags=["saved replies"], summary="Delete a saved reply")
def delete_saved_reply(request: HttpRequest, saved_reply_id: int) -> Status[None]:
    actions.do_delete_saved_reply(request.member, saved_reply_id)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get("/conversations/{int:conversation_id}/saved-replies",
            response=list[RenderedReplyOut], tags=["saved replies"],
            summary="Saved replies rendered for a conversation")
def conversation_saved_replies(request: HttpRequest, conversation_id: int, q: str = "") -> Any:
    """Each saved reply with `rendered`: its variables filled in for this conversation's contact,
    you as the agent, and its links tagged for the conversation's network."""
    member = request.member  # type: ignore[attr-defined]
    conv = access_conversation(member, conversation_id)
    rows = queries.saved_replies(member, q)
    for row in rows:
        row.rendered = render(row.text, context_for(conv, member, campaign=row.shortcut))
    return rows


# -- guidelines and checks ---------------------------------------------------------------------


@router.get("/guidelines", response=GuidelineSet, tags=["guidelines"],
            summary="Read the guidelines")
def get_guidelines(request: HttpRequest) -> Any:
    return actions.access_guidelines(request.member.workspace_id)  # type: ignore[attr-defined]


@router.put("/guidelines", response=GuidelineSet, tags=["guidelines"],
            summary="Replace the guidelines")
def put_guidelines(request: HttpRequest, body: GuidelineSet) -> Any:
    """Managers and up. The whole set is replaced; see docs/guidelines.md for the shape."""
    return actions.do_set_guidelines(request.member, body)  # type: ignore[attr-defined]


class CheckIn(Schema):
    text: str = Field(..., max_length=actions.MAX_TEXT)
    language: str | None = Field(None, description="the draft's language, if known, e.g. fi")


class CheckOut(Schema):
    kind: Literal["confidential", "avoid", "required", "length", "link", "mention"]
    message: str
    start: int = Field(description="character offset into the text (Python/Unicode code points)")
    end: int
    severity: Literal["warn", "approve", "block"]
    term: str
    suggestion: str


class ChecksOut(Schema):
    checks: list[CheckOut]
    verdict: Literal["ok", "warn", "approve", "block"] = Field(
        description="ok and warn send; approve waits for a manager; block is never sent"
    )
    length: int = Field(description="the text's length as the channel's network counts it")
    limit: int | None = Field(description="the network's limit; null when it has none")


@router.post("/conversations/{int:conversation_id}/checks", response=ChecksOut,
             tags=["guidelines"], summary="Check a draft reply")
def check_draft(request: HttpRequest, conversation_id: int, body: CheckIn) -> Any:
    """The checks a reply with this text would meet in this conversation, without sending it."""
    member = request.member  # type: ignore[attr-defined]
    conv = access_conversation(member, conversation_id)
    return actions.draft_report(member.workspace_id, conv.network, body.text, body.language,
                                conv.channel.config)


# -- approvals ---------------------------------------------------------------------------------


class ApprovalOut(Schema):
    id: int
    ref: str = Field(description='what waits, e.g. "message:42"')
    status: str = Field(description="pending | approved | rejected")
    text: str
    approved_text: str = Field(description="what was sent instead, when the approver edited it")
    reasons: list[dict[str, Any]]
    context: dict[str, Any] = Field(description='e.g. {"conversation": 7, "network": "demo"}')
    requested_by: UserRef | None
    requested_at: datetime
    decided_by: UserRef | None
    decided_at: datetime | None
    comment: str


class ApproveIn(Schema):
    text: str | None = Field(None, description="send this instead (an edit); omit to send as is")
    comment: str = ""


class RejectIn(Schema):
    comment: str = Field(..., min_length=1, description="why: the author sees it")


class PolicyIO(Schema):
    roles: list[str] = Field(default_factory=list, description='e.g. ["agent"]')
    members: list[int | str] = Field(default_factory=list, description="user ids or emails")


@router.get("/approvals", response=list[ApprovalOut], tags=["approvals"],
            summary="The approval queue")
def list_approvals(request: HttpRequest,
                   status: Literal["pending", "approved", "rejected", ""] = "pending") -> Any:
    """Pending ones oldest first; `status=approved|rejected` (or empty for all) newest first."""
    return queries.approvals(request.member, status or None)  # type: ignore[attr-defined]


@router.post("/approvals/{int:approval_id}/approve", response=ApprovalOut, tags=["approvals"],
             summary="Approve")
def approve(request: HttpRequest, approval_id: int, body: ApproveIn) -> Any:
    """Managers and up. The (edited) reply is sent like any other, once: approving again
    changes nothing."""
    return actions.do_approve(request.member, approval_id, body.text, body.comment)  # type: ignore[attr-defined]


@router.post("/approvals/{int:approval_id}/reject", response=ApprovalOut, tags=["approvals"],
             summary="Reject")
def reject(request: HttpRequest, approval_id: int, body: RejectIn) -> Any:
    """Managers and up. The reply stays blocked, with the comment shown on the conversation."""
    return actions.do_reject(request.member, approval_id, body.comment)  # type: ignore[attr-defined]


def _policy_out(policy: actions.Policy) -> dict[str, Any]:
    return {"roles": list(policy.roles), "members": [m.user.email for m in policy.members]}


@router.get("/approvals/policy", response=PolicyIO, tags=["approvals"],
            summary="Whose replies need approval")
def get_policy(request: HttpRequest) -> Any:
    return _policy_out(actions.access_policy(request.member.workspace_id))  # type: ignore[attr-defined]


@router.put("/approvals/policy", response=PolicyIO, tags=["approvals"],
            summary="Set whose replies need approval")
def put_policy(request: HttpRequest, body: PolicyIO) -> Any:
    """Managers and up. Replies by members with one of `roles`, or named in `members`, wait
    for approval."""
    return _policy_out(actions.do_set_policy(request.member, body.roles, body.members))  # type: ignore[attr-defined]
