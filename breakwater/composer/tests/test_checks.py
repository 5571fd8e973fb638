"""The pure checker, with real Voikko: inflected Finnish forms, compounds, exact terms."""

from django.test import SimpleTestCase
from django.utils import translation

from breakwater.analysis import lemmas
from breakwater.composer.checks import NetworkRules, check_text
from breakwater.composer.guidelines import GuidelineSet
from breakwater.connectors.base import grapheme_length

GUIDELINES = GuidelineSet.model_validate({
    "avoid": {"halpa": "edullinen", '"Aalto"': "Aalto Kahvi", "asiakas palvelu": "palvelu"},
    "confidential": [
        {"term": "yt-neuvottelut", "action": "block"},
        {"term": "palaute", "action": "approve"},
        {"pattern": r"\b\d{6}[-+A]\d{3}[0-9A-Y]\b", "label": "personal identity code"},
    ],
    "required": [{"name": "greeting", "pattern": r"^(hei|moi)\b", "language": "fi"}],
    "notes": "Friendly.",
})


def found(text: str, kind: str, language: str | None = "fi") -> list[str]:
    result = check_text(GUIDELINES, text, language)
    return [text[c.start:c.end] for c in result.checks if c.kind == kind]


class CheckTextTestCase(SimpleTestCase):
    def test_it_has_real_voikko(self) -> None:
        self.assertTrue(lemmas.voikko_available(), "install libvoikko1 and voikko-fi")

    def test_it_catches_inflected_hyphenated_compounds(self) -> None:
        text = "Hei! Kerromme yt-neuvotteluista pian."
        self.assertEqual(found(text, "confidential"), ["yt-neuvotteluista"])
        self.assertEqual(check_text(GUIDELINES, text, "fi").verdict, "block")

    def test_it_catches_the_words_of_a_term_written_apart_in_any_case(self) -> None:
        self.assertEqual(found("Hei, YT neuvotteluiden tulos", "confidential"),
                         ["YT neuvotteluiden"])

    def test_it_holds_an_approve_term_for_approval(self) -> None:
        text = "Hei, kiitos palautteesta!"
        self.assertEqual(found(text, "confidential"), ["palautteesta"])
        self.assertEqual(check_text(GUIDELINES, text, "fi").verdict, "approve")

    def test_it_matches_whatever_language_was_detected(self) -> None:
        # A short Finnish draft taken for English still meets its Finnish terms.
        self.assertEqual(found("yt-neuvotteluista", "confidential", "en"), ["yt-neuvotteluista"])
        self.assertEqual(found("yt-neuvotteluista", "confidential", None), ["yt-neuvotteluista"])

    def test_it_matches_patterns(self) -> None:
        self.assertEqual(found("Hei, tunnus 010101-123A", "confidential"), ["010101-123A"])

    def test_it_blocks_when_a_pattern_takes_too_long(self) -> None:
        # A catastrophic pattern must not hang the reply, nor let it through unchecked.
        slow = GuidelineSet.model_validate({"confidential": [{"pattern": "(x+x+)+y"}]})
        self.assertEqual(check_text(slow, "x" * 5000, "fi").verdict, "block")

    def test_it_suggests_alternatives_for_avoided_words(self) -> None:
        result = check_text(GUIDELINES, "Hei, halvin kahvi on halpaa.", "fi")
        avoid = [c for c in result.checks if c.kind == "avoid"]
        self.assertEqual([c.suggestion for c in avoid], ["edullinen", "edullinen"])
        self.assertEqual(result.verdict, "warn")

    def test_it_matches_quoted_terms_only_as_written(self) -> None:
        self.assertEqual(found("Hei, Aallon kahvila ja Aalto", "avoid"), ["Aalto"])

    def test_it_matches_multi_word_terms_in_a_row(self) -> None:
        self.assertEqual(found("Hei, asiakas palvelusta kiitos", "avoid"), ["asiakas palvelusta"])
        self.assertEqual(found("Hei, asiakas ja palvelu", "avoid"), [])

    def test_it_warns_about_missing_required_elements_in_their_language(self) -> None:
        self.assertEqual(len(found("Kiitos viestistä", "required")), 1)
        self.assertEqual(found("Hei, kiitos viestistä", "required"), [])
        self.assertEqual(found("Thanks for writing", "required", "en"), [])
        # Without a language given, the draft's own is detected.
        finnish = "Kiitos paljon viestistänne, palaamme asiaan"
        self.assertEqual(len(found(finnish, "required", None)), 1)
        self.assertEqual(found("Thank you for your message, we will get back to you", "required",
                               None), [])

    def test_it_says_ok_when_nothing_is_found(self) -> None:
        result = check_text(GUIDELINES, "Hei, kiitos viestistä!", "fi")
        self.assertEqual(result.as_dict(), {"checks": [], "verdict": "ok"})


class NetworkRulesTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.enterContext(translation.override("en"))  # the messages asserted are English

    def test_it_counts_graphemes(self) -> None:
        self.assertEqual(grapheme_length("👍🏽🇫🇮é"), 3)

    def test_it_blocks_past_the_limit_and_points_at_the_overflow(self) -> None:
        text = "👍🏽" * 3 + "abc"
        result = check_text(GuidelineSet(), text, rules=NetworkRules("Demo", max_length=4))
        [check] = result.checks
        self.assertEqual((check.kind, check.severity), ("length", "block"))
        self.assertEqual(text[check.start:check.end], "bc")
        self.assertIn("6 characters, at most 4", check.message)

    def test_it_counts_the_networks_way(self) -> None:
        utf16 = NetworkRules("X", max_length=2, length=lambda s: len(s.encode("utf-16-le")) // 2)
        self.assertEqual(check_text(GuidelineSet(), "👍", rules=utf16).verdict, "ok")
        self.assertEqual(check_text(GuidelineSet(), "👍👍", rules=utf16).verdict, "block")

    def test_it_checks_links(self) -> None:
        result = check_text(GuidelineSet(), "Katso https://example.com/x. ja https://foo/ ")
        [check] = result.checks
        self.assertEqual((check.kind, check.start), ("link", result.checks[0].start))
        self.assertIn("incomplete", check.message)
        no_links = NetworkRules("Insta", links=False)
        [check] = check_text(GuidelineSet(), "Katso https://example.com/x", rules=no_links).checks
        self.assertIn("not clickable on Insta", check.message)

    def test_it_checks_mentions(self) -> None:
        rules = NetworkRules("Mail", mentions=False)
        text = "Kysy @maija tai maija@example.com"
        [check] = check_text(GuidelineSet(), text, rules=rules).checks
        self.assertEqual((check.kind, check.start, check.end), ("mention", 5, 11))


class GuidelineSetTestCase(SimpleTestCase):
    def test_it_accepts_the_shorthands(self) -> None:
        data = GuidelineSet.model_validate(
            {"confidential": ["fuusio", {"terms": ["a", "b"], "action": "approve"}]}
        ).model_dump()["confidential"]
        self.assertEqual([(c["term"], c["action"]) for c in data],
                         [("fuusio", "block"), ("a", "approve"), ("b", "approve")])

    def test_it_accepts_lists_and_mappings_where_they_are_natural(self) -> None:
        data = GuidelineSet.model_validate({
            "avoid": [{"term": "halpa", "suggestion": "edullinen"}, "ongelma"],
            "required": {"greeting": "^(hei|moi)", "signature": "t\\. \\w+$"},
            "notes": ["Me-muoto.", "Ei huutomerkkejä."],
        })
        self.assertEqual(data.avoid, {"halpa": "edullinen", "ongelma": ""})
        self.assertEqual([(r.name, r.pattern) for r in data.required],
                         [("greeting", "^(hei|moi)"), ("signature", "t\\. \\w+$")])
        self.assertEqual(data.notes, "Me-muoto.\nEi huutomerkkejä.")

    def test_it_refuses_broken_patterns(self) -> None:
        with self.assertRaisesRegex(ValueError, "not a valid regular expression"):
            GuidelineSet.model_validate({"required": [{"name": "x", "pattern": "(("}]})
