"""XRPC calls to a Bluesky service (a PDS or the bsky.social entryway) with an app password.

Sessions come from ``com.atproto.server.createSession`` and are kept per process (the sync
engine makes a connector per turn; signing in on every poll would spend the 30-per-5-minutes
sign-in budget). An access token that expired is refreshed (``refreshSession``); a session
older than ``SESSION_MAX_AGE`` is refreshed too, because access tokens are checked without
a lookup and outlive a revoked app password. A refresh the server refuses falls back to one
new sign-in; a refused sign-in is a ``reauth`` error carrying the server's own text.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import httpx

from breakwater.connectors.base import ConnectorError, RateBudget
from breakwater.lib import http

SESSION_MAX_AGE = 15 * 60.0
# Errors that mean the session (not the request) is the problem.
SESSION_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})
REFUSED = frozenset({
    "AuthenticationRequired", "AccountTakedown", "AccountDeactivated", "InvalidToken",
})


@dataclass(frozen=True)
class Session:
    did: str
    handle: str
    access_jwt: str
    refresh_jwt: str
    created: float


_sessions: dict[tuple[str, str, str], Session] = {}
_lock = threading.Lock()


def expire_sessions() -> None:
    """Treat every kept session as too old: the next call refreshes it (or signs in again)."""
    with _lock:
        for key, session in _sessions.items():
            _sessions[key] = replace(session, created=0.0)


def xrpc_error(response: httpx.Response) -> ConnectorError:
    """The server's error (``{"error": ..., "message": ...}``) as a ``ConnectorError``."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    name = str(body.get("error") or f"HTTP {response.status_code}")
    message = str(body.get("message") or response.text[:300] or name)
    text = f"{message} ({name}, HTTP {response.status_code})"
    status = response.status_code
    if status == 429 or status >= 500:
        return ConnectorError(text, retry_after=_retry_after(response))
    return ConnectorError(text, permanent=True, reauth=status == 401 or name in REFUSED)


def _retry_after(response: httpx.Response) -> float:
    reset = response.headers.get("ratelimit-reset")
    if reset and reset.isdigit():
        return max(float(reset) - time.time(), 1.0)
    return http.retry_after(response) or http.RETRY_AFTER_DEFAULT


def budget(response: httpx.Response) -> RateBudget | None:
    """What the ``ratelimit-*`` headers say is left (None when the server sent none)."""
    remaining = response.headers.get("ratelimit-remaining")
    if remaining is None or not remaining.lstrip("-").isdigit():
        return None
    limit = response.headers.get("ratelimit-limit", "")
    reset = response.headers.get("ratelimit-reset", "")
    return RateBudget(
        remaining=int(remaining),
        limit=int(limit) if limit.isdigit() else None,
        reset_at=datetime.fromtimestamp(int(reset), UTC) if reset.isdigit() else None,
    )


class Xrpc:
    """Calls as one account; ``last_response`` keeps the latest answer (for its headers)."""

    def __init__(self, service: str, handle: str, password: str):
        self.service = service.rstrip("/")
        self.handle = handle.removeprefix("@")
        secret = hashlib.sha256(password.encode()).hexdigest()
        self._key = (self.service, self.handle.lower(), secret)
        self._password = password
        self.last_response: httpx.Response | None = None

    def url(self, nsid: str) -> str:
        return f"{self.service}/xrpc/{nsid}"

    def _send(self, method: str, nsid: str, token: str | None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(kwargs.pop("headers", {}))
        response = http.request(method, self.url(nsid), headers=headers, **kwargs)
        self.last_response = response
        return response

    def _answer(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 400:
            raise xrpc_error(response)
        try:
            data = response.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def sign_in(self) -> Session:
        """A new session from the app password (``createSession``)."""
        credentials = {"identifier": self.handle, "password": self._password}
        data = self._answer(self._send("POST", "com.atproto.server.createSession", None,
                                       json=credentials))
        session = Session(did=data["did"], handle=data.get("handle", self.handle),
                          access_jwt=data["accessJwt"], refresh_jwt=data["refreshJwt"],
                          created=time.time())
        with _lock:
            _sessions[self._key] = session
        return session

    def _refreshed(self, session: Session) -> Session:
        response = self._send("POST", "com.atproto.server.refreshSession", session.refresh_jwt)
        if response.status_code >= 400:
            error = xrpc_error(response)
            if not error.permanent:
                raise error
            return self.sign_in()  # revoked or expired refresh token: the password decides
        data = self._answer(response)
        fresh = replace(session, access_jwt=data["accessJwt"], refresh_jwt=data["refreshJwt"],
                        handle=data.get("handle", session.handle), created=time.time())
        with _lock:
            _sessions[self._key] = fresh
        return fresh

    def session(self) -> Session:
        with _lock:
            session = _sessions.get(self._key)
        if session is None:
            return self.sign_in()
        if time.time() - session.created > SESSION_MAX_AGE:
            return self._refreshed(session)
        return session

    def call(self, method: str, nsid: str, *, params: dict[str, Any] | None = None,
             body: Any = None, content: bytes | None = None, content_type: str | None = None,
             auth: bool = True) -> dict[str, Any]:
        """One XRPC call (GET with ``params``, POST with a JSON ``body`` or raw ``content``)."""
        kwargs: dict[str, Any] = {"params": params}
        if content is not None:
            kind = content_type or "application/octet-stream"
            kwargs.update(content=content, headers={"Content-Type": kind})
        elif body is not None:
            kwargs["json"] = body
        if not auth:
            return self._answer(self._send(method, nsid, None, **kwargs))
        session = self.session()
        response = self._send(method, nsid, session.access_jwt, **kwargs)
        if response.status_code in (400, 401) and _error_name(response) in SESSION_ERRORS:
            session = self._refreshed(session)
            response = self._send(method, nsid, session.access_jwt, **kwargs)
        return self._answer(response)

    def get(self, nsid: str, **params: Any) -> dict[str, Any]:
        return self.call("GET", nsid, params={k: v for k, v in params.items() if v is not None})

    def post(self, nsid: str, body: Any) -> dict[str, Any]:
        return self.call("POST", nsid, body=body)


def _error_name(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error", "")) if isinstance(body, dict) else ""
