"""A private Synapse for the tests (scripts/servers/synapse.sh), and customer accounts on it.

``Synapse.account(name)`` registers a user through the client-server API (registration is
open on the test server, ``m.login.dummy``); ``Account`` then acts as that user does from
any Matrix client: create rooms, invite, send, reply, read ``/messages``.
"""

from __future__ import annotations

import itertools
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "servers" / "synapse.sh"
_names = itertools.count(1)


@dataclass
class Account:
    url: str
    user_id: str
    access_token: str
    password: str

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> dict[str, Any]:
        response = httpx.request(method, f"{self.url}/_matrix/client/v3/{path}", json=body, params=params,
                                 headers={"Authorization": f"Bearer {self.access_token}"}, timeout=30)
        response.raise_for_status()
        return response.json()

    def create_room(self, *, invite: list[str] = (), direct: bool = False, public: bool = False,
                    name: str = "") -> str:
        body: dict[str, Any] = {"invite": list(invite), "is_direct": direct,
                                "preset": "public_chat" if public else "trusted_private_chat"}
        if name:
            body["name"] = name
        return self.call("POST", "createRoom", body)["room_id"]

    def send(self, room_id: str, body: str, relates_to: dict[str, Any] | None = None) -> str:
        content: dict[str, Any] = {"msgtype": "m.text", "body": body}
        if relates_to:
            content["m.relates_to"] = relates_to
        path = f"rooms/{quote(room_id)}/send/m.room.message/{uuid.uuid4().hex}"
        return self.call("PUT", path, content)["event_id"]

    def join(self, room_id: str) -> None:
        self.call("POST", f"join/{quote(room_id)}", {})

    def invite(self, room_id: str, user_id: str) -> None:
        self.call("POST", f"rooms/{quote(room_id)}/invite", {"user_id": user_id})

    def messages(self, room_id: str) -> list[dict[str, Any]]:
        """The room's messages, oldest first, as this account's client shows them."""
        chunk = self.call("GET", f"rooms/{quote(room_id)}/messages", dir="b", limit=100)["chunk"]
        return [e for e in reversed(chunk) if e["type"] == "m.room.message"]

    def login_again(self) -> str:
        """A new access token (a new device), as signing in on another client gives."""
        response = httpx.post(f"{self.url}/_matrix/client/v3/login", json={
            "type": "m.login.password", "identifier": {"type": "m.id.user", "user": self.user_id},
            "password": self.password}, timeout=30)
        response.raise_for_status()
        return response.json()["access_token"]

    def logout(self) -> None:
        self.call("POST", "logout", {})

    def change_password(self, new: str) -> None:
        self.call("POST", "account/password", {"new_password": new, "logout_devices": True, "auth": {
            "type": "m.login.password", "identifier": {"type": "m.id.user", "user": self.user_id},
            "password": self.password}})
        self.password = new


@dataclass
class Synapse:
    url: str
    server_name: str

    def account(self, name: str) -> Account:
        username = f"{name}{next(_names)}{uuid.uuid4().hex[:6]}"
        password = f"pw-{uuid.uuid4().hex}"
        response = httpx.post(f"{self.url}/_matrix/client/v3/register", json={
            "username": username, "password": password, "auth": {"type": "m.login.dummy"}}, timeout=30)
        response.raise_for_status()
        answer = response.json()
        return Account(self.url, answer["user_id"], answer["access_token"], password)


def start() -> tuple[Synapse, str]:
    """Start a private instance; its state dir is returned for ``stop``. Raises if it cannot."""
    state = tempfile.mkdtemp(prefix="bw-synapse-")
    result = subprocess.run(["bash", str(SCRIPT), "start", state], capture_output=True, text=True,
                            timeout=180, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"Synapse did not start (run `bash {SCRIPT} install` first?):\n"
                           f"{result.stdout}\n{result.stderr}")
    values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return Synapse(values["SYNAPSE_URL"], values["SYNAPSE_SERVER_NAME"]), state


def stop(state: str) -> None:
    subprocess.run(["bash", str(SCRIPT), "stop", state], capture_output=True, timeout=60, check=False)
