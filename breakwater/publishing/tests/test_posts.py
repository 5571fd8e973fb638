"""Posts over the API: the contract, variants, versions and comments, approvals through the
composer's one mechanism, the checker shared with replies, preview, UTM tags, the queue."""

from datetime import UTC, datetime

from breakwater.composer import actions as composer
from breakwater.composer.guidelines import GuidelineSet
from breakwater.composer.models import Approval
from breakwater.core.actions import do_create_channel
from breakwater.outbox.models import Delivery
from breakwater.publishing import actions, campaigns, utm
from breakwater.publishing.models import Post, PostStatus
from breakwater.test import BaseTestCase


class PostApiTestCase(BaseTestCase):
    def create(self, token: str | None = None, **body: object) -> dict:
        payload = {"text": "Uusi kahvi on täällä!",
                   "variants": [{"channel": self.channel.pk, "text": "", "media": []}],
                   "scheduled_at": "2026-12-10T09:00:00", **body}
        response = self.api("POST", "/api/v1/posts", token or self.bob_token, json=payload)
        self.assertEqual(response.status_code, 201, response.content)
        return response.json()

    def test_it_creates_a_scheduled_post_in_helsinki_time(self) -> None:
        post = self.create()
        self.assertEqual(post["status"], "scheduled")
        self.assertEqual(post["scheduled_at"], "2026-12-10T07:00:00+00:00")
        self.assertEqual(post["local_time"], "2026-12-10T09:00:00+02:00")
        [variant] = post["variants"]
        self.assertEqual((variant["channel"], variant["status"]), (self.channel.pk, "pending"))
        calendar = self.api("GET", "/api/v1/calendar?start=2026-12-01&end=2026-12-31",
                            self.vera_token).json()
        self.assertEqual([p["id"] for p in calendar["posts"]], [post["id"]])
        self.assertEqual(calendar["posts"][0]["cadence"], [])

    def test_an_offset_in_scheduled_at_is_honoured(self) -> None:
        post = self.create(scheduled_at="2026-12-10T09:00:00Z")
        self.assertEqual(post["scheduled_at"], "2026-12-10T09:00:00+00:00")

    def test_without_a_time_it_is_a_draft(self) -> None:
        post = self.create(scheduled_at=None)
        self.assertEqual(post["status"], "draft")

    def test_edits_keep_versions_and_comments_stay_internal(self) -> None:
        post = self.create()
        r = self.api("PATCH", f"/api/v1/posts/{post['id']}", self.bob_token,
                     json={"text": "Uusi kahvi on nyt täällä!"})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["version"], 2)
        c = self.api("POST", f"/api/v1/posts/{post['id']}/comments", self.alice_token,
                     json={"text": "Lisää kuva?"})
        self.assertEqual(c.status_code, 201)
        detail = self.api("GET", f"/api/v1/posts/{post['id']}", self.vera_token).json()
        self.assertEqual([(v["number"], v["text"]) for v in detail["versions"]],
                         [(1, "Uusi kahvi on täällä!")])
        self.assertEqual([c["text"] for c in detail["comments"]], ["Lisää kuva?"])
        self.assertEqual(detail["text"], "Uusi kahvi on nyt täällä!")

    def test_viewers_cannot_post_and_other_workspaces_see_nothing(self) -> None:
        r = self.api("POST", "/api/v1/posts", self.vera_token, json={
            "text": "x", "variants": [{"channel": self.channel.pk}]})
        self.assertEqual(r.status_code, 403)
        r = self.api("POST", "/api/v1/posts", self.charlie_token, json={
            "text": "x", "variants": [{"channel": self.channel.pk}]})
        self.assertEqual(r.status_code, 422, "a foreign channel is not found")
        post = self.create()
        for method in ("GET", "DELETE"):
            r = self.api(method, f"/api/v1/posts/{post['id']}", self.charlie_token)
            self.assertEqual(r.status_code, 404)
        r = self.api("DELETE", f"/api/v1/posts/{post['id']}", self.bob_token)
        self.assertEqual(r.status_code, 204)

    def test_a_blocked_term_is_refused_by_the_one_checker(self) -> None:
        composer.do_set_guidelines(self.alice, GuidelineSet.model_validate(
            {"confidential": [{"term": "fuusio", "action": "block"}]}))
        r = self.api("POST", "/api/v1/posts", self.bob_token, json={
            "text": "Fuusiosta kerromme pian", "variants": [{"channel": self.channel.pk}],
            "scheduled_at": "2026-12-10T09:00:00"})
        self.assertEqual(r.status_code, 422, r.content)
        self.assertIn("fuusio", r.json()["error"].lower())

    def test_a_held_post_waits_for_a_manager_and_is_scheduled_on_approval(self) -> None:
        composer.do_set_policy(self.alice, ["agent"], [])
        post = self.create()
        self.assertEqual(post["status"], "needs_approval")
        approval = Approval.objects.get(ref=f"post:{post['id']}")
        self.assertEqual(approval.status, "pending")
        self.assertEqual(approval.context["post"], post["id"])
        r = self.api("POST", f"/api/v1/posts/{post['id']}/approve", self.bob_token, json={})
        self.assertEqual(r.status_code, 403, "agents do not approve")
        with self.captureOnCommitCallbacks(execute=True):
            r = self.api("POST", f"/api/v1/posts/{post['id']}/approve", self.alice_token,
                         json={"text": "Uusi kahvi on saapunut!"})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual((r.json()["status"], r.json()["text"]),
                         ("scheduled", "Uusi kahvi on saapunut!"))
        actions.publish_due(datetime(2026, 12, 10, 7, 0, tzinfo=UTC))
        self.assertEqual(Delivery.objects.get().payload["text"], "Uusi kahvi on saapunut!")

    def test_a_rejected_post_goes_back_to_draft_with_the_comment(self) -> None:
        composer.do_set_policy(self.alice, ["agent"], [])
        post = self.create()
        r = self.api("POST", f"/api/v1/posts/{post['id']}/reject", self.alice_token,
                     json={"comment": "Ei vielä"})
        self.assertEqual((r.json()["status"], r.json()["approval_comment"]), ("draft", "Ei vielä"))
        r = self.api("POST", f"/api/v1/posts/{post['id']}/submit", self.bob_token)
        self.assertEqual(r.json()["status"], "needs_approval", "a new request for the new try")
        self.assertEqual(Approval.objects.filter(status="pending").count(), 1)
        self.api("POST", f"/api/v1/posts/{post['id']}/reject", self.alice_token,
                 json={"comment": "Ei vieläkään"})
        r = self.api("POST", f"/api/v1/posts/{post['id']}/submit", self.bob_token)
        self.assertEqual(r.json()["status"], "needs_approval", "and again")
        self.assertEqual(Approval.objects.filter(ref__startswith=f"post:{post['id']}").count(), 3)

    def test_an_edit_after_approval_needs_a_new_one_and_an_approval_keeps_later_edits(self) -> None:
        composer.do_set_policy(self.alice, ["agent"], [])
        post = self.create()
        self.api("PATCH", f"/api/v1/posts/{post['id']}", self.bob_token, json={"text": "Korjattu"})
        with self.captureOnCommitCallbacks(execute=True):
            r = self.api("POST", f"/api/v1/posts/{post['id']}/approve", self.alice_token, json={})
        self.assertEqual((r.json()["status"], r.json()["text"]), ("scheduled", "Korjattu"))
        r = self.api("PATCH", f"/api/v1/posts/{post['id']}", self.bob_token,
                     json={"text": "Korjattu taas"})
        self.assertEqual(r.json()["status"], "needs_approval")

    def test_preview_counts_as_the_network_counts_and_tags_links(self) -> None:
        campaign = self.api("POST", "/api/v1/campaigns", self.alice_token,
                            json={"name": "Joulu", "utm_campaign": "joulu26"}).json()
        media = [m.pk for m in self.images(5)]
        r = self.api("POST", "/api/v1/posts/preview", self.bob_token, json={
            "text": "x" * 1990, "link": "https://acme.example/kahvi", "campaign": campaign["id"],
            "variants": [{"channel": self.channel.pk, "media": media}]})
        self.assertEqual(r.status_code, 200, r.content)
        [p] = r.json()
        self.assertIn("utm_campaign=joulu26", p["link"])
        self.assertIn("utm_source=demo", p["link"])
        self.assertEqual(p["limit"], 2000)
        self.assertFalse(p["ok"])
        self.assertEqual({x["code"] for x in p["problems"]} >= {"too_long", "too_many_images"}, True)

    def images(self, n: int) -> list:
        import io

        from PIL import Image

        from breakwater.media.actions import do_upload_media

        found = []
        for i in range(n):
            buf = io.BytesIO()
            Image.new("RGB", (1200, 800), (i * 40, 90, 120)).save(buf, "JPEG")
            found.append(do_upload_media(self.bob, buf.getvalue(), name=f"kuva{i}.jpg",
                                         alt=f"Kuva {i}"))
        return found

    def test_media_is_checked_by_the_media_rules_and_published_with_the_post(self) -> None:
        five = [m.pk for m in self.images(5)]
        r = self.api("POST", "/api/v1/posts", self.bob_token, json={
            "text": "Kuvia", "variants": [{"channel": self.channel.pk, "media": five}],
            "scheduled_at": "2026-12-10T09:00:00"})
        self.assertEqual(r.status_code, 422, r.content)
        self.assertIn("too_many_images", [p["code"] for p in r.json()["detail"]])
        post = self.create(variants=[{"channel": self.channel.pk, "media": five[:2],
                                      "first_comment": "Lisää kuvia sivuillamme"}])
        self.assertEqual(post["variants"][0]["media"], five[:2])
        r = self.api("POST", "/api/v1/posts", self.charlie_token, json={
            "text": "x", "variants": [{"channel": self.other_channel.pk, "media": five[:1]}]})
        self.assertEqual(r.status_code, 404, "another workspace's media is not found")
        with self.captureOnCommitCallbacks(execute=False):
            actions.publish_due(datetime(2026, 12, 10, 7, 0, tzinfo=UTC))
        delivery = Delivery.objects.get()
        self.assertEqual([m["alt"] for m in delivery.payload["media"]], ["Kuva 0", "Kuva 1"])
        self.assertTrue(all(m["path"].endswith(".jpg") for m in delivery.payload["media"]))
        from breakwater.outbox import actions as outbox

        with self.captureOnCommitCallbacks(execute=False):
            outbox.do_deliver(delivery.pk)
        variant = Post.objects.get(pk=post["id"]).variants.get()
        comment = Delivery.objects.get(idempotency_key=f"{variant.idempotency_key}:first-comment")
        self.assertEqual((comment.action, comment.payload["in_reply_to"], comment.payload["text"]),
                         ("reply", variant.external_id, "Lisää kuvia sivuillamme"))
        with self.captureOnCommitCallbacks(execute=False):
            outbox.do_deliver(comment.pk)
        comment.refresh_from_db()
        self.assertEqual(comment.status, "sent")

    def test_the_published_link_carries_the_campaign_tags(self) -> None:
        campaign = self.api("POST", "/api/v1/campaigns", self.alice_token,
                            json={"name": "Joulu", "utm_source": "", "utm_campaign": "joulu26"}).json()
        self.create(link="https://acme.example/kahvi?x=1", campaign=campaign["id"])
        actions.publish_due(datetime(2026, 12, 10, 7, 0, tzinfo=UTC))
        link = Delivery.objects.get().payload["link"]
        self.assertEqual(link, "https://acme.example/kahvi?x=1&utm_source=demo&utm_medium=social"
                               "&utm_campaign=joulu26")

    def test_add_to_queue_takes_the_next_free_slot(self) -> None:
        r = self.api("PUT", f"/api/v1/queue-slots/{self.channel.pk}", self.alice_token, json={
            "slots": [{"weekday": 1, "time": "09:00"}, {"weekday": 3, "time": "15:30"}]})
        self.assertEqual(r.status_code, 200, r.content)
        first = self.create(scheduled_at=None)
        second = self.create(scheduled_at=None)
        from breakwater.publishing import queries

        now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # a Tuesday, after 09:00 Helsinki
        at = queries.next_free_slot(self.acme.pk, self.channel.pk, "Europe/Helsinki", now)
        self.assertEqual(at.isoformat(), "2026-12-03T15:30:00+02:00")
        actions.do_reschedule(self.bob, first["id"], at)
        again = queries.next_free_slot(self.acme.pk, self.channel.pk, "Europe/Helsinki", now)
        self.assertEqual(again.isoformat(), "2026-12-08T09:00:00+02:00")
        self.assertEqual(Post.objects.get(pk=first["id"]).status, PostStatus.SCHEDULED)
        self.assertEqual(Post.objects.get(pk=second["id"]).status, PostStatus.DRAFT)

    def test_ad_comments_show_under_their_campaign(self) -> None:
        c = campaigns.do_save_campaign(self.alice, {"name": "Ads", "external_id": "cmp-77"})
        self.ingest(self.acme, [self.item(kind="ad_comment", text="Mistä tätä saa?",
                                          raw={"campaign_id": "cmp-77"}),
                                self.item(kind="ad_comment", text="Muu mainos",
                                          raw={"campaign_id": "cmp-1"})])
        data = self.api("GET", f"/api/v1/campaigns/{c.pk}", self.vera_token).json()
        self.assertEqual([m["text"] for m in data["ad_comments"]], ["Mistä tätä saa?"])


