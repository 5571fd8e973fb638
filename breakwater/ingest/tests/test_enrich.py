"""Analysis on ingest (language, lemmas, keywords, spam) and sentiment from the worker."""

from django.test import override_settings

from breakwater.inbox import actions
from breakwater.inbox.models import Conversation, Message
from breakwater.ingest.enrich import fill_sentiment
from breakwater.test import BaseTestCase


class InlineAnalysisTestCase(BaseTestCase):
    def test_it_stores_language_lemmas_keywords_and_flags_on_ingest(self) -> None:
        self.ingest(self.acme, [
            self.item(external_id="fi", text="Toimitus oli taas myöhässä ja kahvi kylmää #aamu"),
            self.item(external_id="scam", text="Earn $500 daily with bitcoin trading, DM me"),
            self.item(external_id="swear", text="Vitun paska palvelu"),
        ])
        fi = Message.objects.get(external_id="fi")
        self.assertEqual(fi.language, "fi")
        self.assertGreater(fi.language_confidence, 0.5)
        self.assertIn("toimitus", fi.search_text.split())
        self.assertEqual(fi.keywords[0], "aamu")
        self.assertIn("kahvi", fi.keywords)
        self.assertFalse(fi.is_spam)
        self.assertEqual(fi.sentiment, "")  # the worker's job, not ingest's

        scam = Message.objects.get(external_id="scam")
        self.assertTrue(scam.is_spam)
        self.assertIn("crypto or get-rich wording", scam.spam_reasons)
        swear = Message.objects.get(external_id="swear")
        self.assertEqual((swear.is_abusive, swear.is_spam), (True, False))
        self.assertEqual(swear.abuse_reasons, ["profanity: vitun, paska"])

    def test_it_gives_the_conversation_its_newest_inbound_language(self) -> None:
        self.ingest(self.acme, [
            self.item(thread_key="t", text="Hej! Har ni glutenfria bullar i Åbo?"),
            self.item(thread_key="t", text="Kiitos, löysin jo vastauksen itse!"),
        ])
        conv = Conversation.objects.get(thread_key="t")
        self.assertEqual(conv.language, "fi")
        # The brand's own words do not change it.
        self.ingest(self.acme, [self.item(thread_key="t", direction="out", text="Thanks Liisa!")])
        conv.refresh_from_db()
        self.assertEqual(conv.language, "fi")

    def test_it_calls_a_thread_spam_only_while_every_inbound_message_is(self) -> None:
        scam = "FREE CRYPTO airdrop for the first 100 followers https://free-bitcoin.io/x"
        self.ingest(self.acme, [self.item(thread_key="s", text=scam)])
        conv = Conversation.objects.get(thread_key="s")
        self.assertTrue(conv.is_spam)
        self.ingest(self.acme, [self.item(thread_key="s", text=scam + " again")])
        conv.refresh_from_db()
        self.assertTrue(conv.is_spam)
        self.ingest(self.acme, [self.item(thread_key="s", text="Onko tämä oikeasti teidän tilinne?")])
        conv.refresh_from_db()
        self.assertFalse(conv.is_spam)

    def test_it_never_flags_the_brands_own_messages(self) -> None:
        self.ingest(self.acme, [self.item(direction="out", external_id="o", text="Vitun hyvää!")])
        message = Message.objects.get(external_id="o")
        self.assertEqual((message.is_spam, message.is_abusive, message.abuse_reasons),
                         (False, False, []))
        self.assertIn("hyvä", message.search_text.split())

    def test_it_analyses_replies_written_in_breakwater(self) -> None:
        conv = self.conversation(text="Onko teillä kauramaitoa?")
        reply, _ = actions.do_reply(self.bob, conv.pk, "On, kaikissa kahviloissamme!")
        reply.refresh_from_db()
        self.assertEqual(reply.language, "fi")
        self.assertIn("kahvila", reply.search_text.split())

    @override_settings(BREAKWATER_ANALYSE_ON_INGEST=False)
    def test_it_can_be_switched_off(self) -> None:
        self.ingest(self.acme, [self.item(external_id="x", text="Kiitos palautteesta!")])
        message = Message.objects.get(external_id="x")
        self.assertEqual((message.language, message.search_text, message.keywords), ("", "", []))


class SentimentFillTestCase(BaseTestCase):
    def test_it_scores_inbound_messages_after_ingest_in_batches(self) -> None:
        self.ingest(self.acme, [
            self.item(thread_key="a", text="Tosi hyvä palvelu, kiitos!"),
            self.item(thread_key="b", text="Ihan surkea palvelu, en tilaa enää."),
            self.item(thread_key="c", direction="out", text="Our new roast is here"),
        ])
        # Visible at once, unscored: ingest never waits for sentiment.
        self.assertEqual(set(Message.objects.values_list("sentiment", flat=True)), {""})

        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(fill_sentiment(limit=1), 1)
            self.assertEqual(fill_sentiment(), 1)
        self.assertEqual(fill_sentiment(), 0)
        by_thread = dict(Conversation.objects.values_list("thread_key", "sentiment"))
        self.assertEqual(by_thread["a"], "positive")
        self.assertEqual(by_thread["b"], "negative")
        self.assertEqual(by_thread["c"], "")  # nothing inbound to judge
        scored = Message.objects.get(conversation__thread_key="a")
        self.assertGreater(scored.sentiment_score, 0)
        outbound = Message.objects.get(conversation__thread_key="c")
        self.assertEqual((outbound.sentiment, outbound.sentiment_score), ("", None))

    def test_it_never_scores_over_a_persons_correction(self) -> None:
        conv = self.conversation(text="Tosi hyvä palvelu, kiitos!")
        message = Message.objects.get(conversation=conv)
        actions.do_correct_message(self.bob, message.pk, sentiment="negative")
        self.assertEqual(fill_sentiment(), 0)
        message.refresh_from_db()
        self.assertEqual(message.sentiment, "negative")
