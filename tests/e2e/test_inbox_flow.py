"""The main flow in a real browser: login -> inbox -> open -> reply -> done; live arrival."""

import os
from datetime import UTC, datetime

import httpx
import pytest

from breakwater.core.actions import do_create_channel, do_create_token, do_create_user
from breakwater.ingest.pipeline import ingest_items

# Playwright's sync API keeps an event loop in this thread; the ORM calls here are plain sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "correct-horse-battery"


def _item(channel_id: int, external_id: str, text: str, **extra: object) -> dict:
    return {
        "network": "demo", "channel": channel_id, "external_id": external_id, "kind": "comment",
        "thread_key": f"post:{external_id}", "created_at": datetime.now(UTC).isoformat(),
        "author": {"external_id": f"u-{external_id}", "handle": "maija", "name": "Maija Mehiläinen"},
        "text": text, **extra,
    }


@pytest.fixture
def workspace(live_url: str) -> dict:
    member = do_create_user("agent@example.com", PASSWORD, "aalto", "owner", name="Aino Agent")
    channel = do_create_channel(member, "demo", "Facebook (demo)")
    ingest_items(member.workspace_id, [
        _item(channel.pk, "c1", "Onko teillä gluteenittomia korvapuusteja?"),
        _item(channel.pk, "c2", "Kahvi oli kylmää Tampereella."),
    ])
    return {"member": member, "channel": channel, "token": do_create_token(member)}


def _login(page, live_url: str) -> None:
    page.goto(f"{live_url}/")
    page.fill("input[name=username]", "agent@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("#rows .row")


def test_it_triages_a_conversation_end_to_end(browser, live_url: str, workspace: dict) -> None:
    page = browser.new_page()
    _login(page, live_url)
    assert page.locator("#rows .row").count() == 2
    page.locator("#rows .row", has_text="gluteenittomia").locator("a.who").click()
    page.wait_for_selector(".conversation")
    page.fill("#reply-text", "Kyllä on, joka päivä! 🥐")
    page.click("#reply-form button.primary")
    page.wait_for_selector(".msg.out .ds-sent")
    assert "Kyllä on, joka päivä!" in page.locator(".msg.out .text").inner_text()
    page.click("#controls button[data-status=done]")
    page.wait_for_selector("#status-badge.st-done")
    # Back in the inbox, the done conversation has left the open list.
    page.goto(f"{live_url}/")
    page.wait_for_selector("#rows .row")
    assert page.locator("#rows .row").count() == 1


def test_it_shows_a_new_message_without_reload(browser, live_url: str, workspace: dict) -> None:
    page = browser.new_page()
    _login(page, live_url)
    page.wait_for_function("document.body.classList.contains('live')")
    page.evaluate("window.__stillTheSamePage = true")
    response = httpx.post(
        f"{live_url}/api/v1/ingest",
        headers={"Authorization": f"Bearer {workspace['token']}"},
        json=[_item(workspace["channel"].pk, "c3", "Tuleeko joulukahvi myös Ouluun?")],
    )
    assert response.json()["created"] == 1
    page.wait_for_selector("#rows .row:has-text('joulukahvi')", timeout=10_000)
    assert page.evaluate("window.__stillTheSamePage === true")


def test_it_works_by_keyboard(browser, live_url: str, workspace: dict) -> None:
    page = browser.new_page()
    _login(page, live_url)
    page.keyboard.press("j")
    selected = page.locator("#rows .row.selected")
    assert selected.count() == 1
    page.keyboard.press("a")  # assign to me
    page.wait_for_selector("#rows .row.selected .assignee:has-text('Aino Agent')")
    page.keyboard.press("e")  # done: leaves the open list
    page.wait_for_function("document.querySelectorAll('#rows .row').length === 1")


def test_it_speaks_finnish_to_finnish_browsers(browser, live_url: str, workspace: dict) -> None:
    context = browser.new_context(locale="fi-FI", extra_http_headers={"Accept-Language": "fi"})
    page = context.new_page()
    page.goto(f"{live_url}/login/")
    assert page.locator("h1").inner_text() == "Kirjaudu Breakwateriin"
    _login(page, live_url)
    assert "Avoin" in page.locator(".status-tabs").inner_text()
    context.close()
