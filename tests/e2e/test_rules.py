"""Rules in a real browser: write a rule in the editor, see its dry run live, save it, and
watch it act on the next message."""

import os
from datetime import UTC, datetime, timedelta

import pytest

from breakwater.automation.models import Rule
from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.inbox.models import Conversation
from breakwater.ingest.pipeline import ingest_items

# Playwright's sync API keeps an event loop in this thread; the ORM calls here are plain sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "correct-horse-battery"


def _item(channel_id: int, external_id: str, text: str, days_ago: int = 1) -> dict:
    return {
        "network": "demo", "channel": channel_id, "external_id": external_id, "kind": "comment",
        "created_at": (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(),
        "author": {"external_id": f"u-{external_id}", "handle": "maija", "name": "Maija"},
        "text": text,
    }


@pytest.fixture
def workspace(live_url: str) -> dict:
    member = do_create_user("manager@example.com", PASSWORD, "aalto", "manager", name="Mia")
    channel = do_create_channel(
        do_create_user("owner@example.com", PASSWORD, "aalto", "owner"), "demo", "Demo"
    )
    ingest_items(member.workspace_id, [
        _item(channel.pk, "h1", "Kiitos palautteesta, se auttoi!"),
        _item(channel.pk, "h2", "Antaisin palautetta sovelluksesta", days_ago=3),
        _item(channel.pk, "h3", "Missä on lähin myymälä?", days_ago=2),
        _item(channel.pk, "h4", "Vanha palaute", days_ago=45),
    ])
    return {"member": member, "channel": channel}


def test_it_creates_a_rule_after_a_dry_run(browser, live_url: str, workspace: dict) -> None:
    page = browser.new_page()
    page.goto(f"{live_url}/")
    page.fill("input[name=username]", "manager@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("#rows")
    page.click("text=Automation")
    page.click("#new-rule")
    page.fill("#r-name", "Palaute tuotetiimille")
    page.fill("#c-text", "palaute")
    # The dry run follows the typing, without a page load.
    page.wait_for_selector("#dry-count:has-text('Would have matched 2 messages')")
    examples = page.locator(".dry-examples li").all_inner_texts()
    assert any("Kiitos palautteesta" in e for e in examples)
    assert not any("Vanha palaute" in e for e in examples)
    page.fill("#a-tags", "feedback")
    page.select_option("#a-priority", "high")
    page.click("#save-rule")
    page.wait_for_selector(".rule-row:has-text('Palaute tuotetiimille')")
    rule = Rule.objects.get()
    assert rule.conditions["text"] == "palaute"
    assert [a["type"] for a in rule.actions] == ["tag", "priority"]
    ingest_items(workspace["member"].workspace_id,
                 [_item(workspace["channel"].pk, "n1", "Lisää palautetta tulossa", days_ago=0)])
    conv = Conversation.objects.get(thread_key="n1")
    assert conv.priority == 3
    assert list(conv.tags.values_list("name", flat=True)) == ["feedback"]
    page.close()
