"""The base test case: two workspaces, four personas and a demo channel each, made through actions.

* ``acme``: alice (owner), bob (agent), vera (viewer), with ``self.channel`` (demo network);
* ``other``: charlie (owner), with ``self.other_channel``, so every suite can check that
  nobody sees another workspace's data.

Personas are memberships (what actions take); ``self.alice.user`` is the user. Each has an
API token in ``self.<name>_token``.
"""

from __future__ import annotations

import itertools
import json as jsonlib
from datetime import UTC, datetime, timedelta
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
