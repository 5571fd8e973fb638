"""The media API: upload, check, fix, serve; workspace isolation; clear 4xx answers."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from breakwater.core.models import AuditLog
from breakwater.media.models import MediaAsset
from breakwater.media.tests.images import jpeg, mp4, png_with_alpha
from breakwater.test import BaseTestCase


class MediaApiTestCase(BaseTestCase):
    def upload(self, data: bytes, name: str = "photo.jpg", token: str | None = None,
               **fields: str):
        token = token or self.alice_token
        return self.client.post(
            "/api/v1/media", {"file": SimpleUploadedFile(name, data), **fields},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    def test_it_uploads_checks_and_fixes_for_an_instagram_story(self) -> None:
        original = jpeg((4000, 3000), dot=(3000, 1500), gps=True)
        r = self.upload(original, alt="Our new roastery")
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual(
            {k: body[k] for k in ("width", "height", "format", "bytes")},
            {"width": 4000, "height": 3000, "format": "jpeg", "bytes": len(original)},
        )
        self.assertTrue(body["had_gps"])
        media_id = body["id"]

        r = self.api("GET", f"/api/v1/media/{media_id}/check?network=instagram&placement=story",
                     self.alice_token)
        self.assertEqual(r.status_code, 200, r.content)
        check = r.json()
        self.assertFalse(check["ok"])
        self.assertIn("aspect_ratio", [p["code"] for p in check["problems"]])
        self.assertEqual(check["rule"]["recommended"], [1080, 1920])
        self.assertTrue(check["rule"]["source"].startswith("https://"))

        r = self.api("POST", f"/api/v1/media/{media_id}/fix", self.alice_token,
                     json={"network": "instagram", "placement": "story",
                           "focal_point": [0.75, 0.5]})
        self.assertEqual(r.status_code, 201, r.content)
        fixed = r.json()
        self.assertNotEqual(fixed["id"], media_id)
        self.assertEqual((fixed["width"], fixed["height"], fixed["format"]), (1080, 1920, "jpeg"))
        self.assertEqual((fixed["original"], fixed["fixed_for"]), (media_id, "instagram/story"))
        self.assertEqual(fixed["alt"], "Our new roastery")
        self.assertFalse(fixed["had_gps"])
        self.assertEqual(fixed["focal_point"], [0.5, 0.5])  # where the point landed

        r = self.api("GET", f"/api/v1/media/{fixed['id']}/file", self.alice_token)
        self.assertEqual(r.status_code, 200)
        data = b"".join(r.streaming_content)
        img = Image.open(io.BytesIO(data))
        self.assertEqual(img.size, (1080, 1920))
        self.assertGreater(img.getpixel((540, 960))[0], 200)  # the red dot stayed in the middle
        self.assertEqual(dict(img.getexif()), {})
        ok = self.api("GET", f"/api/v1/media/{fixed['id']}/check?network=instagram&placement=story",
                      self.alice_token).json()
        self.assertEqual((ok["ok"], ok["problems"]), (True, []))

        # The original is kept, byte for byte.
        r = self.api("GET", f"/api/v1/media/{media_id}/file", self.alice_token)
        self.assertEqual(b"".join(r.streaming_content), original)
        self.assertEqual(MediaAsset.objects.get(pk=media_id).width, 4000)
        self.assertTrue(AuditLog.objects.filter(action="media.created", target_id=fixed["id"]))

    def test_it_converts_a_transparent_png_where_the_network_refuses_it(self) -> None:
        media_id = self.upload(png_with_alpha(), "logo.png").json()["id"]
        info = self.api("GET", f"/api/v1/media/{media_id}", self.alice_token).json()
        self.assertEqual((info["format"], info["has_alpha"]), ("png", True))
        check = self.api("GET", f"/api/v1/media/{media_id}/check?network=tiktok&placement=feed",
                         self.alice_token).json()
        self.assertEqual([p["code"] for p in check["problems"]], ["format", "transparency"])
        fixed = self.api("POST", f"/api/v1/media/{media_id}/fix", self.alice_token,
                         json={"network": "tiktok", "placement": "feed"}).json()
        self.assertEqual((fixed["format"], fixed["has_alpha"]), ("jpeg", False))
        mastodon = self.api("GET", f"/api/v1/media/{media_id}/check?network=mastodon",
                            self.alice_token).json()
        self.assertTrue(mastodon["ok"])

    def test_it_lists_newest_first_and_copies_apart(self) -> None:
        first = self.upload(jpeg((1200, 1200))).json()["id"]
        self.api("POST", f"/api/v1/media/{first}/fix", self.alice_token,
                 json={"network": "x", "placement": "link"})
        listed = self.api("GET", "/api/v1/media", self.alice_token).json()
        self.assertEqual(len(listed), 2)
        self.assertEqual(listed[1]["id"], first)
        self.assertEqual(listed[0]["original"], first)
        originals = self.api("GET", "/api/v1/media?originals=true", self.alice_token).json()
        self.assertEqual([m["id"] for m in originals], [first])

    def test_it_keeps_workspaces_apart(self) -> None:
        media_id = self.upload(jpeg((800, 800))).json()["id"]
        for method, path, json in [
            ("GET", f"/api/v1/media/{media_id}", None),
            ("GET", f"/api/v1/media/{media_id}/file", None),
            ("GET", f"/api/v1/media/{media_id}/check?network=x&placement=feed", None),
            ("POST", f"/api/v1/media/{media_id}/fix", {"network": "x", "placement": "feed"}),
            ("PATCH", f"/api/v1/media/{media_id}", {"alt": "mine now"}),
        ]:
            r = self.api(method, path, self.charlie_token, json=json)
            self.assertEqual(r.status_code, 404, (path, r.content))
        self.assertEqual(self.api("GET", "/api/v1/media", self.charlie_token).json(), [])
        self.assertEqual(MediaAsset.objects.count(), 1)

    def test_viewers_may_look_but_not_upload_or_fix(self) -> None:
        media_id = self.upload(jpeg((800, 800))).json()["id"]
        self.assertEqual(self.upload(jpeg((800, 800)), token=self.vera_token).status_code, 403)
        r = self.api("POST", f"/api/v1/media/{media_id}/fix", self.vera_token,
                     json={"network": "x", "placement": "feed"})
        self.assertEqual(r.status_code, 403)
        self.assertEqual(self.api("GET", f"/api/v1/media/{media_id}", self.vera_token).status_code,
                         200)

    def test_it_answers_clear_4xx(self) -> None:
        r = self.upload(b"just some text", "notes.txt")
        self.assertEqual(r.status_code, 415)
        self.assertIn("JPEG", r.json()["error"])
        with override_settings(BREAKWATER_MEDIA_MAX_UPLOAD_BYTES=1000):
            r = self.upload(jpeg((800, 800)))
        self.assertEqual(r.status_code, 413)
        self.assertIn("at most 1,000 bytes", r.json()["error"])
        media_id = self.upload(jpeg((800, 800))).json()["id"]
        r = self.api("GET", f"/api/v1/media/{media_id}/check?network=myspace", self.alice_token)
        self.assertEqual(r.status_code, 422)
        self.assertIn("instagram", r.json()["error"])
        self.assertIn("story", r.json()["detail"]["known"]["instagram"])
        r = self.api("POST", f"/api/v1/media/{media_id}/fix", self.alice_token,
                     json={"network": "instagram", "placement": "link"})
        self.assertEqual(r.status_code, 422)
        self.assertIn("feed, story, reel", r.json()["error"])
        r = self.api("POST", f"/api/v1/media/{media_id}/fix", self.alice_token,
                     json={"network": "x", "placement": "feed", "focal_point": [1.5, 0.2]})
        self.assertEqual(r.status_code, 422)
        self.assertIn("between 0 and 1", r.json()["error"])
        r = self.client.post("/api/v1/media", {}, HTTP_AUTHORIZATION=f"Bearer {self.alice_token}")
        self.assertEqual(r.status_code, 422)

    def test_it_stores_video_metadata(self) -> None:
        r = self.upload(mp4(75.0, (1080, 1920)), "clip.mp4")
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual((body["kind"], body["format"], body["duration"], body["codec"]),
                         ("video", "mp4", 75.0, "avc1"))
        path = f"/api/v1/media/{body['id']}/check?network=instagram&placement=story"
        check = self.api("GET", path, self.alice_token).json()
        self.assertEqual([p["code"] for p in check["problems"]], ["too_long"])

    def test_it_sets_alt_text_and_focal_point(self) -> None:
        media_id = self.upload(jpeg((800, 800))).json()["id"]
        r = self.api("PATCH", f"/api/v1/media/{media_id}", self.bob_token,
                     json={"alt": "A cup of coffee", "focal_point": [0.2, 0.3]})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual((r.json()["alt"], r.json()["focal_point"]),
                         ("A cup of coffee", [0.2, 0.3]))
