"""Two agents, two browsers, one conversation: each sees the other, and a late reply warns."""

import os
from datetime import UTC, datetime

import pytest

from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.inbox.models import Conversation
from breakwater.ingest.pipeline import ingest_items

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def conversation(live_url: str) -> Conversation:
    aino = do_create_user("aino@example.com", PASSWORD, "aalto", "owner", name="Aino")
    do_create_user("eero@example.com", PASSWORD, "aalto", "agent", name="Eero")
    channel = do_create_channel(aino, "demo", "Instagram (demo)")
    ingest_items(aino.workspace_id, [{
        "network": "demo", "channel": channel.pk, "external_id": "q1", "kind": "dm",
        "created_at": datetime.now(UTC).isoformat(), "text": "Milloin paahtimo aukeaa?",
        "author": {"external_id": "u1", "name": "Maija"},
    }])
    return Conversation.objects.get(channel=channel)


def _open(browser, live_url: str, email: str, conv: Conversation):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_url}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("#rows .row")
    page.goto(f"{live_url}/c/{conv.pk}/")
    page.wait_for_function("document.body.classList.contains('live')")
    return context, page


def test_two_agents_see_each_other_and_a_late_reply_is_warned(browser, live_url, conversation) -> None:
    aino_ctx, aino = _open(browser, live_url, "aino@example.com", conversation)
    eero_ctx, eero = _open(browser, live_url, "eero@example.com", conversation)
    try:
        aino.wait_for_selector("#presence:not([hidden]):has-text('Eero')", timeout=10_000)
        eero.wait_for_selector("#presence:not([hidden]):has-text('Aino')", timeout=10_000)
        eero.fill("#reply-text", "Paahtimo aukeaa kahdeksalta.")
        eero.type("#reply-text", " Tervetuloa!")
        aino.wait_for_selector("#presence.typing:has-text('Eero')", timeout=10_000)

        aino.fill("#reply-text", "Aukeamme klo 8.")
        aino.click("#reply-form button.primary")
        aino.wait_for_selector(".msg.out .ds-sent")
        # Eero's page hears of Aino's reply while he is still writing...
        eero.wait_for_selector("#collision-live:not([hidden])", timeout=10_000)
        # ...and sending anyway needs a second, deliberate click.
        eero.click("#reply-form button.primary")
        eero.wait_for_selector("#collision:has-text('Aino')")
        assert eero.input_value("#reply-text") == "Paahtimo aukeaa kahdeksalta. Tervetuloa!"
        assert eero.locator(".msg.out").count() == 1
        eero.click("#collision button[name=confirm]")
        eero.wait_for_selector(".msg.out:has-text('Tervetuloa')")
        assert eero.locator(".msg.out").count() == 2
    finally:
        aino_ctx.close()
        eero_ctx.close()
