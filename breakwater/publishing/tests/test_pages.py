"""The publishing pages render for members, move posts, and keep other workspaces out."""

from datetime import datetime

from breakwater.publishing import actions, campaigns
from breakwater.publishing.actions import PostFields, VariantFields
from breakwater.publishing.models import Post
from breakwater.test import PASSWORD, BaseTestCase


class PagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.login(username="bob@example.org", password=PASSWORD)
        self.post = actions.do_create_post(self.bob, PostFields(
            text="Joulukahvit saapuivat", variants=[VariantFields(channel=self.channel.pk)],
            scheduled_at=datetime(2026, 12, 10, 9, 0)))  # noqa: DTZ001
        self.campaign = campaigns.do_save_campaign(self.alice, {"name": "Joulu"})

    def test_every_page_renders(self) -> None:
        for url in ("/publishing/?date=2026-12-01", "/publishing/?view=week&date=2026-12-10",
                    "/publishing/posts/new/", f"/publishing/posts/{self.post.pk}/",
                    "/publishing/queue/", "/publishing/campaigns/",
                    f"/publishing/campaigns/{self.campaign.pk}/", "/publishing/digest/?week=2026-12-07"):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
        page = self.client.get("/publishing/?date=2026-12-01").content.decode()
        self.assertIn(f'data-post="{self.post.pk}"', page)
        self.assertIn('data-date="2026-12-10"', page)

    def test_the_drag_endpoint_moves_a_post_keeping_its_local_time(self) -> None:
        response = self.client.post(f"/publishing/posts/{self.post.pk}/reschedule/",
                                    {"scheduled_at": "2026-12-12T09:00"},
                                    headers={"Accept": "application/json"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["scheduled_at"], "2026-12-12T07:00:00+00:00")

    def test_the_form_fallback_moves_a_post(self) -> None:
        response = self.client.post(f"/publishing/posts/{self.post.pk}/reschedule/",
                                    {"scheduled_at": "2026-12-13T10:30"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Post.objects.get(pk=self.post.pk).scheduled_at.isoformat(),
                         "2026-12-13T08:30:00+00:00")

    def test_a_new_post_from_the_form(self) -> None:
        response = self.client.post("/publishing/posts/new/", {
            "text": "Lomakkeelta", "channels": [str(self.channel.pk)],
            "scheduled_at": "2026-12-20T12:00"})
        self.assertEqual(response.status_code, 302, response.content)
        post = Post.objects.get(text="Lomakkeelta")
        self.assertEqual(post.status, "scheduled")

    def test_another_workspace_cannot_open_or_move_it(self) -> None:
        self.client.login(username="charlie@example.org", password=PASSWORD)
        self.assertEqual(self.client.get(f"/publishing/posts/{self.post.pk}/").status_code, 404)
        response = self.client.post(f"/publishing/posts/{self.post.pk}/reschedule/",
                                    {"scheduled_at": "2026-12-12T09:00"},
                                    headers={"Accept": "application/json"})
        self.assertEqual(response.status_code, 404)

    def test_the_calendar_speaks_finnish(self) -> None:
        from django.conf import settings

        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"
        page = self.client.get("/publishing/?date=2026-12-01").content.decode()
        self.assertIn("Siirrä julkaisua vetämällä", page)
        self.assertIn("Uusi julkaisu", page)

    def test_a_held_post_is_in_the_approval_queue_and_approved_there(self) -> None:
        from breakwater.composer import actions as composer
        from breakwater.composer.models import Approval

        composer.do_set_policy(self.alice, ["agent"], [])
        held = actions.do_create_post(self.bob, PostFields(
            text="Odottaa", variants=[VariantFields(channel=self.channel.pk)],
            scheduled_at=datetime(2026, 12, 11, 9, 0)))  # noqa: DTZ001
        self.client.login(username="alice@example.org", password=PASSWORD)
        page = self.client.get("/approvals/").content.decode()
        self.assertIn(f"/publishing/posts/{held.pk}/", page)
        approval = Approval.objects.get(ref=f"post:{held.pk}")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(f"/approvals/{approval.pk}/", {"decision": "approve"})
        self.assertEqual(Post.objects.get(pk=held.pk).status, "scheduled")

    def test_the_live_preview_counts_and_checks_as_the_network_does(self) -> None:
        from breakwater.composer import actions as composer
        from breakwater.composer.guidelines import GuidelineSet

        composer.do_set_guidelines(self.alice, GuidelineSet.model_validate(
            {"confidential": [{"term": "fuusio", "action": "approve"}]}))
        response = self.client.post("/publishing/preview/", {
            "text": "Fuusio tulossa " + "x" * 2000, "channels": [str(self.channel.pk)]})
        self.assertEqual(response.status_code, 200, response.content)
        [p] = response.json()["previews"]
        self.assertEqual((p["limit"], p["ok"]), (2000, False))
        self.assertEqual({c["kind"] for c in p["checks"]}, {"confidential", "length"})
