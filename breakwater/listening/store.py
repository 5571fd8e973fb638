"""The one path by which mentions are stored: from listening sources (the worker's polls and
``breakwater listen`` consumers) and from inbox items (the ``messages.ingested`` handler).

A batch of candidate posts is analysed (language and keywords inline, sentiment with the
fast model), matched against the workspace's topics in one pass each, deduplicated (the
same link, or the same text once normalised) and stored with a link per matching topic.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from breakwater.analysis import analyze, score_sentiment
from breakwater.ingest.enrich import sentiment_model
from breakwater.listening import alerts, matching
from breakwater.listening.matcher import analyse_post, post_from_stored
from breakwater.listening.models import Mention, TopicMention

LOOKUP_CHUNK = 500
# Normalised texts shorter than this ("kiitos!", "lol") are too common to call duplicates.
MIN_DEDUPE_TEXT = 24
_LINK = re.compile(r"https?://\S+")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Candidate:
    """A public post to consider: from a source's connector item or an inbox message."""

    network: str
    external_id: str
    text: str
    created_at: datetime
    url: str = ""
    author: str = ""
    author_name: str = ""
    language: str = ""
    reach: int | None = None
    source_name: str = ""
    # Inbox messages come analysed: their ingest-time index terms are matched as they are.
    search_text: str | None = None
    keywords: tuple[str, ...] | None = None
    message_id: int | None = None
    conversation_id: int | None = None


# candidate, topics, url key, text key, (post, keywords or None)
Row = tuple["Candidate", set[int], str, str, Any]


@dataclass
class StoreResult:
    seen: int = 0
    matched: int = 0
    stored: int = 0
    duplicates: int = 0
    mention_ids: list[int] = field(default_factory=list)


def normalise_url(url: str) -> str:
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return urlunsplit(("", host, parts.path.rstrip("/"), parts.query, ""))


def url_key(url: str) -> str:
    return hashlib.sha256(normalise_url(url).encode()).hexdigest()[:40] if url else ""


