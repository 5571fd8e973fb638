"""Mastodon: mentions and direct messages into the inbox, replies out, through Mastodon.py.

What it calls (docs.joinmastodon.org): ``GET /api/v1/accounts/verify_credentials`` to test
the token; ``GET /api/v1/notifications?types[]=mention`` from a cursor (the newest
notification id stored, read forward with ``min_id`` and the Link header); the user stream
(``GET /api/v1/streaming/user``, server-sent ``notification`` events); ``GET
/api/v1/statuses/:id/context`` to find a conversation's root; ``GET /api/v2/instance`` for
the limits; ``POST /api/v1/statuses`` with ``Idempotency-Key`` (replies, and new posts
after their media went up through ``POST /api/v2/media``); ``GET
/api/v1/accounts/:id/statuses`` to find a post whose answer was lost; for listening, ``GET
/api/v1/timelines/tag/:hashtag`` and ``GET /api/v2/search?type=statuses``.

Items are statuses (external id = status id), so one that comes by poll, by stream and by
reconciliation is stored once. Streamed pages carry no cursor: the poll's cursor only moves
over pages it read itself, so a stream can never skip the poll past something unread.
"""

from __future__ import annotations

import functools
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
    StreamListener,
)
from urllib3.exceptions import NewConnectionError

from breakwater.connectors.base import (
    Account,
    Capability,
    Connector,
    ConnectorError,
    DeliveryResult,
    InboundItem,
    MediaFile,
    OAuthStart,
    OutboundPost,
    OutboundReply,
    Page,
    Parameter,
    RateBudget,
    SERVER_CONFIG,
)
from breakwater.connectors.mastodon import mapping

USER_AGENT = "Breakwater (+https://github.com/breakwater)"
PAGE_SIZE = 40  # the documented default; at most 80
RECONCILE_PAGES = 20
SEARCH_PAGE = 40  # the most the hashtag timeline and search give at once
RECENT_STATUSES = 40  # how many of the brand's latest posts find_publication looks through
REQUEST_TIMEOUT = 10.0
# What the channel asks for: reading mentions and DMs, search for listening, posting and media.
SCOPES = ("read:accounts", "read:notifications", "read:statuses", "read:search",
          "write:statuses", "write:media")
# Mastodon sends a heartbeat comment every 15 s or so: a stream silent for longer is gone.
STREAM_READ_TIMEOUT = 90.0
RETRY_AFTER_DEFAULT = 30.0


def _never_sent(exc: BaseException) -> bool:
    """Whether a network error happened before the request left (connecting failed)."""
    cause = exc.__context__
    if isinstance(cause, requests.ConnectTimeout):
        return True
    if not isinstance(cause, requests.ConnectionError) or not cause.args:
        return False
    return isinstance(getattr(cause.args[0], "reason", None), NewConnectionError)


class _Listener(StreamListener):
    """Hands stream events to the generator that reads them, and lets it close the stream."""

    def __init__(self, events: queue.Queue[tuple[str, Any]]):
        self.events = events
        self.response: requests.Response | None = None

    def handle_stream(self, response: requests.Response) -> None:
        self.response = response
        super().handle_stream(response)

    def on_notification(self, notification: Any) -> None:
        self.events.put(("notification", notification))

    def close(self) -> None:
        if self.response is not None:
            self.response.close()


