"""SLA and feedback in a real browser: the breaching-soon filter with live countdowns, and a
message filed as feedback showing up in the feedback view."""

import os
from datetime import UTC, datetime, timedelta

import pytest

from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.inbox.models import Conversation
from breakwater.ingest.pipeline import ingest_items
from breakwater.sla.actions import TargetChange, do_create_target

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "correct-horse-battery"  # noqa: S105 (test data)


def _item(channel_id: int, external_id: str, text: str) -> dict:
    return {
        "network": "demo",
        "channel": channel_id,
        "external_id": external_id,
        "kind": "comment",
        "thread_key": f"post:{external_id}",
        "created_at": datetime.now(UTC).isoformat(),
        "author": {
            "external_id": f"u-{external_id}",
            "handle": "maija",
            "name": "Maija Mehiläinen",
        },
        "text": text,
    }


@pytest.fixture
def workspace(live_url: str) -> dict:
    member = do_create_user("manager@example.com", PASSWORD, "aalto", "owner", name="Mia Manager")
    channel = do_create_channel(member, "demo", "Facebook (demo)")
    do_create_target(member, TargetChange(minutes=20, business_hours=False))
    ingest_items(
        member.workspace_id,
        [
            _item(channel.pk, "s1", "Tilaukseni on myöhässä, auttakaa!"),
            _item(channel.pk, "s2", "Voisitteko lisätä kauramaitovaihtoehdon?"),
        ],
    )
    late = Conversation.objects.get(thread_key="post:s1")
    # Its first response was due five minutes ago.
    Conversation.objects.filter(pk=late.pk).update(
        response_due_at=datetime.now(UTC) - timedelta(minutes=5)
    )
    return {"member": member, "channel": channel}


def _login(page, live_url: str) -> None:
    page.goto(f"{live_url}/")
    page.fill("input[name=username]", "manager@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("#rows .row")


def test_breaching_soon_filter_and_countdowns(browser, live_url: str, workspace: dict) -> None:
    page = browser.new_page()
    _login(page, live_url)
    page.select_option("select[name=due]", "soon")
    page.select_option("select[name=sort]", "due")
    page.click("#filter-form button")
    page.wait_for_url("**due=soon**")
    rows = page.locator("#rows .row")
    assert rows.count() == 2
    # Soonest due first: the overdue one, red, counting up; the other counting down.
    first, second = rows.nth(0).locator(".due-countdown"), rows.nth(1).locator(".due-countdown")
    assert "myöhässä" in rows.nth(0).inner_text()
    page.wait_for_function(
        "document.querySelector('#rows .row .due-countdown').textContent.startsWith('Overdue by')"
    )
    assert "overdue" in (first.get_attribute("class") or "")
    assert second.inner_text().startswith("Reply due in")
    before = second.inner_text()
    page.wait_for_function(
        "t => document.querySelectorAll('#rows .row .due-countdown')[1].textContent !== t",
        arg=before,
    )
    rows.nth(0).locator("a.who").click()
    page.wait_for_selector(".conv-head .due-countdown.overdue")


def test_filing_a_message_as_feedback(browser, live_url: str, workspace: dict) -> None:
    page = browser.new_page()
    _login(page, live_url)
    page.locator("#rows .row", has_text="kauramaito").locator("a.who").click()
    page.wait_for_selector(".conversation")
    page.click(".feedback-tag summary")
    page.select_option(".feedback-tag select[name=category]", label="Product")
    page.fill(".feedback-tag input[name=note]", "Kysytty jo kolmesti")
    page.click(".feedback-tag .fb-form button")
    page.wait_for_selector(".fb-badge:has-text('Product')")
    page.click("nav.topnav a[href='/feedback/']")
    group = page.locator(".fb-group[data-category=Product]")
    group.wait_for()
    assert "1" in group.locator("h2 .count").inner_text()
    assert "kauramaitovaihtoehdon" in group.inner_text()
    assert "Kysytty jo kolmesti" in group.inner_text()
