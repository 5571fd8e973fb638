"""Messages: a person's correction of what analysis said about one; retrying a reply; hiding
and liking items on their network."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import model_validator

from breakwater.api.schemas import MessageOut
from breakwater.inbox import actions, queries
from breakwater.lib.downloads import download

router = Router(tags=["messages"])


class CorrectionIn(Schema):
    sentiment: str | None = None
    language: str | None = None
    spam: bool | None = None

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _something(self) -> "CorrectionIn":
        if self.sentiment is None and self.language is None and self.spam is None:
            raise ValueError("nothing to correct: give sentiment, language or spam")
        return self


@router.patch("/messages/{int:message_id}", response=MessageOut, summary="Correct a message")
def correct_message(request: HttpRequest, message_id: int, body: CorrectionIn) -> Any:
    """Set a message's sentiment (`positive`, `neutral`, `negative`), language (`fi`, `sv`,
    `en`, ..., `und`) or spam flag by hand. The automatic value is kept in `corrections`
    (they are labelled examples for evaluating the analysis), the change is audited, and the
    conversation's filters follow."""
    return actions.do_correct_message(
        request.member,  # type: ignore[attr-defined]
        message_id,
        sentiment=body.sentiment,
        language=body.language.lower() if body.language else None,
        spam=body.spam,
    )


@router.post("/messages/{int:message_id}/retry", response=MessageOut, summary="Retry a reply")
def retry_reply(request: HttpRequest, message_id: int) -> Any:
    """Send a `failed` reply again, or check an `unknown` one with the network before
    sending it again (it is never sent twice). 409 when there is nothing to retry."""
    return actions.do_retry_reply(request.member, message_id)  # type: ignore[attr-defined]


def _act(request: HttpRequest, message_id: int, action: str) -> Any:
    return actions.do_act_on_message(request.member, message_id, action)  # type: ignore[attr-defined]


@router.post("/messages/{int:message_id}/hide", response=MessageOut, summary="Hide on the network")
def hide_message(request: HttpRequest, message_id: int) -> Any:
    """Hide an inbound comment on its network (channels with the `hide` capability), through
    the outbox: `network_actions.hidden` shows `queued` → `sent` (or `failed` with the
    network's text). 422 when the network cannot hide items."""
    return _act(request, message_id, "hide")


@router.post("/messages/{int:message_id}/unhide", response=MessageOut, summary="Unhide on the network")
def unhide_message(request: HttpRequest, message_id: int) -> Any:
    return _act(request, message_id, "unhide")


@router.post("/messages/{int:message_id}/like", response=MessageOut, summary="Like on the network")
def like_message(request: HttpRequest, message_id: int) -> Any:
    """Like an inbound item on its network (channels with the `like` capability)."""
    return _act(request, message_id, "like")


@router.get("/messages/{int:message_id}/media/{int:index}", summary="Download an attachment",
            response={200: None})
def media(request: HttpRequest, message_id: int, index: int) -> HttpResponse:
    """The file of the message's ``index``-th media entry (0-based), fetched from the network
    that keeps it (an email's attachment from the mailbox); always as a download. 502 when the
    network cannot give it (the mail was deleted there), with its reason."""
    found = queries.media_content(request.member, message_id, index)  # type: ignore[attr-defined]
    return download(found.name, found.content_type, found.data)
