"""Spam and abuse flags come with reasons a moderator can check."""

from unittest import TestCase

from breakwater.analysis import analyze


class SpamTestCase(TestCase):
    def test_it_flags_a_scam_domain(self) -> None:
        [a] = analyze(["Katso tämä! https://free-bitcoin.io/claim?ref=99"])
        self.assertTrue(a.spam)
        self.assertIn("scam domain: free-bitcoin.io", a.spam_reasons)

    def test_it_flags_look_alike_support_domains(self) -> None:
        [a] = analyze(["Your page will be disabled today. Appeal at meta-appeal-center.help/form"])
        self.assertTrue(a.spam)
        self.assertIn("look-alike domain: meta-appeal-center.help", a.spam_reasons)
        self.assertIn("fake account warning or prize claim", a.spam_reasons)

    def test_it_flags_crypto_and_get_rich_wording(self) -> None:
        texts = [
            "Earn $500 daily with bitcoin trading, message my mentor",
            "Ilmainen bitcoin kaikille, lähetä viesti!",
            "FREE CRYPTO airdrop for the first 100 followers",
        ]
        for a in analyze(texts):
            self.assertTrue(a.spam)
            self.assertIn("crypto or get-rich wording", a.spam_reasons)

    def test_it_flags_the_same_text_from_several_authors(self) -> None:
        text = "Great page! Amazing offers today at https://example.shop/deal"
        batch = [text, text.upper(), text + "!!", "Kiitos nopeasta vastauksesta"]
        results = analyze(batch, authors=["a", "b", "c", "d"])
        self.assertEqual([a.spam for a in results], [True, True, True, False])
        self.assertIn("same text from 3 authors in this batch", results[0].spam_reasons)
        # One author repeating themselves is not a campaign.
        results = analyze(batch[:3], authors=["a", "a", "a"])
        self.assertFalse(any(a.spam for a in results))
        # Without a link, a repeated stock phrase is only a weak signal.
        results = analyze(["Onko tähän tulossa vastausta pian?"] * 3, authors=["a", "b", "c"])
        self.assertFalse(any(a.spam for a in results))
        self.assertIn("same text from 3 authors in this batch", results[0].spam_reasons)

    def test_it_needs_two_weak_signals(self) -> None:
        [one] = analyze(["Lue lisää bit.ly/3abcdef"])
        self.assertFalse(one.spam)
        self.assertEqual(one.spam_reasons, ("link shortener: bit.ly",))
        [two] = analyze(["Earn more, details on WhatsApp +358 40 123 4567 bit.ly/xyz123"])
        self.assertTrue(two.spam)

    def test_it_leaves_ordinary_customer_messages_alone(self) -> None:
        texts = [
            "Osallistun arvontaan! Kiitos ihanasta kilpailusta 🎉",
            "Tilasin eilen, tuli jo tänään https://example.fi/tilaus",
            "You won't believe how good the new menu is",
        ]
        self.assertEqual([a.spam for a in analyze(texts)], [False, False, False])

    def test_it_flags_profanity_as_abuse_not_spam(self) -> None:
        fi, en, clean = analyze(
            ["Vitun paska palvelu", "This is fucking useless", "Hyvä palvelu"],
            languages=["fi", "en"],
        )
        self.assertTrue(fi.abusive)
        self.assertFalse(fi.spam)
        self.assertEqual(fi.abuse_reasons, ("profanity: vitun, paska",))
        self.assertEqual(en.abuse_reasons, ("profanity: fucking",))
        self.assertFalse(clean.abusive)
