"""Listening in a real browser: a topic created with the live preview (an error pointed at,
then matching stored mentions), the share-of-voice chart, and a spike's explanation."""

import os

import pytest

from breakwater.core.actions import do_create_user
from breakwater.listening import demo

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "correct-horse-battery"  # noqa: S105 (test data)


@pytest.fixture
def workspace(live_url: str) -> dict:
    member = do_create_user("manager@example.com", PASSWORD, "aalto", "owner", name="Mia Manager")
    demo.seed(member, weeks=5)
    return {"member": member}


def _login(page, live_url: str) -> None:
    page.goto(f"{live_url}/listening/")
    page.fill("input[name=username]", "manager@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], form button")
    page.wait_for_url(f"{live_url}/listening/")


def test_topic_with_live_preview_share_of_voice_and_spike(live_url, browser, workspace):
    page = browser.new_page()
    try:
        _login(page, live_url)
        page.click("#new-topic")
        page.fill("#topic-name", "Hinnat")
        page.fill("#topic-query", 'hinnankorotus AND (')
        page.wait_for_selector("#preview-error:not([hidden])")
        assert "^" in page.text_content("#preview-pointer")
        page.fill("#topic-query", "hinnankorotus")
        page.wait_for_selector("#preview-mentions li")
        assert "hinnankorotus" in page.text_content("#preview-mentions").lower()
        assert page.is_hidden("#preview-error")
        page.click("#save-topic")
        page.wait_for_selector("#share-of-voice svg")

        page.goto(f"{live_url}/listening/")
        assert page.locator("#share-of-voice svg").count() == 1
        page.click("text=Aalto Kahvi")
        page.wait_for_selector("#spikes .spike-link")
        page.click("#spikes .spike-link >> nth=0")
        page.wait_for_selector("#spike-explanation")
        assert "hinnankorotus" in page.text_content("#spike-terms")
        page.screenshot(path=os.environ.get("BREAKWATER_SCREENSHOT", "/tmp/listening-spike.png"),
                        full_page=True)
    finally:
        page.close()
