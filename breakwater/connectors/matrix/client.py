"""A small Matrix client-server API client over ``breakwater.lib.http`` (httpx).

Only the calls the connector needs. Errors come back as ``ConnectorError`` carrying the
homeserver's own ``errcode`` and ``error`` text (``M_UNKNOWN_TOKEN: Invalid access token
passed.``): refused credentials need a person (``reauth``), rate limits wait for the
server's ``retry_after_ms``, server errors are retried.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from breakwater.connectors.base import ConnectorError
from breakwater.lib import http

API = "/_matrix/client/v3"
# Credentials the homeserver refused: a new token or password is needed.
REAUTH_CODES = frozenset(
    {"M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_USER_DEACTIVATED", "M_USER_LOCKED"}
)
# A long poll waits up to its timeout on the server; the HTTP read must wait longer.
LONG_POLL_SLACK = 15.0


def _path(*parts: str) -> str:
    return "/".join(quote(p, safe="") for p in parts)


def error_from(response: httpx.Response) -> ConnectorError:
    """The homeserver's answer to a failed call, as a ``ConnectorError`` with its own text."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("errcode") or f"HTTP {response.status_code}")
    text = str(body.get("error") or response.text[:300] or response.reason_phrase)
    message = f"{code}: {text}"
    if response.status_code == 429 or code == "M_LIMIT_EXCEEDED":
        wait_ms = body.get("retry_after_ms")
        wait = wait_ms / 1000 if isinstance(wait_ms, int | float) else http.retry_after(response)
        return ConnectorError(message, retry_after=wait or http.RETRY_AFTER_DEFAULT)
    if response.status_code >= 500:
        return ConnectorError(
            message, retry_after=http.retry_after(response) or http.RETRY_AFTER_DEFAULT
        )
    if code in REAUTH_CODES or response.status_code == 401:
        return ConnectorError(message, reauth=True)
    return ConnectorError(message, permanent=True)


class MatrixClient:
    """Calls on behalf of one account (``access_token``) on one homeserver."""

    def __init__(self, homeserver: str, access_token: str = ""):
        self.homeserver = homeserver.rstrip("/")
        self.access_token = access_token

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        timeout: float | None = None,
        auth: bool = True,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.access_token}"} if auth else {}
        kwargs: dict[str, Any] = {"headers": headers, "params": params}
        if body is not None:
            kwargs["content"] = http.encode_json(body)
            headers["Content-Type"] = "application/json"
        if timeout is not None:
            kwargs["timeout"] = httpx.Timeout(timeout, connect=5.0)
        response = http.request(method, f"{self.homeserver}{API}/{path}", **kwargs)
        if response.status_code >= 400:
            raise error_from(response)
        try:
            data = response.json()
        except ValueError:
            raise ConnectorError(
                f"{self.homeserver} did not answer like a Matrix homeserver: {response.text[:200]}",
                permanent=True,
            ) from None
        return data if isinstance(data, dict) else {}

    def login(self, user_id: str, password: str, device_id: str) -> str:
        """Log in with a password; the same ``device_id`` each time, so no devices pile up."""
        answer = self.call(
            "POST",
            "login",
            auth=False,
            body={
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": user_id},
                "password": password,
                "device_id": device_id,
                "initial_device_display_name": "Breakwater",
            },
        )
        self.access_token = str(answer.get("access_token") or "")
        return self.access_token

    def whoami(self) -> dict[str, Any]:
        return self.call("GET", "account/whoami")

    def sync(
        self, since: str | None, timeout_ms: int, sync_filter: Mapping[str, Any]
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"timeout": timeout_ms, "filter": json.dumps(sync_filter)}
        if since:
            params["since"] = since
        return self.call("GET", "sync", params=params, timeout=timeout_ms / 1000 + LONG_POLL_SLACK)

    def join(self, room: str) -> str:
        return str(self.call("POST", f"join/{_path(room)}", body={}).get("room_id") or room)

    def messages(
        self,
        room_id: str,
        *,
        start: str | None = None,
        end: str | None = None,
        limit: int = 100,
        history_filter: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One page of a room's history, newest first (``start`` None: from the newest)."""
        params: dict[str, Any] = {"dir": "b", "limit": limit}
        if start:
            params["from"] = start
        if end:
            params["to"] = end
        if history_filter:
            params["filter"] = json.dumps(history_filter)
        return self.call("GET", f"rooms/{_path(room_id)}/messages", params=params)

    def joined_rooms(self) -> list[str]:
        return [str(r) for r in self.call("GET", "joined_rooms").get("joined_rooms") or []]

    def event(self, room_id: str, event_id: str) -> dict[str, Any]:
        return self.call("GET", f"rooms/{_path(room_id)}/event/{_path(event_id)}")

    def state(self, room_id: str, event_type: str, state_key: str = "") -> dict[str, Any]:
        return self.call(
            "GET", f"rooms/{_path(room_id)}/state/{_path(event_type)}/{_path(state_key)}"
        )

    def send_message(self, room_id: str, txn_id: str, content: Mapping[str, Any]) -> str:
        """PUT with a transaction id: the same id from the same device sends once."""
        path = f"rooms/{_path(room_id)}/send/m.room.message/{_path(txn_id)}"
        return str(self.call("PUT", path, body=content)["event_id"])

    def account_data(self, user_id: str, event_type: str) -> dict[str, Any]:
        try:
            return self.call("GET", f"user/{_path(user_id)}/account_data/{_path(event_type)}")
        except ConnectorError as exc:
            if exc.message.startswith("M_NOT_FOUND"):
                return {}
            raise

    def set_account_data(self, user_id: str, event_type: str, content: Mapping[str, Any]) -> None:
        self.call("PUT", f"user/{_path(user_id)}/account_data/{_path(event_type)}", body=content)
