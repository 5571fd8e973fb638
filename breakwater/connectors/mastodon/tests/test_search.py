"""Listening: ``search`` against the loopback server, driven by Mastodon.py. A ``#hashtag``
reads the tag's timeline, other words the server's status search; each call with the cursor
it returned gives only what is newer, as the same items the inbox makes of those statuses."""

from __future__ import annotations

from django.test import SimpleTestCase

from breakwater.connectors.base import ConnectorError
from breakwater.connectors.mastodon.connector import SEARCH_PAGE, MastodonConnector
from breakwater.connectors.mastodon.tests.fake_server import FakeMastodon, fake_mastodon


class SearchTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.fake: FakeMastodon = self.enterContext(fake_mastodon())
        _, brand_token = self.fake.register("aalto", "Aalto Kahvi")
        self.maija = self.fake.client(self.fake.register("maija")[1])
        self.pekka = self.fake.client(self.fake.register("pekka")[1])
        self.connector = MastodonConnector({"base_url": self.fake.base, "access_token": brand_token},
                                           channel=7)

    def reads(self, path: str) -> list[dict]:
        return [r for r in self.fake.requests if r["path"] == path]

    def test_a_hashtag_reads_its_timeline_and_the_cursor_gives_only_newer_statuses(self) -> None:
        root = self.maija.status_post("Paras aamukahvi: #AaltoKahvi")
        reply = self.pekka.status_post("@maija Samaa mieltä #aaltokahvi", in_reply_to_id=root["id"])
        self.maija.status_post("Ei tägiä tässä")
        self.maija.status_post("Vain seuraajille #aaltokahvi", visibility="private")
        page = self.connector.search("#aaltokahvi", None)
        self.assertEqual([i.external_id for i in page.items], [reply["id"], root["id"]])
        self.assertEqual({(i.kind, i.is_public, i.channel) for i in page.items}, {("mention", True, 7)})
        self.assertEqual([i.thread_key for i in page.items], [root["id"], root["id"]])
        self.assertEqual(page.cursor, reply["id"])
        self.assertFalse(page.more)
        self.assertEqual(self.connector.search("#aaltokahvi", page.cursor).items, [])
        newer = self.pekka.status_post("Taas #aaltokahvi")
        again = self.connector.search("#aaltokahvi", page.cursor)
        self.assertEqual([i.external_id for i in again.items], [newer["id"]])
        self.assertEqual(again.cursor, newer["id"])
        self.assertEqual(self.reads("/api/v1/timelines/tag/aaltokahvi")[-1]["query"]["min_id"], [page.cursor])

    def test_other_words_use_the_status_search_forward_from_the_cursor(self) -> None:
        first = self.maija.status_post("Onko teillä kauralattea?")
        self.pekka.status_post("Soijalatte on parempi")
        page = self.connector.search("kauralattea", None)
        self.assertEqual([i.external_id for i in page.items], [first["id"]])
        [query] = [r["query"] for r in self.reads("/api/v2/search")]
        self.assertEqual((query["q"], query["type"]), (["kauralattea"], ["statuses"]))
        self.assertNotIn("min_id", query)
        later = self.pekka.status_post("Kauralattea joka päivä")
        again = self.connector.search("kauralattea", page.cursor)
        self.assertEqual([i.external_id for i in again.items], [later["id"]])
        self.assertEqual(self.reads("/api/v2/search")[-1]["query"]["min_id"], [page.cursor])

    def test_a_full_page_says_there_is_more_and_the_next_call_reads_on(self) -> None:
        start = self.connector.search("#kahvi", None)
        self.assertEqual((start.items, start.cursor), ([], None))
        first = self.maija.status_post("#kahvi 0")
        cursor = self.connector.search("#kahvi", None).cursor
        self.assertEqual(cursor, first["id"])
        posted = [self.maija.status_post(f"#kahvi {n}")["id"] for n in range(1, SEARCH_PAGE + 2)]
        page = self.connector.search("#kahvi", cursor)
        self.assertEqual((len(page.items), page.more), (SEARCH_PAGE, True))
        rest = self.connector.search("#kahvi", page.cursor)
        self.assertEqual(({i.external_id for i in page.items} | {i.external_id for i in rest.items}), set(posted))
        self.assertFalse(rest.more)

    def test_a_listened_mention_is_the_same_item_the_inbox_makes(self) -> None:
        status = self.maija.status_post("@aalto Kiitos kahvista #aaltokahvi")
        [listened] = self.connector.search("#aaltokahvi", None).items
        [polled] = self.connector.poll(None).items
        self.assertEqual((listened.external_id, listened.thread_key, listened.author),
                         (polled.external_id, polled.thread_key, polled.author))
        self.assertEqual(listened.external_id, status["id"])

    def test_the_public_timeline_gives_every_public_status_forward_from_the_cursor(self) -> None:
        first = self.maija.status_post("Hyvää huomenta")
        self.pekka.status_post("Vain seuraajille", visibility="private")
        second = self.pekka.status_post("Kahvia?")
        page = self.connector.search("timeline:public", None)
        self.assertEqual([i.external_id for i in page.items], [second["id"], first["id"]])
        [query] = [r["query"] for r in self.reads("/api/v1/timelines/public")]
        self.assertEqual(query.get("local", ["false"]), ["false"])
        later = self.maija.status_post("Iltapäivän kahvi")
        again = self.connector.search("timeline:local", page.cursor)
        self.assertEqual([i.external_id for i in again.items], [later["id"]])
        last = self.reads("/api/v1/timelines/public")[-1]["query"]
        self.assertIn(last["local"][0].lower(), ("1", "true"))  # Mastodon.py sends "1"
        self.assertEqual(last["min_id"], [page.cursor])

    def test_an_empty_query_is_refused(self) -> None:
        with self.assertRaisesMessage(ConnectorError, "give words, a #hashtag or timeline:public"):
            self.connector.search("  ", None)
