"""Keywords for trends: lemmas without stopwords, hashtags first, two-word phrases."""

from unittest import TestCase

from breakwater.analysis import analyze


class KeywordsTestCase(TestCase):
    def test_it_gives_finnish_base_forms_without_stopwords(self) -> None:
        [a] = analyze(["Toimitus oli taas myöhässä ja kahvi kylmää #aamu"], languages=["fi", "en"])
        self.assertEqual(a.keywords[0], "aamu")
        self.assertIn("toimitus", a.keywords)
        self.assertIn("kahvi", a.keywords)
        self.assertIn("kylmä", a.keywords)
        for stopword in ("oli", "olla", "ja", "taas"):
            self.assertNotIn(stopword, a.keywords)
        self.assertIn("kahvi kylmä", a.keywords)

    def test_it_merges_inflected_forms(self) -> None:
        results = analyze(
            ["Toimituksesta ei kuulu mitään", "Toimitukset myöhässä"], languages=["fi", "en"]
        )
        self.assertTrue(all("toimitus" in a.keywords for a in results))

    def test_it_gives_english_lemmas(self) -> None:
        [a] = analyze(["The deliveries were late and the drivers rude"], languages=["fi", "en"])
        self.assertIn("delivery", a.keywords)
        self.assertIn("driver", a.keywords)
        self.assertNotIn("the", a.keywords)

    def test_it_gives_index_terms_for_search(self) -> None:
        [a] = analyze(["Kiitos palautteesta!"], languages=["fi", "en"])
        self.assertIn("palaute", a.lemmas)
        self.assertEqual(a.search_text, " ".join(a.lemmas))
