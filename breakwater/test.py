"""The base test case: two workspaces, four personas and a demo channel each, made through actions.

* ``acme``: alice (owner), bob (agent), vera (viewer), with ``self.channel`` (demo network);
* ``other``: charlie (owner), with ``self.other_channel``, so every suite can check that
  nobody sees another workspace's data.

Personas are memberships (what actions take); ``self.alice.user`` is the user. Each has an
API token in ``self.<name>_token``.
"""

from __future__ import annotations

import ipaddress
import itertools
import json as jsonlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.test import TestCase

from breakwater.core.actions import do_create_channel, do_create_token, do_create_user
from breakwater.core.models import Channel, Membership, Role, Workspace
from breakwater.inbox.models import Conversation
from breakwater.ingest.pipeline import IngestResult, ingest_items

PASSWORD = "correct horse battery"  # noqa: S105 (test data)
# Items are dated from here on, a minute apart, so their order is known in every test.
BASE_TIME = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

_sequence = itertools.count(1)


class BaseTestCase(TestCase):
    acme: Workspace
    other: Workspace
    alice: Membership
    bob: Membership
    vera: Membership
    charlie: Membership
    channel: Channel
    other_channel: Channel
    alice_token: str
    bob_token: str
    vera_token: str
    charlie_token: str

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.alice = do_create_user("alice@example.org", PASSWORD, "acme", Role.OWNER, name="Alice")
        cls.bob = do_create_user("bob@example.org", PASSWORD, "acme", Role.AGENT, name="Bob")
        cls.vera = do_create_user("vera@example.org", PASSWORD, "acme", Role.VIEWER, name="Vera")
        cls.charlie = do_create_user(
            "charlie@example.org", PASSWORD, "other", Role.OWNER, name="Charlie"
        )
        cls.acme = cls.alice.workspace
        cls.other = cls.charlie.workspace
        cls.channel = do_create_channel(cls.alice, "demo", "Acme demo", {"handle": "acme"})
        cls.other_channel = do_create_channel(
            cls.charlie, "demo", "Other demo", {"handle": "other"}
        )
        cls.alice_token = do_create_token(cls.alice, "alice")
        cls.bob_token = do_create_token(cls.bob, "bob")
        cls.vera_token = do_create_token(cls.vera, "vera")
        cls.charlie_token = do_create_token(cls.charlie, "charlie")

    # -- items and ingest ----------------------------------------------------------------

    def item(self, **overrides: Any) -> dict[str, Any]:
        """A valid normalized item for acme's demo channel, unique on every call.

        Each item is its own thread (no thread_key) unless one is given; ``created_at``
        moves a minute forward per call. ``author`` may be overridden with a dict or None.
        """
        n = next(_sequence)
        item: dict[str, Any] = {
            "network": "demo",
            "channel": self.channel.pk,
            "external_id": f"item-{n}",
            "kind": "comment",
            "created_at": (BASE_TIME + timedelta(minutes=n)).isoformat(),
            "author": {"external_id": f"author-{n}", "handle": f"person{n}", "name": f"Person {n}"},
            "text": f"Message number {n}",
        }
        item.update(overrides)
        return item

    def ingest(
        self, workspace: Workspace | Membership | int, items: list[dict[str, Any]]
    ) -> IngestResult:
        if isinstance(workspace, Membership):
            workspace_id = workspace.workspace_id
        elif isinstance(workspace, Workspace):
            workspace_id = workspace.pk
        else:
            workspace_id = workspace
        return ingest_items(workspace_id, items)

    def conversation(self, workspace: Workspace | None = None, **overrides: Any) -> Conversation:
        """Ingest one item (into acme unless told) and return its conversation."""
        workspace = workspace or self.acme
        if workspace.pk == self.other.pk:
            overrides.setdefault("channel", self.other_channel.pk)
        item = self.item(**overrides)
        result = self.ingest(workspace, [item])
        assert result.created == 1, result.as_dict()
        return Conversation.objects.get(
            channel_id=item["channel"],
            thread_key=item.get("thread_key")
            or item.get("parent_external_id")
            or item["external_id"],
        )

    # -- the API -------------------------------------------------------------------------

    def api(
        self,
        method: str,
        path: str,
        token: str | None,
        json: Any = None,
        body: str | bytes | None = None,
        content_type: str = "application/json",
    ) -> HttpResponse:
        """Call the REST API as the token's member; ``json`` is encoded, ``body`` sent as is."""
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
        call = getattr(self.client, method.lower())
        if json is not None:
            return call(path, data=jsonlib.dumps(json), content_type="application/json", **headers)
        if body is not None:
            return call(path, data=body, content_type=content_type, **headers)
        return call(path, **headers)


class WorkerProcesses:
    """For tests that run real ``breakwater worker`` processes against the test database
    (mix into a ``TransactionTestCase``): start one, wait for what it should do, kill it.

    The worker runs this checkout's code (``python -c`` from its root), whichever checkout
    the virtualenv's ``breakwater`` script was installed from.
    """

    ROOT = Path(__file__).resolve().parents[1]
    WORKER = "from breakwater.cli import main; main(['worker'])"

    def start_worker(self, log: Path, **env: str) -> subprocess.Popen[bytes]:
        from django.conf import settings
        from django.db import connection

        full_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "breakwater.settings_test",
            "BREAKWATER_DATA_DIR": str(settings.DATA_DIR),
            # The database pytest-django created for this run, not the one it was named after.
            "BREAKWATER_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
            "BREAKWATER_LOG_LEVEL": "INFO",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(self.ROOT), os.environ.get("PYTHONPATH")])),
            **env,
        }
        out = log.open("ab")
        self.addCleanup(out.close)  # type: ignore[attr-defined]
        proc = subprocess.Popen(  # noqa: S603 (our own entry point)
            [sys.executable, "-c", self.WORKER], cwd=self.ROOT, env=full_env,
            stdout=out, stderr=subprocess.STDOUT,
        )
        self.addCleanup(self.kill, proc)  # type: ignore[attr-defined]
        return proc

    @staticmethod
    def kill(proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    def wait_for(self, what: str, condition: Callable[[], bool], proc: subprocess.Popen[bytes],
                 log: Path, timeout: float = 120) -> None:
        """Poll ``condition`` until it holds; fail with the worker's log if it exits or times out."""
        deadline = time.monotonic() + timeout
        while not condition():
            if proc.poll() is not None:
                self.fail(  # type: ignore[attr-defined]
                    f"the worker exited ({proc.returncode}) before {what}:\n"
                    f"{log.read_text(errors='replace')[-5000:]}"
                )
            if time.monotonic() > deadline:
                self.fail(  # type: ignore[attr-defined]
                    f"no {what} within {timeout} s:\n{log.read_text(errors='replace')[-5000:]}"
                )
            time.sleep(0.05)


def listening_addresses(pid: int) -> set[tuple[str, int]]:
    """The (address, port) pairs process ``pid`` listens on for TCP, read from /proc: for tests
    that check a test server is reachable from this machine only."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    found = set()
    for table, width in (("tcp", 8), ("tcp6", 32)):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            address, port = local.split(":")
            raw = bytes.fromhex(address)
            if width == 8:
                host = ".".join(str(b) for b in reversed(raw))
            else:  # four little-endian 32-bit words
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                host = str(ipaddress.IPv6Address(words))
            found.add((host, int(port, 16)))
    return found
