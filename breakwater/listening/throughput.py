"""How many posts a second the listening write path takes on this machine and database:
``breakwater listen --measure N --workspace SLUG`` runs ``store.store`` (analysis, the
workspace's matcher, dedupe, sentiment, insert) over N generated posts in batches, inside a
transaction that is rolled back, so the figure is real and the database is left as it was.
Divide a firehose's posts/s by the figure to get the consumer processes it needs (one core
each)."""

from __future__ import annotations

import random
import resource
import time
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from breakwater.listening import matching, store
from breakwater.listening.store import Candidate

WORDS = ("kahvi", "aamu", "pulla", "hinta", "jono", "palvelu", "uusi", "kahvila", "tänään",
         "coffee", "morning", "great", "price", "queue", "service", "new", "today")
BRANDS = ("Aalto Kahvi", "Kahvila Kilpa", "Paahtimo Pohjola", "#aaltokahvi")


class _Rollback(Exception):
    pass


def posts(n: int, seed: int = 11) -> list[Candidate]:
    rng = random.Random(seed)
    now = timezone.now()
    out = []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 25))]
        if rng.random() < 0.2:  # a fifth mention a brand
            words.insert(rng.randrange(len(words)), rng.choice(BRANDS))
        out.append(Candidate(network="bluesky", external_id=f"measure-{i}",
                             text=" ".join(words) + f" {i}", created_at=now - timedelta(seconds=i),
                             author=f"user{rng.randrange(5000)}"))
    return out


def measure(workspace_id: int, n: int, batch: int = 500) -> dict[str, Any]:
    candidates = posts(n)
    topics = matching.workspace_matcher(workspace_id)
    result = {"posts": n, "topics": len(topics) if topics is not None else 0, "matched": 0,
              "stored": 0}
    matching.workspace_matcher(workspace_id)  # compiled before the clock starts
    store.analyze([c.text for c in candidates[:10]])  # models loaded before the clock starts
    batches = (candidates[i:i + batch] for i in range(0, n, batch))
    return _timed(result, n, "posts_per_second", (lambda b=b: store.store(workspace_id, b)
                                                  for b in batches))


def _timed(result: dict[str, Any], n: int, rate: str, steps: Any) -> dict[str, Any]:
    """Run the store ``steps`` in one transaction that is rolled back (nothing stays), adding
    up what they matched and stored, and how fast: ``rate`` posts per second."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            for step in steps:
                r = step()
                result["matched"] += r.matched
                result["stored"] += r.stored
            raise _Rollback
    except _Rollback:
        pass
    seconds = time.perf_counter() - started
    result["seconds"] = round(seconds, 2)
    result[rate] = round(n / seconds)
    result["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def stream_pages(n: int, page_size: int = 500, seed: int = 11) -> list[Any]:
    """The generated posts as a stream would bring them: items of many authors in pages."""
    from breakwater.connectors.base import Author, InboundItem, Page

    items = [
        InboundItem(network="bluesky", channel=0, external_id=f"at://did:plc:{c.author}/p/{i}",
                    kind="mention", created_at=c.created_at, text=c.text,
                    url=f"https://bsky.app/profile/did:plc:{c.author}/post/{i}",
                    author=Author(external_id=f"did:plc:{c.author}", handle=f"{c.author}.test"))
        for i, c in enumerate(posts(n, seed))
    ]
    return [Page(items=items[i:i + page_size], cursor=str(i + page_size))
            for i in range(0, n, page_size)]


def measure_stream(source_id: int, n: int, partition: Any = None) -> dict[str, Any]:
    """The stream consumer's own path (``sources.store_stream_page``: partition by author,
    match, store the matching posts, save the cursor) over N generated posts of a stream
    source, rolled back like ``measure``. With a partition of n, the figure is the stream's
    posts/s one process keeps up with (it reads all, analyses its share)."""
    from breakwater.listening import sources
    from breakwater.listening.models import Source

    partition = partition or sources.WHOLE
    source = Source.objects.get(pk=source_id)
    pages = stream_pages(n)
    matching.workspace_matcher(source.workspace_id)
    store.analyze([i.text for i in pages[0].items[:10]])
    result = {"posts": n, "partition": partition.key, "matched": 0, "stored": 0}
    return _timed(result, n, "stream_posts_per_second",
                  (lambda p=p: sources.store_stream_page(source, partition, p) for p in pages))
