"""The composer in a real browser: saved replies by "/", live guideline checks, approvals."""

import os
from datetime import UTC, datetime

import pytest

from breakwater.composer import actions as composer
from breakwater.composer.actions import SavedReplyFields
from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.inbox.models import Message
from breakwater.ingest.pipeline import ingest_items

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "correct-horse-battery"  # noqa: S105 (test data)


@pytest.fixture
def workspace(live_url: str) -> dict:
    manager = do_create_user("manager@example.com", PASSWORD, "aalto", "manager",
                             name="Mia Manager")
    agent = do_create_user("agent@example.com", PASSWORD, "aalto", "agent", name="Aino Agent")
    channel = do_create_channel(
        do_create_user("owner@example.com", PASSWORD, "aalto", "owner"), "demo", "Facebook (demo)")
    ingest_items(agent.workspace_id, [{
        "network": "demo", "channel": channel.pk, "external_id": "c1", "kind": "comment",
        "thread_key": "post:1", "created_at": datetime.now(UTC).isoformat(),
        "author": {"external_id": "u1", "handle": "maija", "name": "Maija Mehiläinen"},
        "text": "Milloin olette auki?",
    }])
    composer.do_set_guidelines(manager, composer.parse_guidelines({
        "avoid": {"halpa": "edullinen"},
        "confidential": [{"term": "yt-neuvottelut", "action": "block"}],
        "notes": "Me-muoto, ystävällisesti.",
    }))
    return {"manager": manager, "agent": agent, "channel": channel}


def _open_conversation(page, live_url: str, email: str) -> None:
    page.goto(f"{live_url}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("#rows .row")
    page.locator("#rows .row a.who").first.click()
    page.wait_for_selector("#reply-text")


def test_it_inserts_a_saved_reply_with_variables(browser, live_url: str, workspace: dict) -> None:
    composer.do_create_saved_reply(workspace["agent"], SavedReplyFields(
        "Aukioloajat",
        "Hei {{contact.first_name}}! Olemme auki 8-16. {{link https://example.com/auki}} "
        "t. {{agent.first_name}}", "aukiolo"))
    composer.do_create_saved_reply(workspace["agent"],
                                   SavedReplyFields("Kiitos", "Kiitos!", "kiitos"))
    page = browser.new_page()
    _open_conversation(page, live_url, "agent@example.com")
    page.locator("#reply-text").press_sequentially("/auk")
    page.wait_for_selector("#composer-picker .option.active:has-text('Aukioloajat')")
    assert page.locator("#composer-picker .option").count() == 1
    page.keyboard.press("Enter")
    assert page.locator("#composer-picker").is_hidden()
    assert page.input_value("#reply-text") == (
        "Hei Maija! Olemme auki 8-16. https://example.com/auki?utm_source=demo&utm_medium=social"
        "&utm_campaign=aukiolo t. Aino")
    # Escape closes the picker and leaves the text as typed.
    page.locator("#reply-text").press_sequentially(" /")
    page.wait_for_selector("#composer-picker .option")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    assert page.locator("#composer-picker").is_hidden()
    assert page.input_value("#reply-text").endswith("Aino /")


def test_it_warns_while_typing(browser, live_url: str, workspace: dict) -> None:
    page = browser.new_page()
    _open_conversation(page, live_url, "agent@example.com")
    assert "Me-muoto, ystävällisesti." in page.locator("#tone-notes").inner_text()
    page.locator("#reply-text").press_sequentially("Kahvi on halpaa 👍🏽")
    # Checks may answer for a part of the text while it is typed: wait for the whole.
    page.wait_for_selector("#composer-highlights mark:text-is('halpaa')")
    assert "edullinen" in page.locator("#composer-checks .kind-avoid").inner_text()
    page.wait_for_function("document.querySelector('#reply-counter').textContent === '17 / 2000'")
    page.click("#composer-checks .kind-avoid button.use")
    page.wait_for_function(
        "document.querySelector('#reply-text').value === 'Kahvi on edullinen 👍🏽'")
    page.wait_for_function("!document.querySelector('#composer-checks .kind-avoid')")
    page.locator("#reply-text").press_sequentially(" yt-neuvotteluista")
    page.wait_for_selector("#composer-checks .sev-block:has-text('yt-neuvotteluista')")
    assert page.locator("#composer-verdict.verdict-block").is_visible()
    # The server refuses it too: stored as blocked, never sent.
    page.click("#reply-form button.primary")
    page.wait_for_selector(".flash .error:has-text('yt-neuvottelut')")
    assert page.locator(".msg.out .ds-blocked").count() == 1
    assert Message.objects.get(direction="out").delivery_state == "blocked"


def test_a_manager_approves_a_held_reply(browser, live_url: str, workspace: dict) -> None:
    composer.do_set_policy(workspace["manager"], ["agent"], [])
    agent = browser.new_context().new_page()
    _open_conversation(agent, live_url, "agent@example.com")
    agent.wait_for_function("document.body.classList.contains('live')")
    agent.fill("#reply-text", "Hei Maija, olemme auki 8-16.")
    agent.click("#reply-form button.primary")
    agent.wait_for_selector(".msg.out .ds-needs_approval")
    assert "need approval" in agent.locator(".msg.out .held").inner_text()

    manager_context = browser.new_context()
    manager = manager_context.new_page()
    manager.goto(f"{live_url}/login/")
    manager.fill("input[name=username]", "manager@example.com")
    manager.fill("input[name=password]", PASSWORD)
    manager.click("button.primary")
    manager.goto(f"{live_url}/approvals/")
    row = manager.locator("#approval-rows .approval", has_text="olemme auki")
    row.locator("textarea[name=text]").fill("Hei Maija! Olemme auki arkisin 8-16.")
    row.locator("button[value=approve]").click()
    manager.wait_for_selector("text=Nothing waits for approval.")

    # The agent's page hears of it without a reload.
    agent.wait_for_selector(".msg.out .ds-sent", timeout=10_000)
    assert "arkisin 8-16" in agent.locator(".msg.out .text").inner_text()
    assert Message.objects.get(direction="out").delivery_state == "sent"
    manager_context.close()
