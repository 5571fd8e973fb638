from breakwater.media import demo, queries
from breakwater.test import BaseTestCase


class DemoSeedTestCase(BaseTestCase):
    def test_it_gives_the_demo_pictures_that_show_the_checks(self) -> None:
        demo.seed(self.alice)
        demo.seed(self.alice)  # once only
        assets = {a.name: a for a in queries.media_list(self.alice)}
        self.assertEqual(sorted(assets), ["cappuccino.jpg", "logo.png", "paahtimo.jpg"])
        wide = assets["paahtimo.jpg"]
        self.assertTrue(wide.had_gps)
        self.assertIn("aspect_ratio",
                      queries.check_media(self.alice, wide.pk, "instagram", "story").codes)
        logo = queries.check_media(self.alice, assets["logo.png"].pk, "instagram", "feed")
        self.assertIn("transparency", logo.codes)
        self.assertTrue(queries.check_media(self.alice, assets["cappuccino.jpg"].pk,
                                            "instagram", "feed").ok)