def normalise_text(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", _LINK.sub(" ", text.lower())).split())


def text_key(candidate: Candidate) -> str:
    norm = normalise_text(candidate.text)
    if len(norm) < MIN_DEDUPE_TEXT:
        norm = f"{candidate.network}\x00{candidate.external_id}\x00{norm}"
    return hashlib.sha256(norm.encode()).hexdigest()[:40]


def _existing(workspace_id: int, url_keys: set[str], text_keys: set[str]) -> tuple[set[str], set[str]]:
    urls: set[str] = set()
    texts: set[str] = set()
    url_list, text_list = sorted(url_keys), sorted(text_keys)
    for i in range(0, len(url_list), LOOKUP_CHUNK):
        urls.update(Mention.objects.filter(
            workspace_id=workspace_id, url_key__in=url_list[i:i + LOOKUP_CHUNK]
        ).values_list("url_key", flat=True))
    for i in range(0, len(text_list), LOOKUP_CHUNK):
        texts.update(Mention.objects.filter(
            workspace_id=workspace_id, text_key__in=text_list[i:i + LOOKUP_CHUNK]
        ).values_list("text_key", flat=True))
    return urls, texts


def _fresh(workspace_id: int, rows: list[Row],
           result: StoreResult) -> list[Row]:
    urls, texts = _existing(workspace_id, {r[2] for r in rows if r[2]}, {r[3] for r in rows})
    fresh = []
    for row in rows:
        if (row[2] and row[2] in urls) or row[3] in texts:
            result.duplicates += 1
            continue
        if row[2]:
            urls.add(row[2])
        texts.add(row[3])
        fresh.append(row)
    return fresh


def posts(candidates: Sequence[Candidate]) -> list[Any]:
    """Each candidate as the matcher reads it: analysed here in one batch as ingest analyses
    texts (the same language and index terms ``matcher.analyse_post`` would find), or as
    ingest stored it. Each post carries the analysis's keywords for the mention row."""
    fresh = [i for i, c in enumerate(candidates) if c.search_text is None and not c.language]
    texts = [unicodedata.normalize("NFC", candidates[i].text or "") for i in fresh]
    analyses = dict(zip(fresh, analyze(texts), strict=True)) if texts else {}
    out = []
    for i, c in enumerate(candidates):
        where = {"network": c.network, "source": c.source_name, "author": c.author}
        if i in analyses:
            a = analyses[i]
            post = post_from_stored(c.text, language=a.language, search_text=" ".join(a.lemmas),
                                    **where)
            out.append((post, a.keywords))
        elif c.search_text is not None:
            out.append((post_from_stored(c.text, language=c.language, search_text=c.search_text,
                                         **where), c.keywords))
        else:
            out.append((analyse_post(c.text, language=c.language, **where), None))
    return out


def match(workspace_id: int, candidates: Sequence[Candidate]) -> tuple[list[Any], list[set[int]]]:
    """The analysed posts, and the ids of the topics each matches (empty sets when there are
    no topics)."""
    matcher = matching.workspace_matcher(workspace_id)
    if matcher is None:
        return [None] * len(candidates), [set() for _ in candidates]
    analysed = posts(candidates)
    return analysed, [set(matcher.match(p)) for p, _ in analysed]


def store(workspace_id: int, candidates: Sequence[Candidate], *, source_id: int | None = None,
          keep_unmatched: bool = False) -> StoreResult:
    """Match and store a batch; ``keep_unmatched`` keeps a source's posts that match no topic
    yet (the history a new topic's preview and dry run read). Call inside or outside a
    transaction: the writes take one."""
    result = StoreResult(seen=len(candidates))
    analysed, topic_sets = match(workspace_id, candidates)
    if keep_unmatched and analysed and analysed[0] is None:
        analysed = posts(candidates)
    rows = [
        (c, topics, url_key(c.url), text_key(c), p)
        for c, topics, p in zip(candidates, topic_sets, analysed, strict=True)
        if topics or keep_unmatched
    ]
    result.matched = sum(1 for t in topic_sets if t)
    if not rows:
        return result
    for attempt in range(2):
        try:
            with transaction.atomic():
                fresh = _fresh(workspace_id, rows, result)
                if fresh:
                    _insert(workspace_id, fresh, source_id, result)
            return result
        except IntegrityError:
            # Another process stored one of these texts meanwhile: look again.
            if attempt:
                raise
            result.duplicates, result.stored, result.mention_ids = 0, 0, []
    return result


def _insert(workspace_id: int, rows: list[Row], source_id: int | None,
            result: StoreResult) -> None:
    texts = [r[0].text for r in rows]
    missing = [i for i, r in enumerate(rows) if r[4][1] is None]
    extra = dict(zip(missing, analyze([texts[i] for i in missing]), strict=True)) if missing else {}
    keywords = [extra[i].keywords if i in extra else r[4][1] for i, r in enumerate(rows)]
    languages = [r[4][0].language or r[0].language for r in rows]
    sentiments = score_sentiment(texts, [lang or "und" for lang in languages],
                                 model=sentiment_model())
    now = timezone.now()
    mentions = [
        Mention(
            workspace_id=workspace_id, source_id=source_id, message_id=c.message_id,
            network=c.network[:32], external_id=c.external_id[:255], url=c.url[:1000],
            author=c.author[:255], author_name=c.author_name[:255], text=c.text,
            language=(lang or "")[:8], search_text=" ".join(sorted(post[0].lemmas)),
            source_name=c.source_name[:200], sentiment=s.label, sentiment_score=s.score,
            keywords=list(kw[:10]), reach=c.reach, created_at=c.created_at,
            received_at=now, url_key=ukey, text_key=tkey, conversation_id=c.conversation_id,
        )
        for (c, _, ukey, tkey, post), kw, lang, s in zip(rows, keywords, languages, sentiments,
                                                          strict=True)
    ]
    Mention.objects.bulk_create(mentions)
    links = [
        TopicMention(workspace_id=workspace_id, topic_id=topic_id, mention_id=m.pk,
                     created_at=m.created_at, sentiment=m.sentiment)
        for m, row in zip(mentions, rows, strict=True)
        for topic_id in sorted(row[1])
    ]
    TopicMention.objects.bulk_create(links)
    result.stored += len(mentions)
    result.mention_ids.extend(m.pk for m in mentions)
    alerts.on_stored(workspace_id, [m for m, r in zip(mentions, rows, strict=True) if r[1]])
