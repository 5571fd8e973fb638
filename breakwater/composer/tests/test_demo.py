from breakwater.composer import actions, demo, queries
from breakwater.test import BaseTestCase


class DemoSeedTestCase(BaseTestCase):
    def test_it_gives_the_demo_guidelines_and_saved_replies(self) -> None:
        demo.seed(self.alice)
        result = actions.check_reply_text(self.acme.pk, "demo", "Hei! Tunnus 010101-123A")
        self.assertEqual(result.verdict, "block")
        self.assertEqual(result.checks[0].term, "henkilötunnus")
        self.assertEqual([r.shortcut for r in queries.saved_replies(self.alice, "auki")],
                         ["aukiolo"])
