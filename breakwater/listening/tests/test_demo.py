"""The demo seed: three topics, weeks of mentions, and yesterday's spike found by detection."""

from breakwater.listening import demo, queries
from breakwater.listening.models import Topic
from breakwater.test import BaseTestCase


class DemoTestCase(BaseTestCase):
    def test_the_demo_has_share_of_voice_and_one_spike(self):
        demo.seed(self.alice)
        share = queries.share_of_voice(self.alice)
        self.assertEqual(len(share), 3)
        self.assertTrue(all(row["mentions"] for row in share))
        brand = Topic.objects.get(name="Aalto Kahvi")
        found = queries.spikes(self.alice, brand.pk, days=28)
        self.assertTrue(found)
        self.assertTrue(all(s["mentions"] >= 10 for s in found))
        self.assertEqual(queries.spikes(self.alice, Topic.objects.get(name="Kahvila Kilpa").pk,
                                        days=28), [])
        explained = queries.explain_spike(self.alice, brand.pk, found[0]["start"], found[0]["end"])
        self.assertIn("hinnankorotus", " ".join(t["term"] for t in explained["terms"][:3]))
