"""Matrix through the client-server API: a followed room (community or team) and DMs.

* One cursor for polling and streaming: ``/sync``'s ``next_batch``. ``poll()`` asks with
  ``timeout=0``, ``stream()`` long-polls (``timeout=30000``), both from the saved ``since``;
  ingest deduplicates on the event id, so an overlap between the two stores nothing twice.
* Invites to direct rooms (``is_direct``) are accepted and recorded in the account's
  ``m.direct``; every room in ``m.direct`` is a DM conversation. The room in ``room_id``
  (when set) is followed as comments, threaded by room and by ``m.thread``.
* A sync whose room timeline is ``limited`` (more happened than one answer holds) is filled
  from ``/messages`` back to the previous cursor, so a busy room loses nothing.
* Replies are ``m.in_reply_to`` the message answered (with the quoted fallback body), sent
  with ``PUT .../send/m.room.message/{txnId}``: the transaction id comes from the idempotency
  key, so the homeserver sends a retry once; the key also goes into the content, so
  ``find_delivery`` finds the reply in the room's history with any token.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

from breakwater.connectors.base import (
    Account,
    Capability,
    Connector,
    ConnectorError,
    DeliveryResult,
    InboundItem,
    OutboundReply,
    Page,
    Parameter,
)
from breakwater.connectors.matrix import mapping
from breakwater.connectors.matrix.client import MatrixClient
from breakwater.connectors.matrix.mapping import KEY_FIELD, TXN_PREFIX, Room, Thread

log = logging.getLogger(__name__)
T = TypeVar("T")
STREAM_TIMEOUT_MS = 30_000
TIMELINE_LIMIT = 50
# A limited timeline is filled from /messages at most this many pages (of 100) back.
GAP_PAGES = 10
RECONCILE_PAGES = 20
FIND_PAGES = 3
TIMELINE_TYPES = ["m.room.message", "m.room.encrypted", "m.room.member"]
SYNC_FILTER = {
    "presence": {"not_types": ["*"]},
    "account_data": {"types": ["m.direct"]},
    "room": {
        "timeline": {"limit": TIMELINE_LIMIT, "types": TIMELINE_TYPES},
        "state": {"lazy_load_members": True, "types": ["m.room.member"]},
        "ephemeral": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    },
}
HISTORY_FILTER = {"types": TIMELINE_TYPES, "lazy_load_members": True}

# Tokens from password logins, per process: (homeserver, user, password hash) -> token.
_logins: dict[tuple[str, str, str], str] = {}
_logins_lock = threading.Lock()


def txn_id(idempotency_key: str) -> str:
    return TXN_PREFIX + hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]


def _chronological(chunk: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(reversed(chunk))


class MatrixConnector(Connector):
    key = "matrix"
    label = "Matrix"
    # Streaming is stream() (the engine sees it); LISTEN_* are for keyword listening, not this.
    capabilities = frozenset({Capability.INBOX_COMMENTS, Capability.INBOX_DM, Capability.REPLY})
    parameters = (
        Parameter(
            "homeserver",
            "Homeserver URL",
            required=True,
            help="The client-server API address, e.g. https://matrix.example.org",
        ),
        Parameter(
            "user_id", "User ID", required=True, help="The brand's account, e.g. @brand:example.org"
        ),
        Parameter(
            "access_token",
            "Access token",
            sensitive=True,
            help="From your Matrix client (Element: Settings > Help & About > Access token); "
            "or give the password instead",
        ),
        Parameter(
            "password",
            "Password",
            sensitive=True,
            help="Used to sign in when no access token is given (or when it stops working)",
        ),
        Parameter(
            "room_id",
            "Room ID to follow",
            help="A community or team room, e.g. !abc123:example.org (Element: Room settings > "
            "Advanced). Leave empty for direct messages only.",
        ),
    )
    EVENT_TYPES = ("comment", "dm")
    # An event is at most 65,536 bytes and the text goes in twice (body and HTML) plus the
    # quoted message: 8,000 characters fit even when every one takes 4 bytes.
    max_text_length = 8000
    # The worker long-polls /sync all the time; polling is the safety net.
    poll_interval = 300.0
    reconcile_window = 3 * 24 * 3600.0

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        # Typed-in addresses lose stray spaces; secrets are kept exactly as given.
        cleaned = {
            k: v.strip() if isinstance(v, str) and k not in cls.sensitive_parameters() else v
            for k, v in super().validate_config(config).items()
        }
        if not str(cleaned["homeserver"]).startswith(("http://", "https://")):
            raise ValueError(
                "homeserver must be an http:// or https:// address, e.g. https://matrix.example.org"
            )
        cleaned["homeserver"] = str(cleaned["homeserver"]).rstrip("/")
        if not str(cleaned["user_id"]).startswith("@") or ":" not in str(cleaned["user_id"]):
            raise ValueError("user_id must be a full Matrix ID like @brand:example.org")
        if not cleaned.get("access_token") and not cleaned.get("password"):
            raise ValueError("give an access_token or the account's password")
        if cleaned.get("room_id") and not str(cleaned["room_id"]).startswith("!"):
            raise ValueError(
                "room_id must be a room ID starting with ! (not an #alias): "
                "Element shows it in Room settings > Advanced"
            )
        return cleaned

    def __init__(self, config: Mapping[str, Any] | None = None, *, channel: int = 0):
        super().__init__(config, channel=channel)
        self.user_id = str(self.config.get("user_id", ""))
        self.room_id = str(self.config.get("room_id") or "")
        self.homeserver = str(self.config.get("homeserver", "")).rstrip("/")
        self.client = MatrixClient(self.homeserver, self._known_token())
        self._m_direct: dict[str, Any] | None = None
        self._public: dict[str, bool] = {}

    # Signing in -------------------------------------------------------------------------

    def _login_key(self) -> tuple[str, str, str]:
        secret = hashlib.sha256(str(self.config.get("password", "")).encode()).hexdigest()
        return self.homeserver, self.user_id, secret

    def _known_token(self) -> str:
        # A password login's token first: it exists because no token was given, or it was refused.
        if self.config.get("password"):
            with _logins_lock:
                token = _logins.get(self._login_key())
            if token:
                return token
        return str(self.config.get("access_token") or "")

    def _login(self) -> None:
        device = (
            "BW"
            + hashlib.sha256(f"{self.homeserver}\n{self.user_id}".encode()).hexdigest()[:10].upper()
        )
        try:
            token = self.client.login(self.user_id, str(self.config["password"]), device)
        except ConnectorError as exc:
            if exc.retry_after is not None:
                raise
            raise ConnectorError(exc.message, reauth=True) from None
        with _logins_lock:
            _logins[self._login_key()] = token

    def _authed(self, call: Callable[[MatrixClient], T]) -> T:
        """Run a call; with a password, sign in first if needed and again once if the token
        was refused (a password change logs every device out)."""
        if not self.client.access_token:
            self._login()
        try:
            return call(self.client)
        except ConnectorError as exc:
            if not (exc.reauth and self.config.get("password")):
                raise
        self._login()
        return call(self.client)

    def test_connection(self) -> Account:
        who = self._authed(lambda c: c.whoami())
        if who.get("user_id") != self.user_id:
            raise ConnectorError(
                f"these credentials sign in as {who.get('user_id')}, not {self.user_id}: "
                "check the user ID",
                permanent=True,
            )
        if self.room_id:
            self._authed(lambda c: c.join(self.room_id))
        return Account(external_id=self.user_id, handle=self.user_id)

    # Which rooms, and what kind --------------------------------------------------------

    def _direct(self, sync: Mapping[str, Any]) -> set[str]:
        fresh = mapping.m_direct_in(sync)
        if fresh is not None:
            self._m_direct = fresh
        if self._m_direct is None:
            self._m_direct = self._authed(lambda c: c.account_data(self.user_id, "m.direct"))
        return mapping.direct_room_ids(self._m_direct)

    def _is_public(self, room_id: str) -> bool:
        if room_id not in self._public:
            try:
                rules = self._authed(lambda c: c.state(room_id, "m.room.join_rules"))
            except ConnectorError as exc:
                if exc.reauth or not exc.permanent:
                    raise
                rules = {}
            self._public[room_id] = rules.get("join_rule") == "public"
        return self._public[room_id]

    def _room(self, room_id: str, direct: set[str]) -> Room | None:
        if room_id == self.room_id:
            return Room(room_id, dm=False, public=self._is_public(room_id))
        if room_id in direct:
            return Room(room_id, dm=True)
        return None

    def _accept_invites(self, sync: Mapping[str, Any]) -> list[str]:
        """Join invites to DM rooms (recording them in m.direct) and to the followed room."""
        dms = mapping.direct_invites(sync, self.user_id)
        joined = []
        for room_id in sorted(mapping.rooms_invited(sync)):
            if room_id not in dms and room_id != self.room_id:
                continue
            try:
                self._authed(lambda c, r=room_id: c.join(r))
            except ConnectorError as exc:
                if exc.reauth or not exc.permanent:
                    raise
                # A room that is gone (or forbids joining) must not stop the channel.
                log.warning("matrix: could not accept the invite to %s: %s", room_id, exc.message)
                dms.pop(room_id, None)
                continue
            joined.append(room_id)
        if dms:
            self._direct(sync)
            assert self._m_direct is not None
            for room_id, inviter in dms.items():
                rooms = self._m_direct.setdefault(inviter, [])
                if room_id not in rooms:
                    rooms.append(room_id)
            direct = dict(self._m_direct)
            self._authed(lambda c: c.set_account_data(self.user_id, "m.direct", direct))
        return joined

    # Reading ---------------------------------------------------------------------------

    def _gap(self, room_id: str, prev_batch: str, since: str) -> list[dict[str, Any]]:
        """What happened between the previous cursor and a limited timeline's start."""
        events: list[dict[str, Any]] = []
        start: str | None = prev_batch
        for _ in range(GAP_PAGES):
            page = self._authed(
                lambda c, s=start: c.messages(
                    room_id, start=s, end=since, history_filter=HISTORY_FILTER
                )
            )
            events = _chronological(page.get("chunk") or []) + events
            start = page.get("end")
            if not page.get("chunk") or not start:
                break
        return events

    def _items(self, sync: Mapping[str, Any], since: str | None) -> list[InboundItem]:
        direct = self._direct(sync)
        items: list[InboundItem] = []
        for room_id, joined in ((sync.get("rooms") or {}).get("join") or {}).items():
            room = self._room(room_id, direct)
            if room is None:
                continue
            timeline = joined.get("timeline") or {}
            events = list(timeline.get("events") or [])
            if timeline.get("limited") and since and timeline.get("prev_batch"):
                events = self._gap(room_id, timeline["prev_batch"], since) + events
            names = mapping.display_names([*(joined.get("state") or {}).get("events", []), *events])
            items += mapping.items_from_events(
                events, room, channel=self.channel, user_id=self.user_id, names=names
            )
        return items

    def _page(self, since: str | None, timeout_ms: int) -> Page:
        sync = self._authed(lambda c: c.sync(since, timeout_ms, SYNC_FILTER))
        joined = self._accept_invites(sync)
        # A room just joined shows its messages in the next sync: ask again right away.
        return Page(
            items=self._items(sync, since), cursor=str(sync["next_batch"]), more=bool(joined)
        )

    def poll(self, cursor: str | None) -> Page:
        return self._page(cursor, 0)

    def stream(self, cursor: str | None) -> Iterator[Page]:
        timeout = 0 if cursor is None else STREAM_TIMEOUT_MS
        while True:
            page = self._page(cursor, timeout)
            yield page
            cursor, timeout = page.cursor, STREAM_TIMEOUT_MS

    def _followed_rooms(self) -> list[Room]:
        direct = self._direct({})
        joined = self._authed(lambda c: c.joined_rooms())
        rooms = (self._room(r, direct) for r in joined)
        return [r for r in rooms if r is not None]

    def reconcile(self, since: datetime) -> list[InboundItem]:
        floor = since.timestamp() * 1000
        items: list[InboundItem] = []
        for room in self._followed_rooms():
            start: str | None = None
            events: list[dict[str, Any]] = []
            state: list[dict[str, Any]] = []
            for _ in range(RECONCILE_PAGES):
                page = self._authed(
                    lambda c, s=start, r=room.room_id: c.messages(
                        r, start=s, history_filter=HISTORY_FILTER
                    )
                )
                chunk = page.get("chunk") or []
                events += [e for e in chunk if e.get("origin_server_ts", 0) >= floor]
                state += page.get("state") or []
                start = page.get("end")
                if not chunk or not start or chunk[-1].get("origin_server_ts", 0) < floor:
                    break
            names = mapping.display_names([*state, *events])
            items += mapping.items_from_events(
                _chronological(events),
                room,
                channel=self.channel,
                user_id=self.user_id,
                names=names,
            )
        return items

    # Replying --------------------------------------------------------------------------

    def _parent(self, room_id: str, event_id: str) -> Mapping[str, Any]:
        try:
            return self._authed(lambda c: c.event(room_id, event_id))
        except ConnectorError as exc:
            if exc.reauth or not exc.permanent:
                raise
            return {"event_id": event_id}  # gone or hidden: reply without the quote

    def send_reply(self, reply: OutboundReply) -> DeliveryResult:
        thread = Thread.parse(reply.thread_key)
        parent = self._parent(thread.room_id, reply.in_reply_to) if reply.in_reply_to else None
        content = mapping.reply_content(
            reply.text, thread=thread, idempotency_key=reply.idempotency_key, parent=parent
        )
        event_id = self._authed(
            lambda c: c.send_message(thread.room_id, txn_id(reply.idempotency_key), content)
        )
        return DeliveryResult(event_id, url=f"https://matrix.to/#/{thread.room_id}/{event_id}")

    def find_delivery(self, reply: OutboundReply) -> DeliveryResult | None:
        thread = Thread.parse(reply.thread_key)
        txn = txn_id(reply.idempotency_key)
        start: str | None = None
        for _ in range(FIND_PAGES):
            page = self._authed(
                lambda c, s=start: c.messages(
                    thread.room_id,
                    start=s,
                    history_filter={"senders": [self.user_id], "types": ["m.room.message"]},
                )
            )
            for event in page.get("chunk") or []:
                ours = (event.get("content") or {}).get(KEY_FIELD) == reply.idempotency_key
                if ours or (event.get("unsigned") or {}).get("transaction_id") == txn:
                    return DeliveryResult(
                        event["event_id"],
                        url=f"https://matrix.to/#/{thread.room_id}/{event['event_id']}",
                    )
            start = page.get("end")
            if not page.get("chunk") or not start:
                return None
        return None
