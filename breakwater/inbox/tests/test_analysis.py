"""Inbox filters by language, sentiment and spam; corrections of a message's analysis by hand
(action, API and page)."""

from django.urls import reverse

from breakwater.core.errors import Forbidden, Invalid, NotFound
from breakwater.core.models import AuditLog
from breakwater.inbox import actions, queries
from breakwater.inbox.models import Conversation, Message
from breakwater.inbox.queries import Filters
from breakwater.ingest.enrich import fill_sentiment
from breakwater.test import PASSWORD, BaseTestCase

V1 = "/api/v1"
SCAM = "FREE CRYPTO airdrop for the first 100 followers https://free-bitcoin.io/claim"


class AnalysisBase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.praise = self.conversation(thread_key="praise", text="Tosi hyvä palvelu, kiitos!")
        self.complaint = self.conversation(
            thread_key="complaint", text="Terrible service, the coffee was cold again."
        )
        self.swedish = self.conversation(thread_key="sv", text="Har ni glutenfria bullar i Åbo?")
        self.spam = self.conversation(thread_key="spam", text=SCAM)
        fill_sentiment()

    def ids(self, **filters: object) -> set[int]:
        rows, _ = queries.list_conversations(self.bob, Filters(**filters), limit=200)
        return {c.pk for c in rows}


class FiltersTestCase(AnalysisBase):
    def test_it_filters_by_language_sentiment_and_spam(self) -> None:
        self.assertEqual(self.ids(language="sv"), {self.swedish.pk})
        self.assertEqual(self.ids(language="FI"), {self.praise.pk})
        self.assertEqual(self.ids(sentiment="negative"), {self.complaint.pk})
        self.assertIn(self.praise.pk, self.ids(sentiment="positive"))
        self.assertEqual(self.ids(spam=True), {self.spam.pk})
        self.assertNotIn(self.spam.pk, self.ids(spam=False))
        self.assertEqual(len(self.ids(spam=False)), 3)
        self.assertEqual(self.ids(language="en", sentiment="negative", status="open"),
                         {self.complaint.pk})
        with self.assertRaises(Invalid):
            self.ids(sentiment="angry")

    def test_it_counts_under_the_analysis_filters(self) -> None:
        counts = queries.status_counts(self.bob, Filters(spam=False))
        self.assertEqual(counts, {"open": 3, "pending": 0, "done": 0})

    def test_it_filters_through_the_api(self) -> None:
        response = self.api("get", f"{V1}/conversations?sentiment=negative&spam=false", self.bob_token)
        self.assertEqual(response.status_code, 200, response.content)
        [item] = response.json()["items"]
        self.assertEqual((item["id"], item["sentiment"], item["is_spam"]),
                         (self.complaint.pk, "negative", False))
        self.assertEqual(item["language"], "en")
        response = self.api("get", f"{V1}/conversations?sentiment=angry", self.bob_token)
        self.assertEqual(response.status_code, 422)

    def test_it_filters_on_the_page(self) -> None:
        self.client.login(username="bob@example.org", password=PASSWORD)
        page = self.client.get(reverse("web:inbox"), {"spam": "1"}).content.decode()
        self.assertIn(f'data-id="{self.spam.pk}"', page)
        self.assertNotIn(f'data-id="{self.praise.pk}"', page)
        page = self.client.get(reverse("web:inbox"), {"language": "sv"}).content.decode()
        self.assertIn(f'data-id="{self.swedish.pk}"', page)
        self.assertNotIn(f'data-id="{self.complaint.pk}"', page)


class CorrectionTestCase(AnalysisBase):
    def message(self, conv: Conversation) -> Message:
        return Message.objects.get(conversation=conv)

    def test_it_keeps_the_automatic_value_and_moves_the_conversation(self) -> None:
        message = self.message(self.praise)
        self.assertEqual(message.sentiment, "positive")
        actions.do_correct_message(self.bob, message.pk, sentiment="negative")
        actions.do_correct_message(self.alice, message.pk, sentiment="neutral", language="fi")
        message.refresh_from_db()
        self.assertEqual((message.sentiment, message.sentiment_score), ("neutral", 0.0))
        correction = message.analysis_correction["sentiment"]
        self.assertEqual((correction["from"], correction["to"], correction["by"]),
                         ("positive", "neutral", self.alice.user_id))
        self.assertNotIn("language", message.analysis_correction)  # it was fi already
        self.assertEqual(self.ids(sentiment="neutral") & {self.praise.pk}, {self.praise.pk})
        log = AuditLog.objects.filter(action="message.corrected").order_by("id")
        self.assertEqual([entry.data["sentiment"]["to"] for entry in log], ["negative", "neutral"])

    def test_it_takes_a_thread_out_of_spam(self) -> None:
        actions.do_correct_message(self.bob, self.message(self.spam).pk, spam=False)
        self.spam.refresh_from_db()
        self.assertFalse(self.spam.is_spam)
        self.assertIn(self.spam.pk, self.ids(spam=False))

    def test_it_refuses_what_it_cannot_do(self) -> None:
        message = self.message(self.praise)
        with self.assertRaises(Forbidden):
            actions.do_correct_message(self.vera, message.pk, sentiment="negative")
        with self.assertRaises(NotFound):
            actions.do_correct_message(self.charlie, message.pk, sentiment="negative")
        with self.assertRaises(Invalid):
            actions.do_correct_message(self.bob, message.pk, language="finnish")
        with self.assertRaises(Invalid):
            actions.do_correct_message(self.bob, message.pk)
        reply, _ = actions.do_reply(self.bob, self.praise.pk, "Kiitos itsellesi!")
        with self.assertRaises(Invalid):
            actions.do_correct_message(self.bob, reply.pk, sentiment="positive")
        actions.do_correct_message(self.bob, reply.pk, language="fi")  # a language it may have

    def test_it_corrects_through_the_api(self) -> None:
        message = self.message(self.complaint)
        path = f"{V1}/messages/{message.pk}"
        response = self.api("patch", path, self.bob_token, json={"sentiment": "neutral"})
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(data["sentiment"], "neutral")
        self.assertEqual(data["corrections"]["sentiment"]["from"], "negative")
        self.assertEqual(self.api("patch", path, self.bob_token, json={}).status_code, 422)
        self.assertEqual(
            self.api("patch", path, self.vera_token, json={"spam": True}).status_code, 403
        )
        self.assertEqual(
            self.api("patch", path, self.charlie_token, json={"spam": True}).status_code, 404
        )

    def test_it_corrects_from_the_conversation_page(self) -> None:
        self.client.login(username="bob@example.org", password=PASSWORD)
        page = self.client.get(reverse("web:conversation", args=[self.complaint.pk]))
        self.assertContains(page, 'class="sent-label sent-negative"')
        message = self.message(self.complaint)
        response = self.client.post(
            reverse("web:correct", args=[message.pk]), {"sentiment": "positive", "language": ""}
        )
        self.assertRedirects(response, reverse("web:conversation", args=[self.complaint.pk]))
        message.refresh_from_db()
        self.assertEqual(message.sentiment, "positive")
        page = self.client.get(reverse("web:conversation", args=[self.complaint.pk]))
        self.assertContains(page, "corrected")
