"""The demo workspace gets a campaign with a budget, cadence targets and a week of posts."""

from datetime import timedelta

from django.utils import timezone

from breakwater.publishing import demo, queries
from breakwater.publishing.models import Budget, Post
from breakwater.test import BaseTestCase


class DemoSeedTestCase(BaseTestCase):
    def test_it_seeds_posts_a_campaign_and_its_budget(self) -> None:
        demo.seed(self.alice)
        self.assertEqual(Post.objects.filter(workspace=self.acme).count(), len(demo.POSTS))
        budget = Budget.objects.get(workspace=self.acme)
        today = timezone.localdate()
        figures = queries.budget_pacing(budget, today)
        self.assertEqual(figures["spent_to_date"], "135.50")
        cal = queries.calendar(self.acme.pk, today - timedelta(days=7), today + timedelta(days=7),
                               "Europe/Helsinki")
        self.assertIn("burst", {f["kind"] for f in cal["flags"]})
