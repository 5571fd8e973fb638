"""Reports in a real browser: open the dashboard, change the date range, and drill into the
conversations behind a figure."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.ingest.pipeline import ingest_items

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "correct-horse-battery"  # noqa: S105 (test data)


def _item(channel_id: int, external_id: str, text: str, when: datetime) -> dict:
    return {
        "network": "demo", "channel": channel_id, "external_id": external_id, "kind": "comment",
        "thread_key": f"post:{external_id}", "created_at": when.isoformat(),
        "author": {"external_id": f"u-{external_id}", "handle": "maija", "name": "Maija"},
        "text": text,
    }


@pytest.fixture
def workspace(live_url: str) -> dict:
    member = do_create_user("manager@example.com", PASSWORD, "aalto", "owner", name="Mia Manager")
    channel = do_create_channel(member, "demo", "Facebook (demo)")
    now = datetime.now(UTC).replace(microsecond=0)
    ingest_items(member.workspace_id, [
        _item(channel.pk, "new1", "Tilaus on myöhässä", now - timedelta(hours=1)),
        _item(channel.pk, "new2", "Missä paketti?", now - timedelta(hours=2)),
        # Forty days ago: outside the last 30 days, inside a custom range.
        _item(channel.pk, "old1", "Vanha kysymys kauramaidosta", now - timedelta(days=40)),
    ])
    return {"member": member, "old_day": timezone.localdate(now - timedelta(days=40))}


def test_dashboard_date_range_and_drill_down(browser, live_url: str, workspace: dict) -> None:
    page = browser.new_page()
    page.goto(f"{live_url}/reports/")
    page.fill("input[name=username]", "manager@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    volume = page.locator("#figure-inbound_volume")
    volume.wait_for()
    # The last 30 days by default: the two new messages, a chart and the same numbers in a table.
    assert volume.locator(".headline .value").inner_text() == "2"
    assert volume.locator(".chart svg").count() == 1
    assert volume.locator("table.figure-data tbody tr").count() == 30
    assert page.locator("#figure-inbound_heatmap svg.heatmap").count() == 1

    # A custom range of the old message's day alone.
    day = workspace["old_day"].isoformat()
    page.fill("#start", day)
    page.fill("#end", day)
    page.click("#apply")
    page.wait_for_url(f"**start={day}**")
    assert page.locator("input[name=preset][value=custom]").is_checked()
    assert volume.locator(".headline .value").inner_text() == "1"

    # A preset again: the last 7 days.
    page.check("input[name=preset][value=last7]")
    page.click("#apply")
    page.wait_for_url("**preset=last7**")
    assert page.locator("input[name=preset][value=last7]").is_checked()
    assert volume.locator(".headline .value").inner_text() == "2"

    # Drill into the conversations behind the figure: the inbox, filtered to them.
    volume.locator(".headline a.drill").click()
    page.wait_for_url("**ids=**")
    page.wait_for_selector("#rows .row")
    rows = page.locator("#rows .row")
    assert rows.count() == 2
    text = page.locator("#rows").inner_text()
    assert "myöhässä" in text
    assert "kauramaidosta" not in text
    assert page.locator("#drill-ids").is_visible()
