"""The workspace's compiled matcher, kept per process until a topic changes.

Topics compile once (``listening/matcher.py``) into a matcher that checks every active topic
against a post in one pass. Each process keeps the last matcher per workspace with the
``TopicsVersion`` it was built from; a topic change bumps the version in the same
transaction, so the next batch anywhere rebuilds (one indexed read per batch to check).
"""

from __future__ import annotations

import threading
import uuid

from django.db.models import F

from breakwater.listening.matcher import Matcher, compile_topics
from breakwater.listening.models import Topic, TopicsVersion

_lock = threading.Lock()
_cache: dict[int, tuple[tuple[int, str], Matcher | None]] = {}


def version(workspace_id: int) -> int:
    return _stamp(workspace_id)[0]


def _stamp(workspace_id: int) -> tuple[int, str]:
    row = TopicsVersion.objects.filter(workspace_id=workspace_id).values_list("version", "token")
    return next(iter(row), (0, ""))


def bump(workspace_id: int) -> None:
    """Call inside the transaction that changes a topic."""
    token = uuid.uuid4().hex
    row, created = TopicsVersion.objects.get_or_create(workspace_id=workspace_id,
                                                       defaults={"version": 1, "token": token})
    if not created:
        TopicsVersion.objects.filter(pk=row.pk).update(version=F("version") + 1, token=token)


def workspace_matcher(workspace_id: int) -> Matcher | None:
    """The matcher of the workspace's active topics; None when it has none."""
    current = _stamp(workspace_id)
    with _lock:
        cached = _cache.get(workspace_id)
    if cached is not None and cached[0] == current:
        return cached[1]
    topics = list(
        Topic.objects.filter(workspace_id=workspace_id, active=True).values_list("pk", "query")
    )
    matcher = compile_topics(topics) if topics else None
    with _lock:
        _cache[workspace_id] = (current, matcher)
    return matcher

