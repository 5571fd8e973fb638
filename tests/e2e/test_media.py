"""An agent uploads a photo, sees it fail Instagram's story rule, picks the focal point by
clicking the image and fixes it in the browser."""

import io
import os

import pytest
from PIL import Image

from breakwater.core.actions import do_create_user
from breakwater.media.models import MediaAsset
from breakwater.media.tests.images import jpeg

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "correct-horse-battery"


def test_an_agent_uploads_checks_and_fixes_a_photo(browser, live_url: str) -> None:
    do_create_user("agent@example.com", PASSWORD, "aalto", "agent", name="Aino")
    page = browser.new_page()
    page.goto(f"{live_url}/login/")
    page.fill("input[name=username]", "agent@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.click("nav.topnav a[href='/media/']")
    page.set_input_files(
        ".media-upload input[name=file]",
        {"name": "roastery.jpg", "mimeType": "image/jpeg",
         "buffer": jpeg((4000, 3000), dot=(3000, 1500), gps=True)},
    )
    page.fill(".media-upload input[name=alt]", "The roastery")
    page.click(".media-upload button.primary")
    page.wait_for_selector(".flash:has-text('Uploaded.')")
    story = page.locator("tr[data-rule='instagram/story']")
    assert "bad" in (story.get_attribute("class") or "")
    assert story.locator("li[data-code=aspect_ratio]").count() == 1
    story.locator("a").click()
    assert page.locator("#fix-rule").input_value() == "instagram/story"

    # A click three quarters across, half-way down, sets the focal point.
    img = page.locator("#media-image")
    img.wait_for()
    page.wait_for_function("document.getElementById('media-image').complete")
    box = img.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.5)
    assert abs(float(page.locator("#focal_x").input_value()) - 0.75) <= 0.01
    assert abs(float(page.locator("#focal_y").input_value()) - 0.5) <= 0.01
    page.click("#fix-form button.primary")
    page.wait_for_selector(".flash:has-text('the original is kept')")
    assert "1080×1920" in page.locator("#media-size").inner_text()
    assert "ok" in (page.locator("tr[data-rule='instagram/story']").get_attribute("class") or "")

    copy = MediaAsset.objects.get(original__isnull=False)
    with copy.file.open("rb") as fh:
        fixed = Image.open(io.BytesIO(fh.read()))
    assert fixed.size == (1080, 1920)
    assert fixed.getpixel((540, 960))[0] > 200  # the red dot at the focal point is central
    assert not copy.had_gps and MediaAsset.objects.get(pk=copy.original_id).had_gps
    page.close()
