"""Language detection on short social texts: handles, links and emoji must not fool it."""

from unittest import TestCase

from breakwater.analysis import analyze
from breakwater.analysis.language import UNDETERMINED, detect_languages


class LanguageTestCase(TestCase):
    def test_it_detects_finnish_swedish_english_and_estonian(self) -> None:
        texts = [
            "Miksi tilaukseni ei ole vieläkään tullut perille?",
            "Varför har min beställning inte kommit fram än?",
            "Why hasn't my order arrived yet?",
            "Miks mu tellimus pole ikka veel kohale jõudnud?",
        ]
        self.assertEqual([lang for lang, _ in detect_languages(texts)], ["fi", "sv", "en", "et"])

    def test_it_detects_german_russian_and_more(self) -> None:
        texts = [
            "Warum ist meine Bestellung immer noch nicht angekommen?",
            "Почему мой заказ до сих пор не пришёл?",
            "¿Por qué mi pedido todavía no ha llegado?",
            "Pourquoi ma commande n'est-elle toujours pas arrivée ?",
            "Dlaczego moje zamówienie wciąż nie dotarło?",
        ]
        self.assertEqual(
            [lang for lang, _ in detect_languages(texts)], ["de", "ru", "es", "fr", "pl"]
        )

    def test_it_is_not_fooled_by_mentions_hashtags_urls_and_emoji(self) -> None:
        text = (
            "@BrandOfficial @another_account kiitos tosi paljon avusta 🙏🙏 #asiakaspalvelu "
            "https://example.com/a/b"
        )
        [(lang, confidence)] = detect_languages([text])
        self.assertEqual(lang, "fi")
        self.assertGreater(confidence, 0.5)

    def test_it_answers_und_for_emoji_only_and_bare_links(self) -> None:
        results = detect_languages(["😍😍🔥", "👍", "https://example.com/x", "@elisa", "", "?!"])
        self.assertEqual({lang for lang, _ in results}, {UNDETERMINED})
        self.assertEqual({conf for _, conf in results}, {0.0})

    def test_it_restricts_to_a_workspaces_languages(self) -> None:
        # With all languages this short Finnish question reads as Estonian; among fi/sv/en, Finnish.
        text = "Miks ette vastaa?"
        self.assertEqual(detect_languages([text])[0][0], "et")
        self.assertEqual(detect_languages([text], languages=["fi", "sv", "en"])[0][0], "fi")

    def test_it_reports_language_and_confidence_through_analyze(self) -> None:
        [result] = analyze(["Tack för snabb hjälp, allt fungerar nu!"])
        self.assertEqual(result.language, "sv")
        self.assertTrue(0.0 < result.language_confidence <= 1.0)
