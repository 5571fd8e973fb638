"""Topics through the API: the contract (preview, create, list, change, delete, mentions),
query errors with their position, roles and workspaces."""

from breakwater.listening import matching
from breakwater.listening.models import Mention, Topic
from breakwater.test import BaseTestCase


class TopicsApiTestCase(BaseTestCase):
    def test_it_previews_with_finnish_inflection(self):
        r = self.api("post", "/api/v1/topics/preview", self.vera_token, json={
            "query": "palaute", "texts": ["Kiitos palautteesta!", "Ei mitään tekemistä"]})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json(), {"matches": [True, False]})

    def test_it_points_at_the_error_position(self):
        r = self.api("post", "/api/v1/topics/preview", self.alice_token,
                     json={"query": 'kahvi AND (tee OR', "texts": ["kahvi"]})
        self.assertEqual(r.status_code, 422)
        body = r.json()
        self.assertIn("error", body)
        self.assertIsInstance(body["position"], int)
        r = self.api("post", "/api/v1/topics", self.alice_token,
                     json={"name": "Broken", "query": '"unclosed', "group": "brand"})
        self.assertEqual(r.status_code, 422)
        self.assertIn("position", r.json())

    def test_it_creates_lists_changes_and_deletes(self):
        r = self.api("post", "/api/v1/topics", self.alice_token,
                     json={"name": "Aalto", "query": "aalto* OR #aaltokahvi", "group": "brand"})
        self.assertEqual(r.status_code, 201, r.content)
        topic_id = r.json()["id"]
        self.assertEqual(r.json()["group"], "brand")
        r = self.api("get", "/api/v1/topics", self.vera_token)
        self.assertEqual([t["name"] for t in r.json()], ["Aalto"])
        before = matching.version(self.acme.pk)
        r = self.api("patch", f"/api/v1/topics/{topic_id}", self.alice_token,
                     json={"query": "aalto*", "group": "competitor"})
        self.assertEqual(r.json()["group"], "competitor")
        self.assertGreater(matching.version(self.acme.pk), before)
        self.assertEqual(self.api("get", f"/api/v1/topics/{topic_id}", self.charlie_token)
                         .status_code, 404)
        self.assertEqual(self.api("delete", f"/api/v1/topics/{topic_id}", self.bob_token)
                         .status_code, 403)
        self.assertEqual(self.api("delete", f"/api/v1/topics/{topic_id}", self.alice_token)
                         .status_code, 204)
        self.assertFalse(Topic.objects.filter(pk=topic_id).exists())

    def test_it_matches_inbox_items_and_lists_a_topics_mentions(self):
        r = self.api("post", "/api/v1/topics", self.alice_token,
                     json={"name": "Palaute", "query": "palaute", "group": "brand"})
        topic_id = r.json()["id"]
        self.ingest(self.acme, [self.item(text="Kiitos palautteesta, kahvi oli hyvää"),
                                self.item(text="Something else entirely"),
                                self.item(text="Kiitos palautteesta, kahvi oli hyvää")])
        r = self.api("get", f"/api/v1/topics/{topic_id}/mentions", self.vera_token)
        self.assertEqual(r.status_code, 200, r.content)
        [mention] = r.json()  # the repeated text is one mention
        self.assertEqual(mention["topics"], [topic_id])
        self.assertEqual(mention["language"], "fi")
        self.assertTrue(mention["conversation"])
        self.assertEqual(self.api("get", f"/api/v1/topics/{topic_id}/mentions",
                                  self.charlie_token).status_code, 404)

    def test_it_rebuilds_the_matcher_when_a_topic_changes(self):
        self.api("post", "/api/v1/topics", self.alice_token,
                 json={"name": "Kahvi", "query": "kahvi", "group": "brand"})
        self.ingest(self.acme, [self.item(text="Teetä ja pullaa tänään kaikille")])
        self.assertEqual(Mention.objects.count(), 0)
        topic = Topic.objects.get()
        self.api("patch", f"/api/v1/topics/{topic.pk}", self.alice_token, json={"query": "tee"})
        self.ingest(self.acme, [self.item(text="Teetä ja pullaa huomenna kaikille")])
        self.assertEqual(Mention.objects.count(), 1)

    def test_the_analysis_series_answer(self):
        topic_id = self.api("post", "/api/v1/topics", self.alice_token, json={
            "name": "Aalto", "query": "aalto*", "group": "brand"}).json()["id"]
        self.api("post", "/api/v1/topics", self.alice_token, json={
            "name": "Kilpa", "query": "kilpa*", "group": "competitor"})
        from django.utils import timezone

        self.ingest(self.acme, [self.item(text="Aalto kahvila tänään #aaltokahvi",
                                          created_at=timezone.now().isoformat())])
        for path in ("volume", "sentiment", "terms", "spikes"):
            r = self.api("get", f"/api/v1/topics/{topic_id}/{path}", self.vera_token)
            self.assertEqual(r.status_code, 200, (path, r.content))
        terms = self.api("get", f"/api/v1/topics/{topic_id}/terms", self.vera_token).json()
        self.assertEqual(terms["hashtags"], [["#aaltokahvi", 1]])
        volume = self.api("get", f"/api/v1/topics/{topic_id}/volume?days=7", self.vera_token).json()
        self.assertEqual(len(volume["labels"]), 7)
        self.assertEqual(volume["series"]["Aalto"][-1], 1)
        share = self.api("get", "/api/v1/share-of-voice", self.vera_token).json()
        self.assertEqual({row["name"]: row["share"] for row in share}, {"Aalto": 1.0, "Kilpa": 0.0})
        self.assertEqual(self.api("get", f"/api/v1/topics/{topic_id}/volume",
                                  self.charlie_token).status_code, 404)
