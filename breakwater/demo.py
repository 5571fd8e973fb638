"""The demo workspace: a fictional Finnish brand with simulated traffic through the real ingest path."""

from __future__ import annotations

import logging
import secrets
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from breakwater.composer import demo as composer_demo
from breakwater.listening import demo as listening_demo
from breakwater.connectors.demo.simulator import BRAND_NAME, generate_items, live_items
from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.core.models import Channel, Membership, Role, Workspace
from breakwater.ingest import queue
from breakwater.media import demo as media_demo
from breakwater.publishing import demo as publishing_demo
from breakwater.sla.actions import TargetChange, do_create_target

log = logging.getLogger(__name__)
DEMO_SLUG = "demo"
DEMO_EMAIL = "demo@breakwater.invalid"
DEMO_CHANNELS = ("Facebook page (demo)", "Instagram (demo)", "Google reviews (demo)")


def _demo_password() -> str:
    """Random per installation, kept in the data dir, printed at start."""
    path = settings.DATA_DIR / "demo-password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(9))
        path.chmod(0o600)
    return path.read_text().strip()


@transaction.atomic
def ensure_demo_workspace(history: int = 400) -> tuple[Membership, str]:
    """Create the demo workspace, its owner, channels and a week of history, once."""
    password = _demo_password()
    existing = Workspace.objects.filter(slug=DEMO_SLUG).first()
    member = do_create_user(DEMO_EMAIL, password, DEMO_SLUG, Role.OWNER, name="Demo Manager")
    if existing is None:
        Workspace.objects.filter(pk=member.workspace_id).update(name=f"{BRAND_NAME} (demo)")
        for name in DEMO_CHANNELS:
            do_create_channel(member, "demo", name, {"handle": "aaltokahvi"})
        # Two business hours for a first response: the inbox shows due times (docs/sla.md).
        do_create_target(member, TargetChange(minutes=120))
        composer_demo.seed(member)
        listening_demo.seed(member)
        media_demo.seed(member)
        publishing_demo.seed(member)
        channel_ids = demo_channel_ids(member.workspace_id)
        end = timezone.now()
        items = generate_items(channel_ids, history, start=end - timedelta(days=7), end=end)
        queue.enqueue(member.workspace_id, items, source="demo")
    return member, password


def demo_channel_ids(workspace_id: int) -> list[int]:
    return list(
        Channel.objects.filter(workspace_id=workspace_id, network="demo")
        .order_by("id")
        .values_list("pk", flat=True)
    )


def run_simulator(stop: threading.Event, workspace_id: int, per_minute: float) -> None:
    """Write live traffic at ``per_minute`` items a minute until stopped.

    One endless stream, so new comments land on recent posts and DM threads continue.
    """
    if per_minute <= 0:
        return
    interval = 60.0 / per_minute
    stream = live_items(demo_channel_ids(workspace_id))
    while not stop.wait(interval):
        close_old_connections()
        try:
            queue.enqueue(workspace_id, [next(stream)], source="demo")
        except Exception:
            log.exception("demo simulator step failed")
