"""An admin connects a news feed in the browser and sees it sync."""

import os

import pytest

from breakwater.connectors.rss.tests.feedserver import feed_server
from breakwater.connectors.rss.tests.test_rss import ATOM
from breakwater.core.actions import do_create_user
from breakwater.ingest import sync

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "correct-horse-battery"


def test_an_admin_connects_a_feed_and_sees_its_health(browser, live_url: str) -> None:
    do_create_user("admin@example.com", PASSWORD, "aalto", "owner", name="Ada")
    with feed_server() as feeds:
        url = feeds.put("/uutiset.atom", ATOM)
        page = browser.new_page()
        page.goto(f"{live_url}/login/")
        page.fill("input[name=username]", "admin@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.click("button.primary")
        page.click("nav.topnav a[href='/channels/']")
        # Only the chosen network's settings show.
        assert not page.locator("fieldset[data-network=rss]").is_visible()
        page.select_option("#connect-network", "rss")
        assert page.locator("fieldset[data-network=rss]").is_visible()
        page.fill("#connect-form input[name=name]", "Kahviuutiset")
        page.fill("fieldset[data-network=rss] input[name=cfg_url]", feeds.base + "/wrong.atom")
        page.click("#connect-form button.primary")
        page.wait_for_selector(".flash .error:has-text('HTTP 404')")
        page.fill("fieldset[data-network=rss] input[name=cfg_url]", url)
        page.click("#connect-form button.primary")
        page.wait_for_selector(".flash:has-text('Kahviuutiset is connected and syncing.')")
        assert sync.sync_once() == 2
        page.reload()
        assert page.locator("tr:has-text('Kahviuutiset') .badge").inner_text() == "Active"
        page.goto(f"{live_url}/")
        page.wait_for_selector("#rows .row:has-text('paahtimon')")


def test_an_admin_connects_mastodon_by_signing_in_on_the_server(browser, live_url: str) -> None:
    from breakwater.connectors.mastodon.tests.fake_server import fake_mastodon

    do_create_user("admin@example.com", PASSWORD, "aalto", "owner", name="Ada")
    with fake_mastodon() as server:
        brand, _ = server.register("aalto", "Aalto Kahvi")
        server.signed_in = brand["id"]  # the admin is signed in on the Mastodon server
        page = browser.new_page()
        page.goto(f"{live_url}/login/")
        page.fill("input[name=username]", "admin@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.click("button.primary")
        page.goto(f"{live_url}/channels/")
        page.select_option("#connect-network", "mastodon")
        page.fill("#connect-form input[name=name]", "Aalto Mastodonissa")
        page.fill("fieldset[data-network=mastodon] input[name=cfg_base_url]", server.base)
        # No token typed: the browser goes to the server's consent page and comes back.
        page.click("fieldset[data-network=mastodon] button.oauth")
        page.wait_for_selector(".flash:has-text('Aalto Mastodonissa is connected and syncing.')")
        assert page.url.startswith(f"{live_url}/channels/")
        assert page.locator("tr:has-text('Aalto Mastodonissa') .badge").inner_text() == "Active"
        assert any(r["path"] == "/oauth/authorize" for r in server.requests)
