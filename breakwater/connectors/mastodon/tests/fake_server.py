"""A Mastodon server on loopback for the tests: no Mastodon-API server installs from the
registries we reach (see NETWORKS.md §2c), so this one follows the documented client API
for the endpoints Breakwater uses, and the tests drive it with the real Mastodon.py.

Followed (docs.joinmastodon.org):
- /methods/accounts#verify_credentials — the CredentialAccount, 401 ``The access token is invalid``;
- /methods/instance#v2 — ``configuration.urls.streaming``, ``configuration.statuses``
  (``max_characters``, ``max_media_attachments``, ``characters_reserved_per_url``),
  ``configuration.media_attachments``, ``api_versions``; /methods/instance#v1 (deprecated, still
  served) — its ``version`` is what Mastodon.py reads to pick ``/api/v2/media``;
- /methods/media#v2 — POST ``/api/v2/media`` (multipart ``file``, ``description``): a
  MediaAttachment, 422 ``Validation failed: File content type is invalid`` / ``File file size
  must be less than ...``; images are processed at once (200);
- /methods/accounts#statuses — an account's statuses, newest first (``limit`` 20, at most 40,
  ``exclude_replies``, ``max_id``/``min_id``/``since_id``, ``Link``);
- /methods/timelines#tag — public statuses with a hashtag (case-insensitive), paginated the same;
- /methods/timelines#public — every public status (``local``/``remote``), paginated the same;
- /methods/search#v2 — ``GET /api/v2/search?type=statuses&q=`` (``min_id``/``max_id``,
  ``limit`` 20, at most 40): public statuses with every word of ``q``, newest first;
- /methods/notifications#get — ``max_id``/``since_id``/``min_id``/``limit`` (40, at most 80),
  ``types[]``/``exclude_types[]``, newest first, the ``Link`` header with rel next/prev;
- /methods/streaming — server-sent events on ``/api/v1/streaming/user`` (and
  ``/user/notification``, ``/api/v1/streaming?stream=``): ``event: notification``, heartbeat
  comments ``:thump``;
- /methods/statuses — POST with the ``Idempotency-Key`` header (kept 1 hour: the same key
  gives the same status), ``media_ids[]`` (at most ``max_media_attachments``, the poster's own
  unattached uploads), 422 ``{"error": "Validation failed: ..."}``; GET ``:id`` (404
  ``Record not found``) and ``:id/context`` (ancestors, descendants);
- /api/rate-limits — ``X-RateLimit-Limit``/``-Remaining``/``-Reset`` (300 calls per 5 minutes
  per account), 429 when spent; /entities/Error — ``{"error": ...}`` bodies;
- /entities/Status, /entities/Notification, /entities/Account — the shapes; a direct status is
  seen only by its author and the accounts it mentions;
- /methods/apps#create — POST ``/api/v1/apps`` (``client_name``, ``redirect_uris``, ``scopes``,
  ``website``): an Application with ``client_id``/``client_secret``, 422 ``Validation failed``;
- /methods/oauth — ``/.well-known/oauth-authorization-server`` (RFC 8414, Mastodon 4.3);
  GET ``/oauth/authorize`` (``response_type=code``, ``client_id``, ``redirect_uri`` as
  registered, ``scope`` within the app's, ``state``): the server's sign-in page when nobody is
  signed in, else (consent given) a redirect to ``redirect_uri`` with ``code`` and ``state``, or
  ``error=access_denied``; POST ``/oauth/token`` (``grant_type=authorization_code``): a Token,
  ``invalid_client`` (401) / ``invalid_grant`` (400) with ``error_description``; a code works once.

Test handles: ``register`` makes an account and its token, ``client`` a Mastodon.py client
for it (a customer posting), ``revoke`` ends a token (and its open streams), ``issue_token``
makes a new one, ``drop_next_posts`` stores a status and then drops the connection without
answering (the outcome a client cannot know), ``fail_with`` makes every call fail (a 503),
``delete`` removes a status, ``media`` holds the uploads (bytes and description),
``signed_in`` is the account a browser is signed in as on the server's web pages (its OAuth
consent page), ``deny_consent`` makes that person press "Deny".
"""

from __future__ import annotations

import email.parser
import email.policy
import html
import itertools
import json
import queue
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import regex
from mastodon import Mastodon

