"""The publishing calendar in a real browser: it renders the month with its posts, and a
post dragged to another day is rescheduled (same local time)."""

import os
from datetime import datetime

import pytest

from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.publishing.actions import PostFields, VariantFields, do_create_post
from breakwater.publishing.models import Post

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "correct-horse-battery"  # noqa: S105 (test data)


@pytest.fixture
def post(live_url: str) -> Post:
    member = do_create_user("manager@example.com", PASSWORD, "aalto", "owner", name="Mia Manager")
    channel = do_create_channel(member, "demo", "Instagram (demo)")
    return do_create_post(member, PostFields(
        text="Joulukahvit saapuivat", variants=[VariantFields(channel=channel.pk)],
        scheduled_at=datetime(2026, 12, 10, 9, 0)))  # noqa: DTZ001 (Helsinki time)


def test_the_calendar_renders_and_a_drag_reschedules(browser, live_url: str, post: Post) -> None:
    page = browser.new_page()
    page.goto(f"{live_url}/publishing/?date=2026-12-01")
    page.fill("input[name=username]", "manager@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("#calendar")
    chip = page.locator(f".cal-post[data-post='{post.pk}']")
    assert chip.locator(".time").inner_text() == "09:00"
    assert page.locator(".cal-day[data-date='2026-12-10'] .cal-post").count() == 1
    chip.drag_to(page.locator(".cal-day[data-date='2026-12-17']"))
    page.wait_for_selector(f".cal-day[data-date='2026-12-17'] .cal-post[data-post='{post.pk}']")
    page.wait_for_load_state("load")
    page.wait_for_function(
        "id => document.querySelector(`.cal-day[data-date='2026-12-17'] .cal-post[data-post='${id}']`)",
        arg=str(post.pk))
    post.refresh_from_db()
    assert post.scheduled_at.isoformat() == "2026-12-17T07:00:00+00:00"
    assert page.locator(".cal-day[data-date='2026-12-10'] .cal-post").count() == 0
