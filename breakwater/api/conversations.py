"""Conversations: list with filters and keyset pagination, open, change, reply, note."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, model_validator

from breakwater.api.schemas import ConversationDetailOut, ConversationOut, MessageOut, NoteOut
from breakwater.inbox import actions, queries
from breakwater.inbox.actions import Changes

router = Router(tags=["conversations"])
# Ids are `{int:...}` in the paths, so that `/conversations/bulk` is not taken for an id.


class ListParams(Schema):
    status: str | None = None
    network: str | None = None
    channel: int | None = None
    assignee: str | None = Field(None, description='user id, email, "me" or "none"')
    tag: str | None = None
    kind: str | None = None
    q: str | None = None
    language: str | None = Field(
        None, description='language of the newest inbound message, e.g. "fi"; "und": undetermined'
    )
    sentiment: str | None = Field(
        None, description="sentiment of the newest inbound message: positive, neutral or negative"
    )
    spam: bool | None = Field(None, description="true: only spam; false: no spam")
    due: str | None = Field(
        None, description='"overdue": the response due time has passed; "soon": overdue or due '
        "within the workspace's breaching-soon minutes (GET /business-hours)",
    )
    sort: str | None = Field(
        None, description='"due": conversations owing a response first, soonest due first, '
        "then the rest by newest activity; default: newest activity first",
    )
    cursor: str | None = None
    limit: int = Field(queries.DEFAULT_LIMIT, ge=1, le=queries.MAX_LIMIT)


class ConversationListItem(ConversationOut):
    snippet: str | None = Field(
        None,
        description="With `q`: the newest matching message, as HTML: text escaped, each match "
        "in `<mark>`, `…` where it was cut. Null without `q`.",
    )

    @staticmethod
    def resolve_snippet(obj: Any) -> str | None:
        value = getattr(obj, "snippet", None)
        return str(value) if value is not None else None


class ConversationListPage(Schema):
    items: list[ConversationListItem]
    next_cursor: str | None
    counts: dict[str, int]


@router.get("/conversations", response=ConversationListPage, summary="List conversations")
def list_conversations(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    """Newest activity first. Pass `next_cursor` back as `cursor` for the next page.

    `q` searches message texts: every word must match, in any inflection ("palaute" finds
    "palautteesta"); `"exact phrase"` matches the words as written; `kahvi*` matches words
    that start so. Each item then carries a `snippet`."""
    member = request.member  # type: ignore[attr-defined]
    filters = queries.Filters(
        status=params.status, network=params.network, channel=params.channel,
        assignee=params.assignee, tag=params.tag, kind=params.kind, q=params.q,
        language=params.language, sentiment=params.sentiment, spam=params.spam,
        due=params.due, sort=params.sort,
    )
    rows, next_cursor = queries.list_conversations(member, filters, params.cursor, params.limit)
    counts = queries.status_counts(member, filters) if not params.cursor else {}
    return {"items": rows, "next_cursor": next_cursor, "counts": counts}


def _detail(member: Any, conversation_id: int) -> Any:
    conv = queries.get_conversation(member, conversation_id)
    conv.messages_list = queries.thread_messages(conv)
    conv.notes_list = queries.conversation_notes(conv)
    return conv


class DetailOut(ConversationDetailOut):
    @staticmethod
    def resolve_messages(obj: Any) -> Any:
        return obj.messages_list

    @staticmethod
    def resolve_notes(obj: Any) -> Any:
        return obj.notes_list


@router.get("/conversations/{int:conversation_id}", response=DetailOut,
            summary="Open a conversation")
def get_conversation(request: HttpRequest, conversation_id: int) -> Any:
    return _detail(request.member, conversation_id)  # type: ignore[attr-defined]


class PatchIn(Schema):
    status: str | None = None
    assignee: int | str | None = None
    priority: int | str | None = None
    add_tags: list[str] = []
    remove_tags: list[str] = []

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _something(self) -> "PatchIn":
        if not self.model_fields_set:
            raise ValueError("nothing to change: give status, assignee, priority, add_tags or remove_tags")
        return self


@router.patch("/conversations/{int:conversation_id}", response=DetailOut,
              summary="Change a conversation")
def patch_conversation(request: HttpRequest, conversation_id: int, body: PatchIn) -> Any:
    """`assignee` is a user id or email; `null` unassigns. Tags are created when new."""
    member = request.member  # type: ignore[attr-defined]
    changes = Changes(
        status=body.status,
        priority=body.priority,
        assignee=body.assignee,
        assign="assignee" in body.model_fields_set,
        add_tags=body.add_tags,
        remove_tags=body.remove_tags,
    )
    actions.do_update_conversation(member, conversation_id, changes)
    return _detail(member, conversation_id)


class BulkIn(PatchIn):
    ids: list[int] = Field(..., min_length=1, max_length=500)


class BulkOut(Schema):
    updated: list[int]


@router.post("/conversations/bulk", response=BulkOut, summary="Change many conversations")
def bulk_update(request: HttpRequest, body: BulkIn) -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    changes = Changes(
        status=body.status, priority=body.priority, assignee=body.assignee,
        assign="assignee" in body.model_fields_set,
        add_tags=body.add_tags, remove_tags=body.remove_tags,
    )
    convs = actions.do_update_conversations(member, body.ids, changes)
    return {"updated": [c.pk for c in convs]}


class ReplyIn(Schema):
    text: str = Field(..., min_length=1)
    idempotency_key: str | None = Field(None, max_length=200)
    seen_up_to: int | None = Field(
        None, description="The newest message id you had seen: if someone else replied after "
        "it, the answer is 409 `replied_meanwhile` (with their reply) unless `confirm` is true"
    )
    confirm: bool = Field(False, description="Send even if someone else replied meanwhile")


@router.post("/conversations/{int:conversation_id}/replies",
             response={201: MessageOut, 200: MessageOut}, summary="Reply")
def reply(request: HttpRequest, conversation_id: int, body: ReplyIn) -> Status[Any]:
    """Queues the reply for delivery through the channel. Sending the same `idempotency_key`
    again returns the first reply (200) instead of sending twice.

    The workspace's guidelines are checked first (`checks` in the answer): a confidential
    term that blocks stores the reply with `delivery_status` "blocked", one that needs
    approval (or an approval policy covering you) with "needs_approval"; neither is sent
    until a manager approves it (`/approvals`). Warnings never stop a reply."""
    message, created = actions.do_reply(
        request.member, conversation_id, body.text, body.idempotency_key,  # type: ignore[attr-defined]
        seen_up_to=body.seen_up_to, confirm=body.confirm,
    )
    message.refresh_from_db()
    return Status(201 if created else 200, message)


class NoteIn(Schema):
    text: str = Field(..., min_length=1)


@router.post("/conversations/{int:conversation_id}/notes", response={201: NoteOut},
             summary="Add a note")
def add_note(request: HttpRequest, conversation_id: int, body: NoteIn) -> Status[Any]:
    """An internal note: visible to the team, never sent to the network."""
    note = actions.do_add_note(request.member, conversation_id, body.text)  # type: ignore[attr-defined]
    return Status(201, note)




class PresenceIn(Schema):
    state: str = Field(..., description="`viewing`, `typing` or `left`")


@router.post("/conversations/{int:conversation_id}/presence", response={204: None},
             summary="Report presence")
def report_presence(request: HttpRequest, conversation_id: int, body: PresenceIn) -> Status[None]:
    """Tell colleagues with the conversation open that you are viewing it, typing a reply,
    or have left. Repeat every 10 seconds while it lasts: live pages forget a presence
    after 25 seconds without news."""
    actions.do_report_presence(request.member, conversation_id, body.state)  # type: ignore[attr-defined]
    return Status(204, None)
