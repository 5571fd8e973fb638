"""The listening pages render for a member and hide other workspaces; the preview view
answers matches and error positions."""

import json
from datetime import timedelta

from django.utils import timezone

from breakwater.listening import actions, store
from breakwater.listening.actions import SourceFields, TopicFields
from breakwater.listening.models import Mention, Topic
from breakwater.listening.store import Candidate
from breakwater.test import BaseTestCase


class PagesTestCase(BaseTestCase):
    def setUp(self):
        self.brand = actions.do_create_topic(self.alice, TopicFields("Aalto", "aalto*"))
        self.rival = actions.do_create_topic(self.alice, TopicFields("Kilpa", "kilpa*",
                                                                     "competitor"))
        now = timezone.now()
        store.store(self.acme.pk, [
            Candidate(network="bluesky", external_id=f"p{n}", created_at=now - timedelta(hours=n),
                      text=f"{'Aalto' if n % 3 else 'Kilpa'} kahvila viesti numero {n} #kahvi")
            for n in range(12)
        ])
        actions.do_create_source(self.alice, SourceFields("feed", "Uutiset",
                                                          "http://127.0.0.1:9/feed.xml"))
        self.client.force_login(self.alice.user)

    def test_the_pages_render(self):
        for url in ("/listening/", f"/listening/topics/{self.brand.pk}/",
                    "/listening/topics/new/", f"/listening/topics/{self.brand.pk}/edit/",
                    "/listening/sources/", "/listening/alerts/"):
            r = self.client.get(url)
            self.assertEqual(r.status_code, 200, url)
        page = self.client.get(f"/listening/topics/{self.brand.pk}/").content.decode()
        self.assertIn("<svg", page)
        self.assertIn("share-of-voice", page)
        now = timezone.now()
        r = self.client.get(f"/listening/topics/{self.brand.pk}/spike/", {
            "start": (now - timedelta(hours=3)).isoformat(), "end": now.isoformat()})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "spike-explanation")

    def test_other_workspaces_topics_are_not_found(self):
        self.client.force_login(self.charlie.user)
        self.assertEqual(self.client.get(f"/listening/topics/{self.brand.pk}/").status_code, 404)

    def test_the_preview_answers_matches_and_positions(self):
        r = self.client.post("/listening/preview/", json.dumps({"query": "kilpa*"}),
                             content_type="application/json")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["count"], 4)
        r = self.client.post("/listening/preview/", json.dumps({"query": "aalto AND ("}),
                             content_type="application/json")
        self.assertEqual(r.status_code, 422)
        self.assertIn("position", r.json())

    def test_the_form_creates_a_topic_and_sends_a_mention_to_the_inbox(self):
        r = self.client.post("/listening/topics/new/", {"name": "Kahvi", "query": "#kahvi",
                                                        "group": "brand", "active": "1"})
        topic = Topic.objects.get(name="Kahvi")
        self.assertRedirects(r, f"/listening/topics/{topic.pk}/")
        mention = Mention.objects.first()
        r = self.client.post(f"/listening/mentions/{mention.pk}/inbox/",
                             {"channel": str(self.channel.pk)})
        self.assertEqual(r.status_code, 302)
        mention.refresh_from_db()
        self.assertTrue(mention.conversation_id)

    def test_the_alerts_page_shows_an_alert_in_finnish(self):
        store.store(self.acme.pk, [Candidate(
            network="bluesky", external_id="big", created_at=timezone.now(), reach=90_000,
            text="Aalto Kahvi on koko kaupungin paras kahvila, sanoo julkkis")])
        r = self.client.get("/listening/alerts/", HTTP_ACCEPT_LANGUAGE="fi")
        self.assertContains(r, "Laajalle tavoittava maininta")
        self.assertContains(self.client.get("/"), 'id="listening-alerts"')
        self.client.post("/listening/alerts/", {"command": "read"})
        self.assertNotContains(self.client.get("/listening/"), "new alert")
        self.assertNotContains(self.client.get("/"), 'id="listening-alerts"')
