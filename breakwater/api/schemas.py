"""What the API answers: conversations, messages, notes, channels."""

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from breakwater.inbox.models import Conversation, Message, Note


class ChannelRef(Schema):
    id: int
    network: str
    name: str


class ContactRef(Schema):
    id: int
    name: str


class UserRef(Schema):
    id: int
    email: str
    name: str


class ConversationOut(Schema):
    id: int
    status: str
    priority: int
    kind: str
    network: str
    thread_key: str
    channel: ChannelRef
    contact: ContactRef | None
    assignee: UserRef | None
    tags: list[str]
    preview: str
    message_count: int
    first_inbound_at: datetime | None
    first_response_at: datetime | None
    response_due_at: datetime | None = Field(
        description="when the next response is due under the SLA targets; null: none owed"
    )
    last_activity_at: datetime
    created_at: datetime
    language: str = Field(description="of the newest inbound message; und: undetermined")
    sentiment: str = Field(description='of the newest inbound message; "" until scored')
    is_spam: bool = Field(description="every inbound message is spam")

    @staticmethod
    def resolve_tags(obj: Conversation) -> list[str]:
        return [t.name for t in getattr(obj, "tag_list", [])]


class AuthorOut(Schema):
    external_id: str
    handle: str
    name: str
    avatar_url: str


class MessageOut(Schema):
    id: int
    external_id: str
    direction: str
    kind: str
    parent_external_id: str
    author: AuthorOut | None
    sent_by: UserRef | None
    text: str
    media: list[Any]
    url: str
    is_public: bool
    created_at: datetime
    delivery_state: str
    delivery_status: str = Field(
        description="where an outbound message is: queued | sending | sent | failed | unknown | "
        "needs_approval | blocked (received for inbound ones); the same as delivery_state"
    )
    delivery_error: str = Field(description="the network's error, or why a reply is held")
    checks: list[dict[str, Any]] = Field(
        description='what the composer\'s checks found in a reply just sent: [{"kind": '
        '"confidential" | "avoid" | "required" | "length" | "link" | "mention", "message", '
        '"start", "end", "severity", "term", "suggestion"}]; empty when reading a thread'
    )
    language: str = Field(description='ISO 639-1 code; "und" when unsure; "" before analysis')
    language_confidence: float | None
    sentiment: str = Field(description='positive, neutral or negative; "" until scored')
    sentiment_score: float | None = Field(description="P(positive) - P(negative), -1..1")
    is_spam: bool
    spam_reasons: list[str]
    is_abusive: bool
    abuse_reasons: list[str]
    keywords: list[str]
    corrections: dict[str, Any] = Field(
        description='what people changed by hand: {"sentiment": {"from", "to", "by", "at"}}'
    )
    network_actions: dict[str, Any] = Field(
        default_factory=dict,
        description='what the brand did to this item on its network: {"hidden": {"value": true, '
        '"status": "queued | sending | sent | failed | unknown", "error": "..."}, "liked": {...}}',
    )

    @staticmethod
    def resolve_delivery_status(obj: Message) -> str:
        return obj.delivery_state

    @staticmethod
    def resolve_checks(obj: Message) -> list[dict[str, Any]]:
        return getattr(obj, "checks", [])

    @staticmethod
    def resolve_corrections(obj: Message) -> dict[str, Any]:
        return obj.analysis_correction

    @staticmethod
    def resolve_external_id(obj: Message) -> str:
        # Until the network confirms, a reply has only our placeholder id.
        return "" if obj.external_id.startswith("pending:") else obj.external_id


class NoteOut(Schema):
    id: int
    author: UserRef | None
    text: str
    mentions: list[str]
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Note) -> Any:
        return obj.author


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut]
    notes: list[NoteOut]


class ChannelOut(Schema):
    id: int
    network: str
    name: str
    config: dict[str, Any]
    status: str
    status_detail: str
    last_sync_at: datetime | None
    created_at: datetime
