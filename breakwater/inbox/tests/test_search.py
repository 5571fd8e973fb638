"""Inbox full-text search on the database in use (SQLite FTS5 or PostgreSQL tsvector)."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any
from unittest import mock

from django.urls import reverse

from breakwater.analysis.lemmas import lemmas
from breakwater.inbox import queries, search
from breakwater.inbox.models import Conversation, Message, Status
from breakwater.inbox.queries import Filters
from breakwater.test import BaseTestCase

V1 = "/api/v1"


class SearchBase(BaseTestCase):
    """Where it matters a test runs both plans: the one for few matches and, inside
    ``walk()``, the one for many (walking conversations newest-first)."""

    def add(self, text: str, workspace: Any = None, **overrides: Any) -> Conversation:
        conv = self.conversation(workspace=workspace, text=text, **overrides)
        self.index()
        return conv

    def index(self) -> None:
        """Fill ``search_text`` where ingest has not (before analysis runs on ingest)."""
        for message in Message.objects.filter(search_text=""):
            message.search_text = " ".join(lemmas(message.text, message.language or None))
            message.save(update_fields=["search_text"])

    def ids(self, q: str, member: Any = None, **filters: Any) -> list[int]:
        rows, _ = queries.list_conversations(member or self.bob, Filters(q=q, **filters), limit=200)
        return [c.pk for c in rows]

    def walk(self) -> Any:
        """Force the plan for common words: every query counts as having many matches."""
        return mock.patch.object(search, "RARE_CAP", 0)

    def plans(self) -> tuple[Any, Any]:
        return (nullcontext(), self.walk())


class SearchTestCase(SearchBase):

    def test_it_finds_palaute_in_its_inflections(self) -> None:
        from_ = self.add("Kiitos palautteesta, välitämme sen tiimille!")
        gen = self.add("Annoin palautteen eilen kassalla.")
        self.add("Kahvi oli tänään erinomaista.")
        for plan in self.plans():
            with plan:
                self.assertEqual(set(self.ids("palaute")), {from_.pk, gen.pk})
                self.assertEqual(set(self.ids("Palautteen")), {from_.pk, gen.pk})

    def test_it_finds_kommentti_in_kommentteihin(self) -> None:
        conv = self.add("Vastaatteko koskaan kommentteihin?")
        typo = self.add("Vastaatteko koskaan kommenteihin?")
        self.add("Kiitos vastauksesta")
        self.assertEqual(set(self.ids("kommentti")), {conv.pk, typo.pk})

    def test_it_finds_english_inflections(self) -> None:
        conv = self.add("Thanks for all the quick replies!")
        self.add("The beans arrived today")
        self.assertEqual(self.ids("reply"), [conv.pk])
        with self.walk():
            self.assertEqual(self.ids("reply"), [conv.pk])

    def test_it_requires_every_word_and_matches_phrases_and_prefixes(self) -> None:
        both = self.add("Kahvila oli täynnä, mutta palvelu oli hyvää")
        one = self.add("Palvelu pelasi taas")
        self.assertEqual(self.ids("kahvila palvelu"), [both.pk])
        self.assertEqual(set(self.ids("palvelu")), {both.pk, one.pk})
        self.assertEqual(self.ids('"palvelu oli hyvää"'), [both.pk])
        self.assertEqual(self.ids('"hyvää palvelu"'), [])
        self.assertEqual(self.ids("kahvi*"), [both.pk])
        self.assertEqual(self.ids("pelas*"), [one.pk])

    def test_it_matches_older_messages_of_a_thread(self) -> None:
        conv = self.add("Tilaus #123 ei ole saapunut, haluan hyvityksen", thread_key="t")
        self.ingest(self.acme, [self.item(thread_key="t", text="Onko uutisia?")])
        self.index()
        self.assertEqual(self.ids("hyvitys"), [conv.pk])
        with self.walk():
            self.assertEqual(self.ids("hyvitys"), [conv.pk])

    def test_it_never_shows_another_workspaces_messages(self) -> None:
        mine = self.add("Palautetta kahvista")
        theirs = self.add("Palautetta kahvista", workspace=self.other)
        for plan in self.plans():
            with plan:
                self.assertEqual(self.ids("palaute"), [mine.pk])
                self.assertEqual(self.ids("palaute", member=self.charlie), [theirs.pk])
                rows, _ = queries.list_conversations(self.charlie, Filters(q="palaute"))
                self.assertNotIn(mine.pk, [c.pk for c in rows])

    def test_it_combines_with_filters_and_keyset_pages(self) -> None:
        matching = [self.add(f"Palaute numero {n}") for n in range(7)]
        for n in range(3):
            self.add(f"Kysymys numero {n}")
        from breakwater.inbox import actions

        actions.do_set_status(self.bob, matching[2].pk, Status.DONE)
        expected = [c.pk for c in reversed(matching) if c.pk != matching[2].pk]
        for plan in self.plans():
            with plan:
                for limit in (1, 2, 3, 6, 50):
                    seen, cursor = [], None
                    while True:
                        rows, cursor = queries.list_conversations(
                            self.bob, Filters(q="palaute", status="open"), cursor, limit
                        )
                        seen += [c.pk for c in rows]
                        if cursor is None:
                            break
                    self.assertEqual(seen, expected, f"limit={limit}")
                counts = queries.status_counts(self.bob, Filters(q="palaute"))
                self.assertEqual(counts, {"open": 6, "pending": 0, "done": 1})
        # The three counts share one probe of the full-text index.
        with mock.patch.object(search.Search, "_probe", autospec=True,
                               side_effect=search.Search._probe) as probe:
            queries.status_counts(self.bob, Filters(q="palaute"))
        self.assertEqual(probe.call_count, 1)

    def test_it_follows_edits_and_deletes(self) -> None:
        conv = self.add("Kiitos palautteesta")
        message = Message.objects.get(conversation=conv)
        message.text = "Kiitos kahvista"
        message.search_text = " ".join(lemmas(message.text, "fi"))
        message.save(update_fields=["text", "search_text"])
        self.assertEqual(self.ids("palaute"), [])
        self.assertEqual(self.ids("kahvi"), [conv.pk])
        message.delete()
        self.assertEqual(self.ids("kahvi"), [])

    def test_it_ignores_queries_without_words(self) -> None:
        conv = self.add("Hei")
        self.assertEqual(self.ids('"" * !!'), [conv.pk])


class SnippetTestCase(SearchBase):
    def test_it_highlights_inflected_matches(self) -> None:
        self.add("Kiitos palautteesta! Palaute on meille tärkeää.")
        rows, _ = queries.list_conversations(self.bob, Filters(q="palaute"))
        self.assertEqual(
            str(rows[0].snippet),
            "Kiitos <mark>palautteesta</mark>! <mark>Palaute</mark> on meille tärkeää.",
        )

    def test_it_escapes_html_around_the_marks(self) -> None:
        self.add('<script>alert("kahvi")</script> kahvia & pullaa')
        rows, _ = queries.list_conversations(self.bob, Filters(q="kahvi"))
        snippet = str(rows[0].snippet)
        self.assertNotIn("<script>", snippet)
        self.assertIn("&lt;script&gt;", snippet)
        self.assertIn("<mark>kahvia</mark> &amp; pullaa", snippet)

    def test_it_quotes_the_newest_matching_message_and_cuts_long_texts(self) -> None:
        self.add("Ensimmäinen viesti palautteesta", thread_key="t")
        long = "Alussa on paljon muuta tekstiä " * 10 + "ja lopussa palaute " + "sekä vielä " * 20
        self.ingest(self.acme, [self.item(thread_key="t", text=long)])
        self.ingest(self.acme, [self.item(thread_key="t", text="Ei osumaa tässä")])
        self.index()
        rows, _ = queries.list_conversations(self.bob, Filters(q="palaute"))
        snippet = str(rows[0].snippet)
        self.assertIn("<mark>palaute</mark>", snippet)
        self.assertTrue(snippet.startswith("…") and snippet.endswith("…"), snippet)
        self.assertLessEqual(len(snippet), search.SNIPPET_CHARS + 30)

    def test_it_finds_the_match_in_a_long_thread(self) -> None:
        self.add("Palaute: kahvi oli kylmää", thread_key="long")
        self.ingest(self.acme, [self.item(thread_key="long", text=f"viesti {n}") for n in range(6)])
        self.index()
        with mock.patch.object(search, "SNIPPET_SCAN", 2):
            rows, _ = queries.list_conversations(self.bob, Filters(q="kylmä"))
        self.assertIn("<mark>kylmää</mark>", str(rows[0].snippet))

    def test_it_shows_snippets_in_the_api(self) -> None:
        self.add("Kiitos palautteesta <3")
        response = self.api("get", f"{V1}/conversations?q=palaute", self.bob_token)
        self.assertEqual(response.status_code, 200, response.content)
        item = response.json()["items"][0]
        self.assertEqual(item["snippet"], "Kiitos <mark>palautteesta</mark> &lt;3")
        response = self.api("get", f"{V1}/conversations", self.bob_token)
        self.assertIsNone(response.json()["items"][0]["snippet"])
        response = self.api("get", f"{V1}/conversations?q=palaute", self.charlie_token)
        self.assertEqual(response.json()["items"], [])

    def test_it_shows_snippets_in_the_inbox_rows(self) -> None:
        self.add("Kiitos palautteesta <b>heti</b>")
        self.client.force_login(self.bob.user)
        response = self.client.get(reverse("web:inbox"), {"q": "palaute", "partial": "rows"})
        html = response.content.decode()
        self.assertIn("<mark>palautteesta</mark> &lt;b&gt;heti&lt;/b&gt;", html)


class IndexRepairTestCase(SearchBase):
    def test_it_puts_back_the_triggers_a_table_rebuild_dropped(self) -> None:
        """SQLite rebuilds ``inbox_message`` for many migrations, dropping its triggers: the
        post-migrate repair must bring them back, or new messages are never found."""
        from django.db import connection

        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                for name in search.SQLITE_TRIGGERS:
                    cursor.execute(f"DROP TRIGGER {name}")
            self.assertTrue(search.ensure_sqlite_index(connection))
        self.assertFalse(search.ensure_sqlite_index(connection))  # nothing (more) to repair
        conv = self.add("Kiitos palautteesta!")
        self.assertEqual(self.ids("palaute"), [conv.pk])