class MastodonConnector(Connector):
    key = "mastodon"
    label = "Mastodon"
    capabilities = frozenset({Capability.INBOX_MENTIONS, Capability.INBOX_DM, Capability.REPLY,
                              Capability.LISTEN_STREAM, Capability.PUBLISH_POST,
                              Capability.PUBLISH_MEDIA, Capability.LISTEN_SEARCH})
    parameters = (
        Parameter("base_url", "Server address", required=True,
                  help="Your Mastodon server, e.g. https://mastodon.social"),
        Parameter("access_token", "Access token", required=True, sensitive=True,
                  help="From Preferences → Development → New application, with the scopes "
                       "read:accounts, read:notifications, read:statuses, read:search, "
                       "write:statuses and write:media"),
    )
    EVENT_TYPES = ("mention", "dm")
    # Each server sets its own limit: 500 is Mastodon's default; the composer uses the one
    # the instance reported on connecting (max_length_for), send_reply asks it again.
    max_text_length = mapping.DEFAULT_MAX_CHARACTERS
    poll_interval = 60.0
    reconcile_window = 3 * 24 * 3600.0

    oauth_parameters = ("base_url",)

    @staticmethod
    def _base_url(value: Any) -> str:
        url = str(value or "").strip().rstrip("/")
        if "://" not in url:
            url = "https://" + url
        if not url.startswith(("http://", "https://")) or "/" in url.split("://", 1)[1]:
            raise ValueError("base_url must be the server's address, like https://mastodon.social")
        return url

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = super().validate_config(config)
        cleaned["base_url"] = cls._base_url(cleaned["base_url"])
        cleaned["access_token"] = str(cleaned["access_token"]).strip()
        return cleaned

    # -- OAuth: Breakwater registers itself on the server, the admin grants it there ----------

    @staticmethod
    def _oauth_client(base: str, **credentials: str) -> tuple[Mastodon, list[requests.Response]]:
        """A client without a token, and the answers it got (Mastodon.py drops the server's
        ``error_description``; the admin should read it)."""
        answers: list[requests.Response] = []
        session = requests.Session()
        session.hooks["response"].append(lambda response, *a, **k: answers.append(response))
        client = Mastodon(api_base_url=base, version_check_mode="none", session=session,
                          request_timeout=REQUEST_TIMEOUT, user_agent=USER_AGENT, **credentials)
        return client, answers

    @staticmethod
    def _oauth_error(base: str, doing: str, exc: MastodonError,
                     answers: list[requests.Response]) -> ConnectorError:
        said = str(exc)
        if answers and answers[-1].status_code >= 400:
            try:
                body = answers[-1].json()
                said = body.get("error_description") or body.get("error") or said
            except ValueError:
                said = f"HTTP {answers[-1].status_code} {answers[-1].reason}"
        return ConnectorError(f"{base} {doing}: {said}", reauth=True)

    @classmethod
    def oauth_start(cls, config: Mapping[str, Any], redirect_uri: str, state: str) -> OAuthStart:
        """``POST /api/v1/apps`` registers Breakwater on this server with our callback, then the
        admin goes to ``/oauth/authorize`` (the server's own sign-in and consent page)."""
        base = cls._base_url(config.get("base_url"))
        client, answers = cls._oauth_client(base)
        try:
            client_id, client_secret = Mastodon.create_app(
                "Breakwater", scopes=list(SCOPES), redirect_uris=redirect_uri,
                website="https://github.com/breakwater", api_base_url=base,
                request_timeout=REQUEST_TIMEOUT, session=client.session, user_agent=USER_AGENT)
            client.client_id, client.client_secret = client_id, client_secret
            url = client.auth_request_url(redirect_uris=redirect_uri, scopes=list(SCOPES),
                                          state=state, allow_http=base.startswith("http://"))
        except MastodonError as exc:
            raise cls._oauth_error(base, "did not register Breakwater", exc, answers) from exc
        return OAuthStart(url, {"base_url": base, "client_id": client_id,
                                "client_secret": client_secret})

    @classmethod
    def oauth_finish(cls, pending: Mapping[str, Any], code: str, redirect_uri: str) -> dict[str, Any]:
        """``POST /oauth/token`` trades the code for the brand account's access token."""
        base = pending["base_url"]
        client, answers = cls._oauth_client(base, client_id=pending["client_id"],
                                            client_secret=pending["client_secret"])
        try:
            token = client.log_in(code=code, redirect_uri=redirect_uri, scopes=list(SCOPES),
                                  allow_http=base.startswith("http://"))
        except MastodonError as exc:
            raise cls._oauth_error(base, "did not grant access", exc, answers) from exc
        return {"base_url": base, "access_token": token}

    def __init__(self, config: Mapping[str, Any] | None = None, *, channel: int = 0):
        super().__init__(config, channel=channel)
        self._api: Mastodon | None = None
        self._last: requests.Response | None = None
        self._me: str | None = None

    # -- the client and its errors --------------------------------------------------------

    def _client(self, session: requests.Session) -> Mastodon:
        return Mastodon(api_base_url=self.config["base_url"],
                        access_token=self.config["access_token"], version_check_mode="none", ratelimit_method="throw",
                        request_timeout=REQUEST_TIMEOUT, session=session, user_agent=USER_AGENT)

    @property
    def api(self) -> Mastodon:
        """The client for requests (a stream gets its own: Mastodon.py is not thread-safe)."""
        if self._api is None:
            session = requests.Session()
            session.hooks["response"].append(self._remember)
            self._api = self._client(session)
        return self._api

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last = response

    def _server_text(self, exc: MastodonAPIError) -> str:
        """The server's ``error`` text. Mastodon.py loses it on some calls (it casts the error
        body to the type the call returns), so read it from the answer itself then."""
        if exc.args[3]:
            return str(exc.args[3])
        try:
            return str(self._last.json()["error"]) if self._last is not None else exc.args[2]
        except (ValueError, KeyError, TypeError):
            return str(exc.args[2])

    def _error(self, exc: MastodonError) -> ConnectorError:
        """Mastodon.py's exception as a ConnectorError carrying the server's own text."""
        where = self.config["base_url"]
        if isinstance(exc, MastodonRatelimitError):
            reset = self.api.ratelimit_reset
            wait = max(reset - time.time(), 1.0) if reset else RETRY_AFTER_DEFAULT
            return ConnectorError(f"{where} rate limit reached: try again in {wait:.0f} s",
                                  retry_after=wait)
        if isinstance(exc, MastodonNetworkError):
            if _never_sent(exc):
                return ConnectorError(f"could not connect to {where}: {exc}", retry_after=5)
            return ConnectorError(f"no answer from {where}: {exc}", retry_after=5,
                                  outcome_unknown=True)
        if isinstance(exc, MastodonAPIError) and len(exc.args) >= 4:
            status = exc.args[1]
            message = f"HTTP {status} from {where}: {self._server_text(exc)}"
            if isinstance(exc, MastodonUnauthorizedError) or status == 403:
                return ConnectorError(
                    f"{message}. Create a new access token in Mastodon (Preferences → Development) "
                    "and reconnect the channel with it.", reauth=True)
            if isinstance(exc, MastodonServerError):
                return ConnectorError(message, retry_after=RETRY_AFTER_DEFAULT)
            return ConnectorError(message, permanent=True)
        return ConnectorError(f"{where}: {exc}", permanent=True)

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(self.api, method)(*args, **kwargs)
        except MastodonError as exc:
            raise self._error(exc) from exc

    def _budget(self) -> RateBudget | None:
        """What the last answer's X-RateLimit-* headers said (Mastodon.py parses them)."""
        if self._last is None or "X-RateLimit-Remaining" not in self._last.headers:
            return None
        reset = self.api.ratelimit_reset
        return RateBudget(remaining=int(self.api.ratelimit_remaining),
                          limit=int(self.api.ratelimit_limit),
                          reset_at=datetime.fromtimestamp(reset, UTC) if reset else None)

    # -- inbound --------------------------------------------------------------------------

    def test_connection(self) -> Account:
        """Who the token signs in as, and the instance's status limits for the composer."""
        me = self._call("account_verify_credentials")
        limits = self.limits()
        return Account(external_id=str(me["id"]), handle="@" + me["acct"],
                       name=me.get("display_name") or me["username"],
                       server={"max_characters": limits.max_characters,
                               "characters_reserved_per_url": limits.characters_reserved_per_url})

    @classmethod
    def _saved_limits(cls, config: Mapping[str, Any]) -> mapping.Limits:
        """The limits the instance reported when the channel was connected (defaults before)."""
        server = config.get(SERVER_CONFIG) or {}
        return mapping.Limits(
            max_characters=int(server.get("max_characters") or mapping.DEFAULT_MAX_CHARACTERS),
            characters_reserved_per_url=int(
                server.get("characters_reserved_per_url") or mapping.DEFAULT_URL_LENGTH))

    @classmethod
    def max_length_for(cls, config: Mapping[str, Any]) -> int | None:
        return cls._saved_limits(config).max_characters

    @classmethod
    def length_for(cls, config: Mapping[str, Any]) -> Callable[[str], int]:
        """Mastodon's count: every link as the reserved length, ``@user@domain`` as ``@user``."""
        return functools.partial(mapping.status_length, limits=cls._saved_limits(config))

    def _brand_id(self) -> str:
        if self._me is None:
            self._me = str(self._call("account_verify_credentials")["id"])
        return self._me

    def _root(self, status: Mapping[str, Any], roots: dict[str, str]) -> tuple[str, list[Any]]:
        """The root of a status's conversation (the id its items thread under), and the
        ancestors when they were fetched now (``roots`` remembers each parent's root)."""
        parent = status.get("in_reply_to_id")
        if not parent:
            return str(status["id"]), []
        if str(parent) in roots:
            return roots[str(parent)], []
        ancestors = self._call("status_context", status["id"])["ancestors"]
        roots[str(parent)] = root = mapping.root_of(status, ancestors)
        return root, ancestors

    def _items(self, notifications: list[Mapping[str, Any]]) -> list[InboundItem]:
        """Mention notifications as items, each threaded under its conversation's root. The
        brand's own statuses above a reply (posted in Mastodon's app, say) come along as
        outbound items, so the conversation shows what the customer answered."""
        roots: dict[str, str] = {}
        items, own = [], []
        for notification in notifications:
            status = notification.get("status")
            if notification.get("type") != "mention" or not status:
                continue
            root, ancestors = self._root(status, roots)
            own += [mapping.status_item(a, network=self.key, channel=self.channel, root_id=root,
                                        direction="out")
                    for a in ancestors if str(a["account"]["id"]) == self._brand_id()]
            items.append(mapping.status_item(status, network=self.key, channel=self.channel,
                                             root_id=root, notification_id=str(notification["id"])))
        # The customers' items first: a new conversation takes its kind from its first item.
        return items + own

    def poll(self, cursor: str | None) -> Page:
        """Mentions newer than the cursor, the oldest page first. None (a new channel): the
        newest page, a short backfill; the cursor then starts at its newest notification."""
        if cursor:
            page = self._call("notifications", types=["mention"], min_id=cursor, limit=PAGE_SIZE)
        else:
            page = self._call("notifications", types=["mention"], limit=PAGE_SIZE)
        if not page:
            # Nothing yet: read everything from the start then (min_id=0), not just the newest page.
            return Page(items=[], cursor=cursor or "0", budget=self._budget())
        # The Link header's "prev" names where the next poll starts (min_id = newest here).
        following = getattr(page, "_pagination_prev", None) or {}
        newest = following.get("min_id") or max(page, key=lambda n: int(n["id"]))["id"]
        return Page(items=self._items(page), cursor=str(newest),
                    more=bool(cursor) and len(page) >= PAGE_SIZE, budget=self._budget())

    def stream(self, cursor: str | None) -> Iterator[Page]:
        """The user stream's mention notifications as they come (pages without a cursor)."""
        events: queue.Queue[tuple[str, Any]] = queue.Queue()
        listener = _Listener(events)

        def follow() -> None:
            try:
                self._client(requests.Session()).stream_user(listener, timeout=STREAM_READ_TIMEOUT)
                events.put(("ended", None))
            except Exception as exc:  # handed to the reading side, which decides
                events.put(("error", exc))

        threading.Thread(target=follow, name=f"mastodon-stream-{self.channel}", daemon=True).start()
        try:
            while True:
                kind, payload = events.get()
                if kind == "ended":
                    return
                if kind == "error":
                    raise self._stream_error(payload)
                items = self._items([payload])
                if items:
                    yield Page(items=items, cursor=None)
        finally:
            listener.close()

    def _stream_error(self, exc: Exception) -> ConnectorError:
        if not isinstance(exc, MastodonError):
            return ConnectorError(f"the stream from {self.config['base_url']} broke: {exc}",
                                  retry_after=5)
        if isinstance(exc, MastodonNetworkError) and "streaming server" in str(exc):
            # Mastodon.py reports a refused stream without the server's text: ask for it
            # (a refused token raises the reauth error with the server's words here).
            self.test_connection()
        return self._error(exc)

    def reconcile(self, since: datetime) -> list[InboundItem]:
        """Mentions back to ``since``, newest first, following the Link header's next pages."""
        page = self._call("notifications", types=["mention"], limit=PAGE_SIZE)
        notifications: list[Mapping[str, Any]] = []
        for _ in range(RECONCILE_PAGES):
            if not page:
                break
            notifications.extend(n for n in page if mapping.parse_time(n["created_at"]) >= since)
            if mapping.parse_time(page[-1]["created_at"]) < since:
                break
            page = self._call("fetch_next", page)
        return self._items(notifications)

    # -- outbound -------------------------------------------------------------------------

    def limits(self) -> mapping.Limits:
        return mapping.Limits.from_instance(self._call("instance_v2"))

    def _composed(self, reply: OutboundReply) -> tuple[str, str, Mapping[str, Any]]:
        """The text to post (author mentioned), its visibility and the status answered."""
        if not reply.in_reply_to:
            raise ConnectorError("this conversation has no Mastodon status to reply to",
                                 permanent=True)
        try:
            target = self.api.status(reply.in_reply_to)
        except MastodonNotFoundError as exc:
            raise ConnectorError(
                f"the status {reply.in_reply_to} is gone from {self.config['base_url']} "
                "(deleted, or no longer visible to the brand's account): nothing to reply to",
                permanent=True) from exc
        except MastodonError as exc:
            raise self._error(exc) from exc
        # The visibility of the status answered: a direct message is answered directly.
        visibility = target.get("visibility") or "public"
        return mapping.reply_text(reply.text, target["account"]["acct"]), visibility, target

    def send_reply(self, reply: OutboundReply) -> DeliveryResult:
        text, visibility, target = self._composed(reply)
        limits = self.limits()
        length = mapping.status_length(text, limits)
        if length > limits.max_characters:
            raise ConnectorError(
                f"too long for {self.config['base_url']}: {length} characters as Mastodon counts "
                f"them (each link {limits.characters_reserved_per_url}, the mention included), "
                f"at most {limits.max_characters}. Shorten the reply and send it again.",
                permanent=True)
        status = self._call("status_post", text, in_reply_to_id=target["id"], visibility=visibility,
                            idempotency_key=reply.idempotency_key)
        return DeliveryResult(external_id=str(status["id"]), url=status.get("url") or "")

    def find_delivery(self, reply: OutboundReply) -> DeliveryResult | None:
        """Our reply among the answered status's replies, written by the brand with our text.
        (Sending again is safe too for an hour: the server keeps the Idempotency-Key.)"""
        if not reply.in_reply_to:
            return None
        text, _, _ = self._composed(reply)
        for status in self._call("status_context", reply.in_reply_to)["descendants"]:
            if (str(status["account"]["id"]) == self._brand_id()
                    and str(status.get("in_reply_to_id")) == str(reply.in_reply_to)
                    and mapping.same_text(status.get("content") or "", text)):
                return DeliveryResult(external_id=str(status["id"]), url=status.get("url") or "")
        return None

    # -- publishing -----------------------------------------------------------------------

    def publish(self, post: OutboundPost) -> DeliveryResult:
        """A public status of the brand. The server's limits are checked before anything is
        sent; the media go up first (alt text as their description), then the status, with
        the post's idempotency key as ``Idempotency-Key``."""
        text = mapping.post_text(post.text, post.link)
        problem = mapping.post_problem(text, [(m.content_type, self._size(m)) for m in post.media],
                                       self.limits())
        if problem:
            raise ConnectorError(f"cannot publish on {self.config['base_url']}: {problem}",
                                 permanent=True)
        media_ids = [self._upload(m)["id"] for m in post.media]
        status = self._call("status_post", text, media_ids=media_ids or None, visibility="public",
                            idempotency_key=post.idempotency_key)
        return DeliveryResult(external_id=str(status["id"]), url=status.get("url") or "")

    @staticmethod
    def _size(media: MediaFile) -> int:
        try:
            return os.path.getsize(media.path)
        except OSError as exc:
            raise ConnectorError(f"the file to publish is missing ({media.path}: {exc.strerror}); "
                                 "attach it again and publish again", permanent=True) from exc

    def _upload(self, media: MediaFile) -> Mapping[str, Any]:
        # Bytes with their type: given a path, Mastodon.py would guess the type from its name.
        return self._call("media_post", media.read(), mime_type=media.content_type,
                          file_name=os.path.basename(media.path), description=media.alt or None)

    def find_publication(self, post: OutboundPost) -> DeliveryResult | None:
        """Our post among the brand's latest statuses (replies left out): the same text with
        as many attachments. Looked up rather than posted again with the same key: the server
        keeps an ``Idempotency-Key`` for an hour only, a delivery can stay unknown longer (a
        worker down overnight), and a second POST would create the status when the first never
        arrived. Within the hour ``publish`` sends the same key anyway, so a miss here still
        makes no second status."""
        text = mapping.post_text(post.text, post.link)
        for status in self._call("account_statuses", self._brand_id(), exclude_replies=True,
                                 limit=RECENT_STATUSES):
            if (mapping.same_text(status.get("content") or "", text)
                    and len(status.get("media_attachments") or []) == len(post.media)):
                return DeliveryResult(external_id=str(status["id"]), url=status.get("url") or "")
        return None

    # -- listening ------------------------------------------------------------------------

    def search(self, query: str, cursor: str | None) -> Page:
        """Public statuses for a listening query, newer than ``cursor`` (None: the newest
        page). ``#tag`` reads the hashtag timeline, ``timeline:public`` / ``timeline:local``
        the server's public timeline (everything it sees, or its own users' posts); anything
        else the server's full-text search, which covers only what that server has indexed
        (many index only their own users' opted-in posts, or search nothing but hashtags and
        accounts)."""
        tag = mapping.hashtag(query)
        whole = mapping.timeline(query)
        if tag:
            statuses = self._call("timeline_hashtag", tag, min_id=cursor, limit=SEARCH_PAGE)
        elif whole:
            statuses = self._call("timeline_public", local=whole == "local", min_id=cursor,
                                  limit=SEARCH_PAGE)
        elif query.strip():
            statuses = self._call("search_v2", query.strip(), resolve=False, result_type="statuses",
                                  min_id=cursor, limit=SEARCH_PAGE)["statuses"]
        else:
            raise ConnectorError("the listening query is empty: give words, a #hashtag or "
                                 "timeline:public", permanent=True)
        if not statuses:
            return Page(items=[], cursor=cursor, budget=self._budget())
        newest = max(statuses, key=lambda s: int(s["id"]))["id"]
        roots: dict[str, str] = {}
        items = [mapping.status_item(s, network=self.key, channel=self.channel,
                                     root_id=self._root(s, roots)[0])
                 for s in statuses if s.get("visibility") in mapping.PUBLIC_VISIBILITIES]
        full = bool(cursor) and len(statuses) >= SEARCH_PAGE
        return Page(items=items, cursor=str(newest), more=full, budget=self._budget())