DOMAIN = "mastodon.test"
INVALID_TOKEN = "The access token is invalid"  # noqa: S105 (the server's error text)
IDEMPOTENCY_TTL = 3600.0
_MENTION = re.compile(r"(?<![\w/])@(\w+)(?:@([\w.\-]+\w))?")
_URL = re.compile(r"https?://[^\s<>\"]+")
_TAG = re.compile(r"(?<![\w/#])#(\w+)", re.UNICODE)
MAX_MEDIA = 4
SUPPORTED_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class ApiError(Exception):
    def __init__(self, status: int, error: str, headers: dict[str, str] | None = None):
        super().__init__(error)
        self.status, self.error, self.headers = status, error, headers or {}


class OAuthError(ApiError):
    """Doorkeeper's error body: ``{"error": code, "error_description": text}``."""

    def __init__(self, status: int, error: str, description: str):
        super().__init__(status, error)
        self.description = description


class FakeMastodon:
    """The server's state; every method takes the lock, so handlers may run in parallel."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.base = ""
        self._status_ids = itertools.count(110_000_000_000_000_001)
        self._notification_ids = itertools.count(40_000_001)
        self._account_ids = itertools.count(1)
        self._media_ids = itertools.count(109_000_000_000_000_001)
        self.media: dict[str, dict[str, Any]] = {}
        self.image_size_limit = 16777216
        self.accounts: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, str] = {}  # token -> account id
        self.statuses: dict[str, dict[str, Any]] = {}
        self.notifications: list[dict[str, Any]] = []
        self.idempotency: dict[tuple[str, str], tuple[str, float]] = {}
        self.streams: list[tuple[str, queue.Queue[tuple[str, str]]]] = []
        self.requests: list[dict[str, Any]] = []
        self.max_characters = 500
        self.rate_limit = 300
        self.rate_period = 300.0
        self.usage: dict[str, tuple[float, int]] = {}  # account id -> window start, calls
        self.drop_next_posts = 0
        self.fail_with: tuple[int, str] | None = None  # every API call answers this
        self.heartbeat = 0.5
        self.apps: dict[str, dict[str, Any]] = {}  # client_id -> the registered application
        self.codes: dict[str, dict[str, Any]] = {}  # authorization code -> what it grants
        self.signed_in: str | None = None
        self.deny_consent = False

    # -- test handles ---------------------------------------------------------------------

    def register(self, username: str, display_name: str = "") -> tuple[dict[str, Any], str]:
        with self.lock:
            account_id = str(next(self._account_ids))
            self.accounts[account_id] = {"id": account_id, "username": username,
                                         "display_name": display_name or username,
                                         "created_at": _iso(datetime.now(UTC).replace(hour=0, minute=0,
                                                                                        second=0, microsecond=0))}
            return self.render_account(account_id), self.issue_token(account_id)

    def issue_token(self, account_id: str) -> str:
        with self.lock:
            token = f"token-{account_id}-{len(self.tokens) + 1}-{time.monotonic_ns()}"
            self.tokens[token] = account_id
            return token

    def revoke(self, token: str) -> None:
        with self.lock:
            self.tokens.pop(token, None)
            for owner, events in self.streams:
                if owner == token:
                    events.put(("close", ""))

    def client(self, token: str) -> Mastodon:
        return Mastodon(api_base_url=self.base, access_token=token, version_check_mode="none",
                        ratelimit_method="throw", request_timeout=10)

    def open_streams(self) -> int:
        with self.lock:
            return len(self.streams)

    def delete(self, status_id: str) -> None:
        """The author deleted a status (as DELETE /api/v1/statuses/:id would)."""
        with self.lock:
            del self.statuses[status_id]
            self.notifications = [n for n in self.notifications if n["status_id"] != status_id]

    def statuses_of(self, account_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [self.render_status(s["id"]) for s in self.statuses.values()
                    if s["account_id"] == account_id]

    # -- entities -------------------------------------------------------------------------

    def render_account(self, account_id: str) -> dict[str, Any]:
        account = self.accounts[account_id]
        username = account["username"]
        return {
            "id": account_id, "username": username, "acct": username,
            "display_name": account["display_name"], "locked": False, "bot": False,
            "discoverable": True, "group": False, "created_at": account["created_at"], "note": "",
            "url": f"{self.base}/@{username}", "uri": f"{self.base}/users/{username}",
            "avatar": f"{self.base}/avatars/original/missing.png",
            "avatar_static": f"{self.base}/avatars/original/missing.png",
            "header": f"{self.base}/headers/original/missing.png",
            "header_static": f"{self.base}/headers/original/missing.png",
            "followers_count": 0, "following_count": 0,
            "statuses_count": sum(1 for s in self.statuses.values() if s["account_id"] == account_id),
            "last_status_at": None, "emojis": [], "fields": [],
        }

    def _mention(self, account_id: str) -> dict[str, str]:
        account = self.render_account(account_id)
        return {key: account[key] for key in ("id", "username", "url", "acct")}

    def _content(self, text: str) -> str:
        def link(match: re.Match[str]) -> str:
            found = self._local(match.group(1), match.group(2))
            if found is None:
                return match.group(0)
            url = f"{self.base}/@{self.accounts[found]['username']}"
            return (f'<span class="h-card"><a href="{url}" class="u-url mention">'
                    f'@<span>{match.group(1)}</span></a></span>')

        paragraphs = []
        for part in html.escape(text, quote=False).split("\n\n"):
            part = _URL.sub(lambda m: f'<a href="{m.group(0)}" rel="nofollow noopener" '
                                      f'target="_blank">{m.group(0)}</a>', part)
            paragraphs.append("<p>" + _MENTION.sub(link, part).replace("\n", "<br />") + "</p>")
        return "".join(paragraphs)

    def render_status(self, status_id: str) -> dict[str, Any]:
        status = self.statuses[status_id]
        parent = self.statuses.get(status["in_reply_to_id"] or "")
        author = self.render_account(status["account_id"])
        return {
            "id": status_id, "created_at": status["created_at"],
            "in_reply_to_id": status["in_reply_to_id"],
            "in_reply_to_account_id": parent["account_id"] if parent else None,
            "sensitive": False, "spoiler_text": status["spoiler_text"],
            "visibility": status["visibility"], "language": status["language"],
            "uri": f"{self.base}/users/{author['username']}/statuses/{status_id}",
            "url": f"{self.base}/@{author['username']}/{status_id}",
            "replies_count": sum(1 for s in self.statuses.values() if s["in_reply_to_id"] == status_id),
            "reblogs_count": 0, "favourites_count": 0, "edited_at": None,
            "content": self._content(status["text"]), "reblog": None, "application": None,
            "account": author, "media_attachments": [self.render_media(m) for m in status["media_ids"]],
            "mentions": [self._mention(a) for a in status["mentions"]],
            "tags": [{"name": t, "url": f"{self.base}/tags/{t}"} for t in self._tags(status["text"])],
            "emojis": [], "card": None, "poll": None,
        }

    def render_media(self, media_id: str) -> dict[str, Any]:
        media = self.media[media_id]
        url = f"{self.base}/system/media_attachments/files/{media_id}/original/{media['name']}"
        return {"id": media_id, "type": media["type"], "url": url, "preview_url": url,
                "remote_url": None, "text_url": None, "meta": {},
                "description": media["description"], "blurhash": None}

    @staticmethod
    def _tags(text: str) -> list[str]:
        return list(dict.fromkeys(t.lower() for t in _TAG.findall(text)))

    def render_notification(self, notification: dict[str, Any]) -> dict[str, Any]:
        return {"id": notification["id"], "type": notification["type"],
                "created_at": notification["created_at"],
                "account": self.render_account(notification["from"]),
                "status": self.render_status(notification["status_id"])}

    def _local(self, username: str, domain: str | None) -> str | None:
        if domain not in (None, DOMAIN):
            return None
        return next((a for a, acc in self.accounts.items() if acc["username"].lower() == username.lower()), None)

    def visible(self, status_id: str, viewer: str) -> bool:
        status = self.statuses.get(status_id)
        if status is None:
            return False
        if status["visibility"] in ("public", "unlisted"):
            return True
        return viewer == status["account_id"] or viewer in status["mentions"]

    # -- the API --------------------------------------------------------------------------

    def account_for(self, token: str | None) -> str:
        account_id = self.tokens.get(token or "")
        if account_id is None:
            raise ApiError(401, INVALID_TOKEN)
        return account_id

    def rate_headers(self, account_id: str) -> dict[str, str]:
        """Count one call; the headers tell what is left (or 429 when nothing is)."""
        now = time.time()
        start, used = self.usage.get(account_id, (now, 0))
        if now >= start + self.rate_period:
            start, used = now, 0
        used += 1
        self.usage[account_id] = (start, used)
        reset = datetime.fromtimestamp(start + self.rate_period, UTC)
        headers = {"X-RateLimit-Limit": str(self.rate_limit),
                   "X-RateLimit-Remaining": str(max(self.rate_limit - used, 0)),
                   "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
        if used > self.rate_limit:
            raise ApiError(429, "Too many requests", headers)
        return headers

    def instance(self) -> dict[str, Any]:
        return {
            "domain": DOMAIN, "title": "Fake Mastodon", "version": "4.3.0",
            "source_url": "https://github.com/mastodon/mastodon", "description": "A test server",
            "usage": {"users": {"active_month": len(self.accounts)}},
            "thumbnail": {"url": f"{self.base}/packs/media/images/preview.png"},
            "languages": ["en", "fi"],
            "configuration": {
                "urls": {"streaming": "ws://" + urlsplit(self.base).netloc, "status": None},
                "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
                "statuses": {"max_characters": self.max_characters, "max_media_attachments": MAX_MEDIA,
                             "characters_reserved_per_url": 23},
                "media_attachments": {
                    "supported_mime_types": list(SUPPORTED_TYPES),
                    "image_size_limit": self.image_size_limit, "image_matrix_limit": 33177600,
                    "video_size_limit": 103809024, "video_frame_rate_limit": 120,
                    "video_matrix_limit": 8294400, "description_limit": 1500,
                },
                "polls": {"max_options": 4, "max_characters_per_option": 50,
                          "min_expiration": 300, "max_expiration": 2629746},
                "translation": {"enabled": False},
            },
            "registrations": {"enabled": False, "approval_required": False, "message": None},
            "contact": {"email": "admin@mastodon.test", "account": None},
            "rules": [], "api_versions": {"mastodon": 2},
        }

    # -- OAuth --------------------------------------------------------------------------------

    def register_app(self, form: dict[str, Any]) -> dict[str, Any]:
        name, uris = form.get("client_name"), form.get("redirect_uris")
        if not name:
            raise ApiError(422, "Validation failed: Application name can't be blank")
        uris = [uris] if isinstance(uris, str) else list(uris or [])
        if not uris or not all(u.startswith(("http://", "https://", "urn:")) for u in uris):
            raise ApiError(422, "Validation failed: Redirect URI must be an absolute URI.")
        client_id = f"client-{len(self.apps) + 1}-{time.monotonic_ns()}"
        app = {"id": str(len(self.apps) + 1), "name": name, "website": form.get("website"),
               "scopes": (form.get("scopes") or "read").split(), "redirect_uris": uris,
               "redirect_uri": "\n".join(uris), "client_id": client_id,
               "client_secret": f"secret-{time.monotonic_ns()}", "client_secret_expires_at": 0}
        self.apps[client_id] = app
        return dict(app)

    def oauth_server(self) -> dict[str, Any]:
        return {"issuer": self.base + "/", "authorization_endpoint": self.base + "/oauth/authorize",
                "token_endpoint": self.base + "/oauth/token",
                "revocation_endpoint": self.base + "/oauth/revoke",
                "app_registration_endpoint": self.base + "/api/v1/apps",
                "scopes_supported": ["read", "write", "push", "read:accounts", "read:notifications",
                                     "read:statuses", "read:search", "write:statuses", "write:media"],
                "response_types_supported": ["code"], "response_modes_supported": ["query"],
                "grant_types_supported": ["authorization_code", "client_credentials"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "code_challenge_methods_supported": ["S256"]}

    def authorize(self, query: dict[str, list[str]]) -> tuple[int, str, str]:
        """What ``/oauth/authorize`` answers: (status, Location or "", an HTML body)."""
        one = {k: v[0] for k, v in query.items()}
        app = self.apps.get(one.get("client_id", ""))
        if app is None:
            return 400, "", "<p>Client authentication failed due to unknown client.</p>"
        uri = one.get("redirect_uri", "")
        if uri not in app["redirect_uris"]:
            return 400, "", ("<p>The requested redirect uri is malformed or doesn't match client "
                             "redirect URI.</p>")
        scopes = (one.get("scope") or "read").split()
        if not set(scopes) <= set(app["scopes"]) or one.get("response_type") != "code":
            return 400, "", "<p>The requested scope is invalid, unknown, or malformed.</p>"
        if self.signed_in is None:
            return 200, "", "<form action='/auth/sign_in'><input name='user[email]'></form>"
        state = {"state": one["state"]} if one.get("state") else {}
        if self.deny_consent:
            answer = {"error": "access_denied", "error_description":
                      "The resource owner or authorization server denied the request.", **state}
            return 302, f"{uri}?{urlencode(answer)}", ""
        code = f"code-{time.monotonic_ns()}"
        self.codes[code] = {"client_id": app["client_id"], "account": self.signed_in,
                            "redirect_uri": uri, "scopes": scopes}
        return 302, f"{uri}?{urlencode({'code': code, **state})}", ""

    def token(self, form: dict[str, Any]) -> dict[str, Any]:
        app = self.apps.get(form.get("client_id") or "")
        if app is None or app["client_secret"] != form.get("client_secret"):
            raise OAuthError(401, "invalid_client", "Client authentication failed due to unknown "
                             "client, no client authentication included, or unsupported "
                             "authentication method.")
        grant = self.codes.pop(form.get("code") or "", None)
        if (form.get("grant_type") != "authorization_code" or grant is None
                or grant["client_id"] != app["client_id"]
                or grant["redirect_uri"] != form.get("redirect_uri")):
            raise OAuthError(400, "invalid_grant", "The provided authorization grant is invalid, "
                             "expired, revoked, does not match the redirection URI used in the "
                             "authorization request, or was issued to another client.")
        return {"access_token": self.issue_token(grant["account"]), "token_type": "Bearer",
                "scope": " ".join(grant["scopes"]), "created_at": int(time.time())}

    def instance_v1(self) -> dict[str, Any]:
        return {"uri": DOMAIN, "title": "Fake Mastodon", "version": "4.3.0",
                "urls": {"streaming_api": "ws://" + urlsplit(self.base).netloc},
                "languages": ["en", "fi"], "registrations": False, "approval_required": False,
                "invites_enabled": False, "contact_account": None, "rules": []}

    def page(self, entries: list[dict[str, Any]], query: dict[str, list[str]], url: str,
             default_limit: int, max_limit: int, keep: tuple[str, ...] = ()) -> tuple[list[dict[str, Any]], str]:
        """One page of ``entries`` (dicts with a numeric ``id``), newest first, with its Link
        header: ``max_id``/``since_id`` bound it, ``min_id`` reads forward from there."""
        def one(name: str) -> int | None:
            return int(query[name][0]) if query.get(name) else None

        limit = min(one("limit") or default_limit, max_limit)
        max_id, since_id, min_id = one("max_id"), one("since_id"), one("min_id")
        chosen = sorted((e for e in entries if (max_id is None or int(e["id"]) < max_id)
                         and (since_id is None or int(e["id"]) > since_id)
                         and (min_id is None or int(e["id"]) > min_id)), key=lambda e: int(e["id"]))
        chosen = chosen[:limit] if min_id is not None else chosen[-limit:]
        chosen.reverse()
        link = ""
        if chosen:
            kept = {k: v for k, v in query.items() if k in (*keep, "limit")}
            link = (f'<{url}?{urlencode({**kept, "max_id": chosen[-1]["id"]}, doseq=True)}>; rel="next", '
                    f'<{url}?{urlencode({**kept, "min_id": chosen[0]["id"]}, doseq=True)}>; rel="prev"')
        return chosen, link

    def account_statuses(self, account_id: str, viewer: str,
                         query: dict[str, list[str]]) -> tuple[list[dict[str, Any]], str]:
        if account_id not in self.accounts:
            raise ApiError(404, "Record not found")
        skip_replies = query.get("exclude_replies", ["false"])[0].lower() in ("1", "true")
        mine = [s for s in self.statuses.values() if s["account_id"] == account_id
                and self.visible(s["id"], viewer) and not (skip_replies and s["in_reply_to_id"])]
        page, link = self.page(mine, query, f"{self.base}/api/v1/accounts/{account_id}/statuses", 20, 40,
                               ("exclude_replies",))
        return [self.render_status(s["id"]) for s in page], link

    def public(self) -> list[dict[str, Any]]:
        return [s for s in self.statuses.values() if s["visibility"] == "public"]

    def tag_timeline(self, tag: str, query: dict[str, list[str]]) -> tuple[list[dict[str, Any]], str]:
        tagged = [s for s in self.public() if tag.lower() in self._tags(s["text"])]
        page, link = self.page(tagged, query, f"{self.base}/api/v1/timelines/tag/{tag}", 20, 40)
        return [self.render_status(s["id"]) for s in page], link

    def public_timeline(self, query: dict[str, list[str]]) -> tuple[list[dict[str, Any]], str]:
        # Every account here is this server's own: "local" keeps all, "remote" none.
        remote = query.get("remote", ["false"])[0].lower() in ("1", "true")
        found = [] if remote else self.public()
        page, link = self.page(found, query, f"{self.base}/api/v1/timelines/public", 20, 40,
                               ("local", "remote"))
        return [self.render_status(s["id"]) for s in page], link

    def search(self, query: dict[str, list[str]]) -> dict[str, Any]:
        words = str(query.get("q", [""])[0]).lower().split()
        if not words:
            raise ApiError(400, "Search query missing")  # what Mastodon answers an empty q
        statuses: list[dict[str, Any]] = []
        if query.get("type", ["statuses"])[0] == "statuses":
            found = [s for s in self.public() if all(w in s["text"].lower() for w in words)]
            page, _ = self.page(found, query, f"{self.base}/api/v2/search", 20, 40)  # no Link here
            statuses = [self.render_status(s["id"]) for s in page]
        return {"accounts": [], "statuses": statuses, "hashtags": []}

    def upload(self, author: str, parts: dict[str, Any]) -> dict[str, Any]:
        file = parts.get("file")
        if not isinstance(file, tuple):
            raise ApiError(422, "Validation failed: File can't be blank")
        name, content_type, data = file
        if content_type not in SUPPORTED_TYPES:
            raise ApiError(422, "Validation failed: File content type is invalid, File is invalid")
        if content_type.startswith("image/") and len(data) > self.image_size_limit:
            raise ApiError(422, f"Validation failed: File file size must be less than "
                                f"{self.image_size_limit // 1048576} MB")
        media_id = str(next(self._media_ids))
        self.media[media_id] = {"id": media_id, "account_id": author, "name": name or "file",
                                "type": content_type.split("/")[0], "content_type": content_type,
                                "data": data, "description": str(parts.get("description") or ""),
                                "status_id": None}
        return self.render_media(media_id)

    def _attachments(self, author: str, form: dict[str, Any]) -> list[str]:
        ids = form.get("media_ids[]") or form.get("media_ids") or []
        ids = [str(i) for i in (ids if isinstance(ids, list) else [ids])]
        if len(ids) > MAX_MEDIA:
            raise ApiError(422, f"Validation failed: Media attachments cannot exceed {MAX_MEDIA}")
        for media_id in ids:
            media = self.media.get(media_id)
            if media is None or media["account_id"] != author or media["status_id"]:
                raise ApiError(422, "Validation failed: Media ids are invalid")
        return ids

    def notifications_page(self, viewer: str, query: dict[str, list[str]]) -> tuple[list[dict[str, Any]], str]:
        types, excluded = set(query.get("types[]", [])), set(query.get("exclude_types[]", []))
        mine = [n for n in self.notifications if n["for"] == viewer
                and (not types or n["type"] in types) and n["type"] not in excluded]
        page, link = self.page(mine, query, f"{self.base}/api/v1/notifications", 40, 80,
                               ("types[]", "exclude_types[]"))
        return [self.render_notification(n) for n in page], link

    def _length(self, text: str) -> int:
        countable = _URL.sub("x" * 23, text)
        countable = _MENTION.sub(lambda m: "@" + m.group(1), countable)
        return len(regex.findall(r"\X", countable))

    def post_status(self, author: str, form: dict[str, Any], key: str | None) -> dict[str, Any]:
        now = time.time()
        if key and (author, key) in self.idempotency:
            status_id, at = self.idempotency[(author, key)]
            if now - at < IDEMPOTENCY_TTL:
                return self.render_status(status_id)
        text = str(form.get("status") or "")
        media_ids = self._attachments(author, form)
        if not text.strip() and not media_ids:
            raise ApiError(422, "Validation failed: Text can't be blank")
        visibility = str(form.get("visibility") or "public")
        if visibility not in ("public", "unlisted", "private", "direct"):
            raise ApiError(422, "Validation failed: Visibility is not included in the list")
        parent = str(form.get("in_reply_to_id") or "") or None
        if parent and not self.visible(parent, author):
            raise ApiError(404, "The post you are trying to reply to does not appear to exist.")
        if self._length(text) > self.max_characters:
            raise ApiError(422, f"Validation failed: Text character limit of {self.max_characters} exceeded")
        mentioned = []
        for match in _MENTION.finditer(text):
            found = self._local(match.group(1), match.group(2))
            if found and found not in mentioned:
                mentioned.append(found)
        status_id = str(next(self._status_ids))
        self.statuses[status_id] = {
            "id": status_id, "account_id": author, "text": text, "visibility": visibility,
            "in_reply_to_id": parent, "spoiler_text": str(form.get("spoiler_text") or ""),
            "language": form.get("language") or None, "mentions": mentioned,
            "created_at": _iso(datetime.now(UTC)), "media_ids": media_ids,
        }
        for media_id in media_ids:
            self.media[media_id]["status_id"] = status_id
        if key:
            self.idempotency[(author, key)] = (status_id, now)
        for account_id in mentioned:
            if account_id != author:
                self._notify(account_id, author, status_id)
        return self.render_status(status_id)

    def _notify(self, account_id: str, author: str, status_id: str) -> None:
        notification = {"id": str(next(self._notification_ids)), "type": "mention", "for": account_id,
                        "from": author, "status_id": status_id,
                        "created_at": self.statuses[status_id]["created_at"]}
        self.notifications.append(notification)
        payload = json.dumps(self.render_notification(notification))
        for token, events in self.streams:
            if self.tokens.get(token) == account_id:
                events.put(("notification", payload))

    def context(self, status_id: str, viewer: str) -> dict[str, Any]:
        ancestors, parent = [], self.statuses[status_id]["in_reply_to_id"]
        while parent and parent in self.statuses:
            if self.visible(parent, viewer):
                ancestors.insert(0, self.render_status(parent))
            parent = self.statuses[parent]["in_reply_to_id"]
        descendants, frontier = [], [status_id]
        while frontier:
            children = sorted((s for s in self.statuses.values() if s["in_reply_to_id"] in frontier),
                              key=lambda s: int(s["id"]))
            descendants += [self.render_status(s["id"]) for s in children if self.visible(s["id"], viewer)]
            frontier = [s["id"] for s in children]
        return {"ancestors": ancestors, "descendants": descendants}

    def backdate(self, status_id: str, days: float) -> None:
        """Make a status (and its notifications) older, for reconciliation tests."""
        with self.lock:
            moment = _iso(datetime.now(UTC) - timedelta(days=days))
            self.statuses[status_id]["created_at"] = moment
            for notification in self.notifications:
                if notification["status_id"] == status_id:
                    notification["created_at"] = moment


_STATUS = re.compile(r"^/api/v1/statuses/(\d+)(/context)?$")
_ACCOUNT_STATUSES = re.compile(r"^/api/v1/accounts/(\d+)/statuses$")
_TAG_TIMELINE = re.compile(r"^/api/v1/timelines/tag/([^/]+)$")
_STREAMS = {"/api/v1/streaming/user": "user", "/api/v1/streaming/user/notification": "user:notification"}


def _handler(fake: FakeMastodon) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _token(self, query: dict[str, list[str]]) -> str | None:
            value = self.headers.get("Authorization", "")
            if value.startswith("Bearer "):
                return value[len("Bearer "):]
            return query.get("access_token", [None])[0]

        def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _page(self, status: int, location: str, body: str) -> None:
            data = body.encode()
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _form(self) -> dict[str, Any]:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if "json" in (self.headers.get("Content-Type") or ""):
                return json.loads(raw or b"{}")
            return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(raw.decode()).items()}

        def _parts(self) -> dict[str, Any]:
            """A multipart/form-data body: text fields as str, files as (name, type, bytes)."""
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            head = f"Content-Type: {self.headers.get('Content-Type')}\r\n\r\n".encode()
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
            parts: dict[str, Any] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                data = part.get_payload(decode=True) or b""
                if part.get_filename() is not None:
                    parts[name] = (part.get_filename(), part.get_content_type(), data)
                else:
                    parts[name] = data.decode()
            return parts

        def _route(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            path = parts.path.rstrip("/")  # Rails routes take a trailing slash too
            fake.requests.append({"method": method, "path": path, "query": query,
                                  "headers": dict(self.headers.items())})
            if method == "GET" and (path in _STREAMS or path == "/api/v1/streaming"):
                self._stream(query)
                return
            if method == "GET" and path == "/oauth/authorize":
                with fake.lock:
                    self._page(*fake.authorize(query))
                return
            try:
                with fake.lock:
                    answer = self._api(method, path, query)
            except OAuthError as exc:
                self._answer(exc.status, {"error": exc.error, "error_description": exc.description})
                return
            except ApiError as exc:
                self._answer(exc.status, {"error": exc.error}, exc.headers)
                return
            if answer is None:  # stored, but the connection drops before the answer
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self._answer(200, *answer)

        def _api(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[Any, dict[str, str]] | None:
            if fake.fail_with:
                raise ApiError(*fake.fail_with)
            if method == "GET" and path == "/api/v2/instance":
                return fake.instance(), {}
            if method == "GET" and path == "/api/v1/instance":
                return fake.instance_v1(), {}
            if method == "GET" and path == "/.well-known/oauth-authorization-server":
                return fake.oauth_server(), {}
            if method == "POST" and path == "/api/v1/apps":
                return fake.register_app(self._form()), {}
            if method == "POST" and path == "/oauth/token":
                return fake.token(self._form()), {}
            viewer = fake.account_for(self._token(query))
            headers = fake.rate_headers(viewer)
            if method == "GET" and path == "/api/v1/accounts/verify_credentials":
                account = fake.render_account(viewer)
                source = {"privacy": "public", "sensitive": False, "language": None, "note": "", "fields": []}
                return {**account, "source": source}, headers
            if method == "GET" and path == "/api/v1/notifications":
                page, link = fake.notifications_page(viewer, query)
                return page, {**headers, "Link": link} if link else headers
            if method == "POST" and path == "/api/v1/statuses":
                status = fake.post_status(viewer, self._form(), self.headers.get("Idempotency-Key"))
                if fake.drop_next_posts:
                    fake.drop_next_posts -= 1
                    return None
                return status, headers
            if method == "POST" and path == "/api/v2/media":
                return fake.upload(viewer, self._parts()), headers
            if method == "GET" and path == "/api/v2/search":
                return fake.search(query), headers
            if method == "GET" and path == "/api/v1/timelines/public":
                page, link = fake.public_timeline(query)
                return page, {**headers, "Link": link} if link else headers
            listed = _ACCOUNT_STATUSES.match(path) or _TAG_TIMELINE.match(path)
            if method == "GET" and listed:
                if listed.re is _ACCOUNT_STATUSES:
                    page, link = fake.account_statuses(listed.group(1), viewer, query)
                else:
                    page, link = fake.tag_timeline(unquote(listed.group(1)), query)
                return page, {**headers, "Link": link} if link else headers
            found = _STATUS.match(path)
            if method == "GET" and found and fake.visible(found.group(1), viewer):
                if found.group(2):
                    return fake.context(found.group(1), viewer), headers
                return fake.render_status(found.group(1)), headers
            raise ApiError(404, "Record not found", headers)

        def _stream(self, query: dict[str, list[str]]) -> None:
            token = self._token(query)
            with fake.lock:
                if token not in fake.tokens:
                    self._answer(401, {"error": "Invalid access token"})
                    return
                events: queue.Queue[tuple[str, str]] = queue.Queue()
                fake.streams.append((token, events))
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                while True:
                    try:
                        kind, payload = events.get(timeout=fake.heartbeat)
                    except queue.Empty:
                        self.wfile.write(b":thump\n")
                        self.wfile.flush()
                        continue
                    if kind == "close":
                        return
                    self.wfile.write(f"event: {kind}\ndata: {payload}\n\n".encode())
                    self.wfile.flush()
            except OSError:
                return
            finally:
                with fake.lock:
                    fake.streams.remove((token, events))

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def fake_mastodon() -> Iterator[FakeMastodon]:
    fake = FakeMastodon()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield fake
    finally:
        with fake.lock:
            for _, events in fake.streams:
                events.put(("close", ""))
        server.shutdown()
        server.server_close()
