"""A private Synapse for the tests (scripts/servers/synapse.sh), and customer accounts on it.

``Synapse.account(name)`` registers a user through the client-server API (registration is
open on the test server, ``m.login.dummy``); ``Account`` then acts as that user does from
any Matrix client: create rooms, invite, send, reply, read ``/messages``. ``lossy_proxy``
stands between Breakwater and Synapse to lose an answer after Synapse acted on the request.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

BASH = shutil.which("bash") or "/bin/bash"
SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "servers" / "synapse.sh"
_names = itertools.count(1)


@dataclass
class Account:
    url: str
    user_id: str
    access_token: str
    password: str

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> dict[str, Any]:
        response = httpx.request(
            method,
            f"{self.url}/_matrix/client/v3/{path}",
            json=body,
            params=params,
            headers={"Authorization": f"Bearer {self.access_token}"},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def create_room(
        self, *, invite: list[str] = (), direct: bool = False, public: bool = False, name: str = ""
    ) -> str:
        body: dict[str, Any] = {
            "invite": list(invite),
            "is_direct": direct,
            "preset": "public_chat" if public else "trusted_private_chat",
        }
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
        response = httpx.post(
            f"{self.url}/_matrix/client/v3/login",
            json={
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": self.user_id},
                "password": self.password,
            },
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def logout(self) -> None:
        self.call("POST", "logout", {})

    def change_password(self, new: str) -> None:
        self.call(
            "POST",
            "account/password",
            {
                "new_password": new,
                "logout_devices": True,
                "auth": {
                    "type": "m.login.password",
                    "identifier": {"type": "m.id.user", "user": self.user_id},
                    "password": self.password,
                },
            },
        )
        self.password = new


@dataclass
class Synapse:
    url: str
    server_name: str

    def account(self, name: str) -> Account:
        username = f"{name}{next(_names)}{uuid.uuid4().hex[:6]}"
        password = f"pw-{uuid.uuid4().hex}"
        response = httpx.post(
            f"{self.url}/_matrix/client/v3/register",
            json={"username": username, "password": password, "auth": {"type": "m.login.dummy"}},
            timeout=30,
        )
        response.raise_for_status()
        answer = response.json()
        return Account(self.url, answer["user_id"], answer["access_token"], password)


def start() -> tuple[Synapse, str]:
    """Start a private instance; its state dir is returned for ``stop``. Raises if it cannot."""
    state = tempfile.mkdtemp(prefix="bw-synapse-")
    result = subprocess.run(  # noqa: S603 (our own script)
        [BASH, str(SCRIPT), "start", state],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"Synapse did not start (run `bash {SCRIPT} install` first?):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return Synapse(values["SYNAPSE_URL"], values["SYNAPSE_SERVER_NAME"]), state


def stop(state: str) -> None:
    subprocess.run(  # noqa: S603 (our own script)
        [BASH, str(SCRIPT), "stop", state], capture_output=True, timeout=60, check=False
    )
    shutil.rmtree(state, ignore_errors=True)


@dataclass
class Proxy:
    """A loopback HTTP proxy in front of the homeserver that can lose answers: the request
    reaches Synapse, but the connection closes before the answer comes back."""

    url: str = ""
    lose_answers_to: str = ""  # a path fragment, e.g. "/send/"
    lost: int = 0


@contextmanager
def lossy_proxy(upstream: str) -> Iterator[Proxy]:
    proxy = Proxy()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {
                k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
            }
            answer = httpx.request(
                self.command, upstream + self.path, content=body, headers=headers, timeout=60
            )
            if proxy.lose_answers_to and proxy.lose_answers_to in self.path:
                proxy.lose_answers_to, proxy.lost = "", proxy.lost + 1
                self.close_connection = True
                return
            self.send_response(answer.status_code)
            for name in ("Content-Type", "Retry-After"):
                if name in answer.headers:
                    self.send_header(name, answer.headers[name])
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_PUT = do_POST = forward

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
