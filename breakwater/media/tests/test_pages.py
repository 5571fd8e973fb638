"""The media library pages: upload, check results, fix with a focal point, alt text."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from breakwater.media.models import MediaAsset
from breakwater.media.tests.images import jpeg, png_with_alpha
from breakwater.test import PASSWORD, BaseTestCase


class MediaPagesTestCase(BaseTestCase):
    def login(self, email: str) -> None:
        self.client.login(username=email, password=PASSWORD)

    def test_an_agent_uploads_checks_and_fixes_without_javascript(self) -> None:
        self.login("bob@example.org")
        page = self.client.get(reverse("web:media"))
        self.assertContains(page, "Media library")
        self.assertContains(page, 'enctype="multipart/form-data"')
        response = self.client.post(
            reverse("web:media_upload"),
            {"file": SimpleUploadedFile("roastery.jpg", jpeg((4000, 3000), dot=(1000, 1500),
                                                             gps=True)),
             "alt": "The roastery"},
            follow=True,
        )
        asset = MediaAsset.objects.get()
        self.assertRedirects(response, reverse("web:media_detail", args=[asset.pk]))
        self.assertContains(response, "Uploaded.")
        self.assertContains(response, 'data-rule="instagram/story"')
        self.assertContains(response, 'data-code="aspect_ratio"')
        self.assertContains(response, "GPS location")
        self.assertContains(response, 'name="focal_x"')
        response = self.client.post(
            reverse("web:media_fix", args=[asset.pk]),
            {"rule": "instagram/story", "focal_x": "0.25", "focal_y": "0.5"}, follow=True,
        )
        copy = MediaAsset.objects.exclude(pk=asset.pk).get()
        self.assertRedirects(response, reverse("web:media_detail", args=[copy.pk]))
        self.assertContains(response, "Fixed copy made for Instagram story; the original is kept")
        self.assertContains(response, "Fix the original for another network")
        self.assertEqual((copy.width, copy.height, copy.original_id), (1080, 1920, asset.pk))
        served = self.client.get(reverse("web:media_file", args=[copy.pk]))
        data = b"".join(served.streaming_content)
        img = Image.open(io.BytesIO(data))
        self.assertGreater(img.getpixel((540, 960))[0], 200)
        thumb = self.client.get(reverse("web:media_thumb", args=[asset.pk]))
        self.assertEqual(thumb["Content-Type"], "image/webp")
        self.assertEqual(Image.open(io.BytesIO(thumb.content)).size, (480, 360))
        again = self.client.get(reverse("web:media_thumb", args=[asset.pk]))
        self.assertEqual(again.content, thumb.content)
        response = self.client.post(reverse("web:media_update", args=[asset.pk]),
                                    {"alt": "The roastery at dawn"}, follow=True)
        self.assertContains(response, "The roastery at dawn")

    def test_a_transparent_png_is_flagged_where_refused(self) -> None:
        self.login("bob@example.org")
        self.client.post(reverse("web:media_upload"),
                         {"file": SimpleUploadedFile("logo.png", png_with_alpha())})
        asset = MediaAsset.objects.get()
        page = self.client.get(reverse("web:media_detail", args=[asset.pk]))
        self.assertContains(page, 'data-code="transparency"')

    def test_errors_are_said_and_other_workspaces_are_hidden(self) -> None:
        self.login("bob@example.org")
        response = self.client.post(
            reverse("web:media_upload"), {"file": SimpleUploadedFile("a.txt", b"not an image")},
            follow=True,
        )
        self.assertContains(response, "not an image or video")
        self.assertFalse(MediaAsset.objects.exists())
        self.client.post(reverse("web:media_upload"),
                         {"file": SimpleUploadedFile("a.jpg", jpeg((800, 800)))})
        asset = MediaAsset.objects.get()
        self.client.logout()
        self.login("charlie@example.org")
        self.assertEqual(self.client.get(reverse("web:media_detail", args=[asset.pk])).status_code,
                         404)
        self.assertEqual(self.client.get(reverse("web:media_file", args=[asset.pk])).status_code,
                         404)
        self.assertEqual(self.client.get(reverse("web:media_thumb", args=[asset.pk])).status_code,
                         404)
        self.assertNotContains(self.client.get(reverse("web:media")), "a.jpg")

    def test_a_viewer_sees_checks_but_no_upload_or_fix(self) -> None:
        self.login("bob@example.org")
        self.client.post(reverse("web:media_upload"),
                         {"file": SimpleUploadedFile("a.jpg", jpeg((800, 800)))})
        asset = MediaAsset.objects.get()
        self.client.logout()
        self.login("vera@example.org")
        self.assertNotContains(self.client.get(reverse("web:media")), 'name="file"')
        page = self.client.get(reverse("web:media_detail", args=[asset.pk]))
        self.assertContains(page, "Network checks")
        self.assertNotContains(page, 'id="fix-form"')

    def test_it_speaks_finnish(self) -> None:
        self.login("bob@example.org")
        self.client.cookies["django_language"] = "fi"
        self.addCleanup(translation.activate, "en")  # the middleware leaves fi active
        response = self.client.post(
            reverse("web:media_upload"), {"file": SimpleUploadedFile("a.txt", b"not an image")},
            follow=True,
        )
        self.assertContains(response, "Mediakirjasto")
        self.assertContains(response, "Tämä ei ole kuva tai video")
        self.client.post(reverse("web:media_upload"),
                         {"file": SimpleUploadedFile("a.jpg", jpeg((800, 800)))})
        asset = MediaAsset.objects.get()
        page = self.client.get(reverse("web:media_detail", args=[asset.pk]))
        self.assertContains(page, "Verkostojen tarkistukset")
        # A number input needs a decimal point, whatever the language's decimal comma.
        self.assertContains(page, 'value="0.50"')
