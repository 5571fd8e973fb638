"""Enrichment of stored messages by ``analysis/``: the inline part and the deferred part.

* ``analyse_items`` runs inside ingest on every batch (language, confidence, spam flag,
  keywords, search lemmas: ``analysis.analyze``, about 0.1 ms a message; ``breakwater bench
  analysis`` measures it against the ingest path). ``BREAKWATER_ANALYSE_ON_INGEST = False``
  switches it off (the bench's baseline).
* ``fill_sentiment`` runs in the worker loop: it takes inbound messages whose sentiment is not
  set yet, scores them in one batch (``analysis.score_sentiment``) and stores the labels. A
  message is visible the moment ingest commits; its sentiment follows within a worker tick.
  ``BREAKWATER_SENTIMENT_MODEL`` picks the model (``fast``, the default, or ``e5``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from breakwater.analysis import Analysis, analyze, score_sentiment, warm_up
from breakwater.connectors.base import InboundItem
from breakwater.core import events
from breakwater.inbox.models import Conversation, Direction, Message

log = logging.getLogger(__name__)
SENTIMENT_BATCH = 500
MAX_KEYWORDS_STORED = 10


def warm_up_in_background() -> None:
    """Load the analysis models in a thread, so the first batch does not wait for them."""

    def run() -> None:
        try:
            log.info("analysis models loaded in %.1f s", warm_up(sentiment_model()))
        except Exception as exc:
            # The worker's sentiment step then fails with the same reason, every tick.
            log.error("loading the analysis models failed: %s", exc)

    if analysis_enabled():
        threading.Thread(target=run, name="analysis-warm-up", daemon=True).start()


def analysis_enabled() -> bool:
    return bool(settings.BREAKWATER_ANALYSE_ON_INGEST)


def sentiment_model() -> str:
    return str(settings.BREAKWATER_SENTIMENT_MODEL or "fast")


def _analyse(texts: Sequence[str], authors: Sequence[str] | None = None) -> list[Analysis | None]:
    if not analysis_enabled() or not texts:
        return [None] * len(texts)
    return list(analyze(texts, authors=authors))


def analyse_items(items: Sequence[InboundItem]) -> list[Analysis | None]:
    """The fast analysis of a batch, one per item (all None when switched off). Authors let a
    text repeated by several of them within the batch count as spam."""
    authors = [f"{i.network}:{i.author.external_id}" if i.author else "" for i in items]
    return _analyse([i.text for i in items], authors)


# The message columns ``message_fields`` fills, in its order.
MESSAGE_ATTNAMES = (
    "language", "language_confidence", "is_spam", "spam_reasons", "is_abusive",
    "abuse_reasons", "keywords", "search_text",
)


def message_fields(analysis: Analysis | None, inbound: bool) -> tuple[Any, ...]:
    """The values of ``MESSAGE_ATTNAMES`` for a message row. The brand's own messages are
    never spam or abuse (their words are still indexed for search)."""
    if analysis is None:
        return ("", None, False, [], False, [], [], "")
    return (
        analysis.language,
        analysis.language_confidence,
        inbound and analysis.spam,
        list(analysis.spam_reasons) if inbound else [],
        inbound and analysis.abusive,
        list(analysis.abuse_reasons) if inbound else [],
        list(analysis.keywords[:MAX_KEYWORDS_STORED]),
        analysis.search_text,
    )


def outbound_fields(text: str) -> dict[str, Any]:
    """The analysis columns of a message the brand writes in Breakwater (a reply), so that
    search and keywords see it like an ingested one."""
    [analysis] = _analyse([text])
    return dict(zip(MESSAGE_ATTNAMES, message_fields(analysis, inbound=False), strict=True))


def _pending(limit: int) -> list[tuple[int, int, int, str, str]]:
    """``(id, workspace, conversation, text, language)`` of inbound messages not yet scored."""
    qs = (
        Message.objects.filter(direction=Direction.IN, sentiment="")
        .order_by("id")
        .values_list("id", "workspace_id", "conversation_id", "text", "language")
    )
    if connection.features.has_select_for_update_skip_locked:
        # Several workers take disjoint batches on PostgreSQL (rows stay locked until commit).
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs[:limit])


def fill_sentiment(limit: int = SENTIMENT_BATCH) -> int:
    """Score one batch of unscored inbound messages; returns how many (0: nothing to do)."""
    with transaction.atomic():
        rows = _pending(limit)
        if not rows:
            return 0
        results = score_sentiment(
            [text for _, _, _, text, _ in rows],
            [language or "und" for *_, language in rows],
            model=sentiment_model(),
        )
        table = Message._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET sentiment = %s, sentiment_score = %s "  # noqa: S608
                "WHERE id = %s AND sentiment = ''",
                [(r.label, r.score, row[0]) for r, row in zip(results, rows, strict=True)],
            )
        by_workspace: dict[int, set[int]] = {}
        for _, workspace_id, conversation_id, _, _ in rows:
            by_workspace.setdefault(workspace_id, set()).add(conversation_id)
        Conversation.objects.refresh_analysis({c for ids in by_workspace.values() for c in ids})
        for workspace_id, conversation_ids in by_workspace.items():
            events.publish(
                workspace_id,
                "conversations.changed",
                conversation_ids=sorted(conversation_ids)[:200],
                sentiment=True,
            )
    return len(rows)