class UtmTestCase(BaseTestCase):
    def test_it_keeps_tags_the_link_already_has(self) -> None:
        self.assertEqual(utm.tag_link("https://a.example/?utm_source=news", campaign="c",
                                      network="x"),
                         "https://a.example/?utm_source=news&utm_medium=social&utm_campaign=c")

    def test_a_second_channel_gets_its_own_source(self) -> None:
        ig = do_create_channel(self.alice, "demo", "IG", {"handle": "a"})
        self.assertNotEqual(ig.pk, self.channel.pk)
        self.assertIn("utm_source=mastodon",
                      utm.tag_link("https://a.example/", campaign="c", network="mastodon"))


class OpenApiTestCase(BaseTestCase):
    def test_it_publishes_its_paths_in_the_openapi_schema(self) -> None:
        paths = self.client.get("/api/v1/openapi.json").json()["paths"]
        for path in ["/api/v1/posts", "/api/v1/posts/{post_id}", "/api/v1/calendar",
                     "/api/v1/posts/{post_id}/approve", "/api/v1/campaigns",
                     "/api/v1/budgets/{budget_id}/pacing", "/api/v1/cadence-targets/{channel_id}",
                     "/api/v1/queue-slots/{channel_id}", "/api/v1/posts/preview"]:
            self.assertIn(path, paths)
        self.assertEqual(set(paths["/api/v1/posts/{post_id}"]), {"get", "patch", "delete"})
