"""Feedback: categories, filing messages as feedback, the grouped view, destinations, forwards."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, model_validator

from breakwater.feedback import actions, queries
from breakwater.feedback.queries import FeedbackFilters

router = Router(tags=["feedback"])


class CategoryIn(Schema):
    name: str = Field(description="e.g. Pricing")


class CategoryOut(Schema):
    id: int
    name: str
    position: int


@router.get("/feedback-categories", response=list[CategoryOut], summary="List feedback categories")
def list_categories(request: HttpRequest) -> Any:
    return queries.categories(request.member)  # type: ignore[attr-defined]


@router.post("/feedback-categories", response={201: CategoryOut}, summary="Add a category")
def create_category(request: HttpRequest, body: CategoryIn) -> Any:
    return Status(201, actions.do_create_category(request.member, body.name))  # type: ignore[attr-defined]


@router.patch(
    "/feedback-categories/{int:category_id}", response=CategoryOut, summary="Rename a category"
)
def rename_category(request: HttpRequest, category_id: int, body: CategoryIn) -> Any:
    return actions.do_rename_category(request.member, category_id, body.name)  # type: ignore[attr-defined]


@router.delete(
    "/feedback-categories/{int:category_id}",
    response={204: None},
    summary="Delete an unused category",
)
def delete_category(request: HttpRequest, category_id: int) -> Any:
    actions.do_delete_category(request.member, category_id)  # type: ignore[attr-defined]
    return Status(204, None)


class FeedbackIn(Schema):
    category: int = Field(description="a feedback category id (GET /feedback-categories)")
    note: str = ""


class FeedbackOut(Schema):
    message: int = Field(alias="message_id")
    conversation: int = Field(alias="conversation_id")
    channel: int = Field(alias="channel_id")
    category: str
    note: str
    text: str
    created_at: datetime

    @staticmethod
    def resolve_category(obj: Any) -> str:
        return obj.category.name

    @staticmethod
    def resolve_text(obj: Any) -> str:
        return obj.message.text


@router.post(
    "/messages/{int:message_id}/feedback",
    response=FeedbackOut,
    summary="File a message as feedback",
)
def tag_feedback(request: HttpRequest, message_id: int, body: FeedbackIn) -> Any:
    """File an inbound message under a category, with an optional note; filing it again
    changes the category and note."""
    return actions.do_tag_feedback(request.member, message_id, body.category, body.note)  # type: ignore[attr-defined]


@router.delete(
    "/messages/{int:message_id}/feedback",
    response={204: None},
    summary="Remove a message from feedback",
)
def remove_feedback(request: HttpRequest, message_id: int) -> Any:
    actions.do_remove_feedback(request.member, message_id)  # type: ignore[attr-defined]
    return Status(204, None)


class FeedbackParams(Schema):
    since: datetime | None = Field(None, description="filed at or after, ISO 8601")
    until: datetime | None = Field(None, description="filed before, ISO 8601")
    category: int | None = None
    channel: int | None = None

    def filters(self) -> FeedbackFilters:
        return FeedbackFilters(
            since=self.since, until=self.until, category=self.category, channel=self.channel
        )


class GroupOut(Schema):
    category: CategoryOut
    count: int
    examples: list[FeedbackOut]


class FeedbackView(Schema):
    total: int
    groups: list[GroupOut]


@router.get("/feedback", response=FeedbackView, summary="Feedback grouped by category")
def feedback_view(request: HttpRequest, params: Query[FeedbackParams]) -> dict[str, Any]:
    """Per category: how many messages were filed under the filters, and the newest three."""
    groups = queries.groups(request.member, params.filters())  # type: ignore[attr-defined]
    return {"total": sum(g.count for g in groups), "groups": groups}


class DestinationIn(Schema):
    name: str = Field(description="e.g. Product team")
    kind: str = Field(description="email or webhook")
    address: str = Field(description="an email address, or a Slack/Teams incoming-webhook URL")


class DestinationOut(Schema):
    id: int
    name: str
    kind: str


@router.get(
    "/feedback-destinations", response=list[DestinationOut], summary="List forwarding destinations"
)
def list_destinations(request: HttpRequest) -> Any:
    """Addresses are not shown: a webhook URL is a secret."""
    return queries.destinations(request.member)  # type: ignore[attr-defined]


@router.post("/feedback-destinations", response={201: DestinationOut}, summary="Add a destination")
def create_destination(request: HttpRequest, body: DestinationIn) -> Any:
    member = request.member  # type: ignore[attr-defined]
    return Status(201, actions.do_create_destination(member, body.name, body.kind, body.address))


@router.delete(
    "/feedback-destinations/{int:destination_id}",
    response={204: None},
    summary="Delete a destination",
)
def delete_destination(request: HttpRequest, destination_id: int) -> Any:
    actions.do_delete_destination(request.member, destination_id)  # type: ignore[attr-defined]
    return Status(204, None)


class ForwardIn(Schema):
    destination: int
    message_ids: list[int] = Field([], description="the messages to forward; or give a group:")
    category: int | None = Field(None, description="forward this category's feedback...")
    since: datetime | None = Field(None, description="...filed at or after...")
    until: datetime | None = Field(None, description="...and before")
    channel: int | None = None
    comment: str = ""

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _one_way(self) -> "ForwardIn":
        group = self.category is not None or self.since or self.until or self.channel
        if bool(self.message_ids) == bool(group):
            raise ValueError("give message_ids, or a group (category, since, until, channel)")
        return self


class ForwardOut(Schema):
    id: int
    destination: str
    message_ids: list[int]
    status: str = Field(description="queued, sending, sent or failed")
    attempts: int
    error: str = Field(description="the mail server's or webhook's answer when it failed")
    created_at: datetime
    sent_at: datetime | None

    @staticmethod
    def resolve_destination(obj: Any) -> str:
        return obj.destination.name


@router.post("/feedback/forward", response={201: ForwardOut}, summary="Forward feedback")
def forward(request: HttpRequest, body: ForwardIn) -> Any:
    """Send messages, or a whole group, to a destination. Delivery runs in the background
    and is retried on timeouts and 5xx answers; read its status from GET /feedback/forwards."""
    member = request.member  # type: ignore[attr-defined]
    if body.message_ids:
        done = actions.do_forward(member, body.message_ids, body.destination, body.comment)
    else:
        group = FeedbackFilters(
            since=body.since, until=body.until, category=body.category, channel=body.channel
        )
        done = actions.do_forward_group(member, body.destination, group, body.comment)
    done.refresh_from_db()
    return Status(201, done)


@router.get("/feedback/forwards", response=list[ForwardOut], summary="Recent forwards")
def list_forwards(request: HttpRequest) -> Any:
    return queries.recent_forwards(request.member)  # type: ignore[attr-defined]


@router.post(
    "/feedback/forwards/{int:forward_id}/retry",
    response=ForwardOut,
    summary="Retry a failed forward",
)
def retry_forward(request: HttpRequest, forward_id: int) -> Any:
    done = actions.do_retry_forward(request.member, forward_id)  # type: ignore[attr-defined]
    done.refresh_from_db()
    return done
