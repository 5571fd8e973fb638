"""The Bluesky stack for the tests: start it (scripts/servers/bluesky.sh), and act on it as
its users do, with plain XRPC calls (what the brand or a customer does in their app)."""

from __future__ import annotations

import itertools
import os
import secrets
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[4]
SCRIPT = ROOT / "scripts" / "servers" / "bluesky.sh"
_numbers = itertools.count(1)


def _free_port_base(span: int = 4) -> int:
    """A base port with ``span`` free ports after it (PLC, PDS, AppView, ozone)."""
    for _ in range(50):
        base = 20000 + secrets.randbelow(20000)
        try:
            for port in range(base, base + span):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports for the Bluesky stack")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Account:
    handle: str
    did: str
    password: str
    access_jwt: str


@dataclass
class Stack:
    pds: str
    appview: str
    state: Path

    def xrpc(self, method: str, nsid: str, token: str | None = None,
             **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.request(method, f"{self.pds}/xrpc/{nsid}", headers=headers, timeout=30,
                                 **kwargs)
        if response.status_code >= 400:
            raise AssertionError(f"{nsid}: HTTP {response.status_code} {response.text}")
        return response.json() if response.content else {}

    def account(self, name: str) -> Account:
        handle = f"{name}{next(_numbers)}{secrets.token_hex(2)}.test"
        password = secrets.token_urlsafe(12)
        data = self.xrpc("POST", "com.atproto.server.createAccount",
                         json={"handle": handle, "email": f"{handle}@example.test",
                               "password": password})
        return Account(handle=handle, did=data["did"], password=password,
                       access_jwt=data["accessJwt"])

    def app_password(self, account: Account, name: str = "breakwater") -> str:
        return self.xrpc("POST", "com.atproto.server.createAppPassword", account.access_jwt,
                         json={"name": name})["password"]

    def revoke_app_password(self, account: Account, name: str = "breakwater") -> None:
        self.xrpc("POST", "com.atproto.server.revokeAppPassword", account.access_jwt,
                  json={"name": name})

    def post(self, account: Account, text: str, *, reply_to: dict[str, Any] | None = None,
             created_at: str | None = None, **extra: Any) -> dict[str, str]:
        """A post (a reply when ``reply_to`` is a post's answer); returns its uri and cid once
        the AppView has it. (The AppView indexes repositories in parallel: a reply it sees
        before the post it answers makes no notification, so each post waits its turn.)"""
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text,
                                  "createdAt": created_at or now(), **extra}
        if reply_to is not None:
            parent = {"uri": reply_to["uri"], "cid": reply_to["cid"]}
            record["reply"] = {"root": reply_to.get("root") or parent, "parent": parent}
        data = self.xrpc("POST", "com.atproto.repo.createRecord", account.access_jwt,
                         json={"repo": account.did, "collection": "app.bsky.feed.post",
                               "record": record})
        own = {"uri": data["uri"], "cid": data["cid"]}
        root = record["reply"]["root"] if reply_to is not None else own
        wait_until(lambda: self.xrpc("GET", "app.bsky.feed.getPosts", account.access_jwt,
                                     params={"uris": [data["uri"]]})["posts"], "indexed post")
        return {"uri": data["uri"], "cid": data["cid"], "root": root}

    def mention(self, account: Account, brand: Account, text: str) -> dict[str, str]:
        """A post starting with ``@brand``, with its mention facet."""
        mention = f"@{brand.handle}"
        facet = {"index": {"byteStart": 0, "byteEnd": len(mention.encode())},
                 "features": [{"$type": "app.bsky.richtext.facet#mention", "did": brand.did}]}
        return self.post(account, f"{mention} {text}", facets=[facet])

    def notifications(self, account: Account) -> list[dict[str, Any]]:
        return self.xrpc("GET", "app.bsky.notification.listNotifications",
                         account.access_jwt)["notifications"]

    def wait_for_notifications(self, account: Account, count: int, timeout: float = 90.0) -> None:
        """Wait until the AppView has indexed ``count`` notifications for ``account``."""
        wait_until(lambda: len(self.notifications(account)) >= count, f"{count} notifications",
                   timeout)

    def records(self, account: Account) -> list[dict[str, Any]]:
        return self.xrpc("GET", "com.atproto.repo.listRecords",
                         params={"repo": account.did,
                                 "collection": "app.bsky.feed.post"})["records"]

    def thread(self, account: Account, uri: str) -> dict[str, Any]:
        return self.xrpc("GET", "app.bsky.feed.getPostThread", account.access_jwt,
                         params={"uri": uri})["thread"]


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        time.sleep(0.2)


def start_stack() -> Stack:
    """Start a private stack; raise with its log when it cannot (the tests then fail)."""
    state = Path(tempfile.mkdtemp(prefix="bwbsky"))
    env = {**os.environ, "BLUESKY_PORT_BASE": str(_free_port_base())}
    done = subprocess.run([str(SCRIPT), "start", str(state)], env=env,  # noqa: S603 (our script)
                          capture_output=True, text=True, timeout=240, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the Bluesky stack did not start:\n{done.stdout}\n{done.stderr}")
    values = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    return Stack(pds=values["PDS_URL"], appview=values["APPVIEW_URL"], state=state)


def stop_stack(stack: Stack) -> None:
    subprocess.run([str(SCRIPT), "stop", str(stack.state)], timeout=60, check=False)  # noqa: S603
