"""Listening: topics (queries with a live preview), their mentions and the analysis series."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from breakwater.api import api
from breakwater.listening import actions, queries
from breakwater.listening.actions import QueryInvalid, TopicFields
from breakwater.listening.models import Mention, Topic

router = Router(tags=["listening"])


@api.exception_handler(QueryInvalid)
def _query_error(request: HttpRequest, exc: QueryInvalid) -> HttpResponse:
    # The contract puts the position at the top level, beside the project's usual keys.
    return api.create_response(
        request, {"error": exc.message, "position": exc.position, "detail": exc.detail},
        status=422,
    )


class PreviewIn(Schema):
    query: str
    texts: list[str] = Field(default_factory=list, max_length=actions.MAX_PREVIEW_TEXTS)


class PreviewOut(Schema):
    matches: list[bool]


@router.post("/topics/preview", response=PreviewOut, summary="Preview a query")
def preview(request: HttpRequest, body: PreviewIn) -> dict[str, Any]:
    """Whether each text matches the query, with the compiler and matcher of live listening
    (texts analysed as on ingest). A query that does not parse is a 422 with ``position``."""
    return {"matches": actions.preview(request.member, body.query, body.texts)}  # type: ignore[attr-defined]


class TopicIn(Schema):
    name: str
    query: str
    group: Literal["brand", "competitor"] = "brand"
    active: bool = True


class TopicPatch(Schema):
    name: str | None = None
    query: str | None = None
    group: Literal["brand", "competitor"] | None = None
    active: bool | None = None


class TopicOut(Schema):
    id: int
    name: str
    query: str
    group: str
    active: bool
    created_at: datetime
    updated_at: datetime


@router.get("/topics", response=list[TopicOut], summary="List topics")
def list_topics(request: HttpRequest) -> Any:
    return queries.topics(request.member)  # type: ignore[attr-defined]


@router.post("/topics", response={201: TopicOut}, summary="Create a topic")
def create_topic(request: HttpRequest, body: TopicIn) -> Any:
    fields = TopicFields(body.name, body.query, body.group, body.active)
    return Status(201, actions.do_create_topic(request.member, fields))  # type: ignore[attr-defined]


@router.get("/topics/{int:topic_id}", response=TopicOut, summary="Get a topic")
def get_topic(request: HttpRequest, topic_id: int) -> Topic:
    return queries.access_topic(request.member, topic_id)  # type: ignore[attr-defined]


@router.patch("/topics/{int:topic_id}", response=TopicOut, summary="Change a topic")
def patch_topic(request: HttpRequest, topic_id: int, body: TopicPatch) -> Topic:
    member = request.member  # type: ignore[attr-defined]
    topic = queries.access_topic(member, topic_id)
    fields = TopicFields(
        body.name if body.name is not None else topic.name,
        body.query if body.query is not None else topic.query,
        body.group or topic.group,
        body.active if body.active is not None else topic.active,
    )
    return actions.do_update_topic(member, topic_id, fields)


@router.delete("/topics/{int:topic_id}", response={204: None}, summary="Delete a topic")
def delete_topic(request: HttpRequest, topic_id: int) -> Any:
    actions.do_delete_topic(request.member, topic_id)  # type: ignore[attr-defined]
    return Status(204, None)


class MentionOut(Schema):
    id: int
    network: str
    external_id: str
    url: str
    author: str
    author_name: str
    text: str
    language: str
    sentiment: str
    sentiment_score: float | None
    reach: int | None
    source: int | None = Field(alias="source_id")
    source_name: str
    created_at: datetime
    received_at: datetime
    conversation: int | None = Field(alias="conversation_id")
    topics: list[int] = []

    @staticmethod
    def resolve_topics(obj: Mention) -> list[int]:
        return sorted(obj.links.values_list("topic_id", flat=True))


@router.get("/topics/{int:topic_id}/mentions", response=list[MentionOut],
            summary="A topic's mentions")
def topic_mentions(request: HttpRequest, topic_id: int, limit: int = 50,
                   before: int | None = None) -> Any:
    """Newest first; page with ``before`` = the last id seen."""
    return queries.mentions(request.member, topic_id, limit=limit, before=before)  # type: ignore[attr-defined]


@router.get("/mentions", response=list[MentionOut], summary="All mentions")
def all_mentions(request: HttpRequest, limit: int = 50, before: int | None = None) -> Any:
    return queries.mentions(request.member, None, limit=limit, before=before)  # type: ignore[attr-defined]


class SendIn(Schema):
    channel: int | None = Field(None, description="a channel id; default: the API channel")


@router.post("/mentions/{int:mention_id}/send-to-inbox", summary="Send a mention to the inbox")
def send_to_inbox(request: HttpRequest, mention_id: int, body: SendIn) -> dict[str, int]:
    """Ingest the mention as a conversation to engage with; answers its id."""
    return {"conversation": actions.do_send_to_inbox(request.member, mention_id, body.channel)}  # type: ignore[attr-defined]


# -- analysis series -----------------------------------------------------------------------


@router.get("/topics/{int:topic_id}/volume", summary="Mentions per day")
def volume(request: HttpRequest, topic_id: int, days: int = 30) -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    queries.access_topic(member, topic_id)
    return queries.volume(member, [topic_id], days).as_dict()


@router.get("/topics/{int:topic_id}/sentiment", summary="Sentiment per day")
def sentiment(request: HttpRequest, topic_id: int, days: int = 30) -> dict[str, Any]:
    return queries.sentiment_trend(request.member, topic_id, days).as_dict()  # type: ignore[attr-defined]


@router.get("/topics/{int:topic_id}/terms", summary="Top terms, hashtags, authors, sources")
def terms(request: HttpRequest, topic_id: int, days: int = 30) -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    out = queries.top_terms(member, topic_id, days)
    out["emerging"] = queries.emerging_terms(member, topic_id)
    return out


@router.get("/topics/{int:topic_id}/spikes", summary="Spikes of volume and negative sentiment")
def spikes(request: HttpRequest, topic_id: int, days: int = 7) -> list[dict[str, Any]]:
    return queries.spikes(request.member, topic_id, days)  # type: ignore[attr-defined]


@router.get("/share-of-voice", summary="Share of voice of brand and competitor topics")
def share_of_voice(request: HttpRequest, days: int = 30) -> list[dict[str, Any]]:
    return queries.share_of_voice(request.member, days)  # type: ignore[attr-defined]


# -- sources -------------------------------------------------------------------------------


class SourceIn(Schema):
    kind: Literal["feed", "search", "stream"]
    name: str
    url: str = ""
    channel: int | None = Field(None, description="search and stream: the channel's id")
    query: str = ""
    active: bool = True
    dedicated: bool = Field(False, description="read by `breakwater listen` only (a stream "
                                               "always is)")
    poll_seconds: int = 300


class SourceOut(Schema):
    id: int
    kind: str
    name: str
    url: str
    channel: int | None = Field(None, alias="channel_id")
    query: str
    active: bool
    dedicated: bool
    poll_seconds: int
    cursor: str
    partition_cursors: dict[str, str]
    items_seen: int
    health: dict[str, Any]


def _source_out(source: Any, health: dict[str, Any]) -> dict[str, Any]:
    fields = {name: getattr(source, name) for name in (
        "id", "kind", "name", "url", "channel_id", "query", "active", "dedicated",
        "poll_seconds", "cursor", "partition_cursors", "items_seen")}
    fields["health"] = health
    return fields


@router.get("/sources", response=list[SourceOut], summary="List listening sources")
def list_sources(request: HttpRequest) -> Any:
    """Each source with its health: coverage (``per_day``), delay and the last error."""
    return [_source_out(s, h) for s, h in queries.sources(request.member)]  # type: ignore[attr-defined]


@router.post("/sources", response={201: SourceOut}, summary="Add a listening source")
def create_source(request: HttpRequest, body: SourceIn) -> Any:
    """A feed (``url``), a search (``channel`` and ``query``) or a stream (``channel`` whose
    connector declares ``listen_stream``: run ``breakwater listen --source ID`` for it)."""
    source = actions.do_create_source(request.member, actions.SourceFields(  # type: ignore[attr-defined]
        body.kind, body.name, url=body.url.strip(), channel_id=body.channel, query=body.query,
        active=body.active, dedicated=body.dedicated, poll_seconds=body.poll_seconds))
    return Status(201, _source_out(source, queries.source_health(source)))
