"""The repository firehose (``com.atproto.sync.subscribeRepos``) as a stream of new posts,
through the ``atproto`` SDK's reconnecting client.

The SDK's client runs callbacks on its own thread; ``events`` hands what it sees to the
caller as an iterator: a ``Connected`` marker each time the subscription is (re)opened,
each created post, and an ``Idle`` marker for each second without either (so the caller
can do timed work). Closing the iterator stops the client.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from atproto import CAR, models
from atproto_firehose import FirehoseSubscribeReposClient, parse_subscribe_repos_message

from breakwater.connectors.base import ConnectorError
from breakwater.connectors.bluesky.mapping import POST

log = logging.getLogger(__name__)
RECV_TIMEOUT = 60.0  # the SDK reconnects after this long without a frame


@dataclass(frozen=True)
class Connected:
    """The subscription is open: everything committed from now on will come."""


@dataclass(frozen=True)
class Idle:
    """A second went by with nothing new."""


@dataclass(frozen=True)
class NewPost:
    seq: int
    repo: str
    uri: str
    cid: str
    record: dict[str, Any]


class _Client(FirehoseSubscribeReposClient):
    """The SDK's client, telling us when its websocket handshake is done."""

    def __init__(self, connected: queue.Queue[Connected | NewPost], base_uri: str,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(base_uri=base_uri, params=params, recv_timeout=RECV_TIMEOUT)
        self._events = connected

    def _get_client(self) -> Any:
        client = super()._get_client()
        self._events.put(Connected())
        return client


def websocket_base(service: str) -> str:
    """``https://pds.example`` -> ``wss://pds.example/xrpc``."""
    base = service.rstrip("/")
    for http_scheme, ws_scheme in (("https://", "wss://"), ("http://", "ws://")):
        if base.startswith(http_scheme):
            return ws_scheme + base.removeprefix(http_scheme) + "/xrpc"
    return base + "/xrpc"


def _commit_posts(commit: Any) -> list[NewPost]:
    if not isinstance(commit, models.ComAtprotoSyncSubscribeRepos.Commit) or not commit.blocks:
        return []
    creates = [op for op in commit.ops if op.action == "create" and op.path.startswith(f"{POST}/")]
    if not creates:
        return []
    blocks = CAR.from_bytes(commit.blocks).blocks
    return [
        NewPost(seq=commit.seq, repo=commit.repo, uri=f"at://{commit.repo}/{op.path}",
                cid=str(op.cid), record=blocks.get(op.cid) or {})
        for op in creates if op.cid is not None
    ]


def events(service: str, cursor: int | None = None, *,
           resume: bool = False) -> Iterator[Connected | NewPost | Idle]:
    """Events of ``service``'s firehose until the caller stops iterating: live, or after the
    event ``cursor`` (a ``seq``; the service replays what it still keeps after it).
    ``resume``: when the SDK reconnects, it asks for what came after the last event read
    (else it starts live again, as the inbox stream wants)."""
    found: queue.Queue[Connected | NewPost] = queue.Queue(maxsize=10_000)
    client = _Client(found, websocket_base(service),
                     {"cursor": cursor} if cursor is not None else None)

    def on_message(message: Any) -> None:
        commit = parse_subscribe_repos_message(message)
        for post in _commit_posts(commit):
            found.put(post)
        seq = getattr(commit, "seq", None)
        if resume and isinstance(seq, int):
            client.update_params({"cursor": seq})

    def on_error(exc: BaseException) -> None:
        log.warning("firehose of %s: a frame could not be read: %s", service, exc)

    failure: list[BaseException] = []

    def run() -> None:
        try:
            client.start(on_message, on_error)
        except Exception as exc:  # the SDK gives up only on errors it cannot retry
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"firehose {service}", daemon=True)
    thread.start()
    try:
        while True:
            try:
                yield found.get(timeout=1.0)
            except queue.Empty:
                if not thread.is_alive():
                    ended = failure[0] if failure else "closed"
                    raise ConnectorError(f"the firehose of {service} ended: {ended}",
                                         retry_after=10) from None
                yield Idle()
    finally:
        client.stop()
