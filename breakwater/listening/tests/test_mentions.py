"""Mentions: dedupe across sources, a dry run equal to live matching, sending to the inbox,
and sources polled through the RSS connector from a local feed server."""

from datetime import timedelta
from pathlib import Path

from breakwater.connectors.rss.tests.feedserver import feed_server
from breakwater.core.actions import do_create_channel
from breakwater.inbox.models import Conversation
from breakwater.listening import actions, queries, sources, store
from breakwater.listening.actions import SourceFields, TopicFields
from breakwater.listening.models import Mention, Source, TopicMention
from breakwater.listening.store import Candidate
from breakwater.test import BASE_TIME, BaseTestCase

FIXTURES = Path(__file__).resolve().parents[2] / "connectors" / "rss" / "fixtures"


def candidate(n: int, text: str, **kw):
    return Candidate(network=kw.pop("network", "bluesky"), external_id=f"post-{n}", text=text,
                     created_at=BASE_TIME + timedelta(minutes=n), **kw)


class MentionsTestCase(BaseTestCase):
    def setUp(self):
        self.brand = actions.do_create_topic(self.alice, TopicFields("Aalto", "aalto*"))
        self.rival = actions.do_create_topic(
            self.alice, TopicFields("Kahvila Kilpa", '"kahvila kilpa" OR kilpa*', "competitor"))

    def test_it_deduplicates_by_url_and_by_normalised_text(self):
        text = "Aalto Kahvi avaa uuden paahtimon Tampereelle ensi viikolla"
        result = store.store(self.acme.pk, [
            candidate(1, text, url="https://news.example/a"),
            candidate(2, "Aalto kahvi: AVAA uuden paahtimon Tampereelle, ensi viikolla! "
                         "https://t.co/x", network="mastodon"),
            candidate(3, "Aalto toinen juttu samasta aiheesta", url="https://www.news.example/a/"),
            candidate(4, "Kilpa ja Aalto vertailussa tänään kahvilat", url="https://b.example"),
        ])
        self.assertEqual((result.seen, result.stored, result.duplicates), (4, 2, 2))
        both = Mention.objects.get(url="https://b.example")
        self.assertEqual(sorted(both.links.values_list("topic_id", flat=True)),
                         sorted([self.brand.pk, self.rival.pk]))
        again = store.store(self.acme.pk, [candidate(9, text)])
        self.assertEqual((again.stored, again.duplicates), (0, 1))

    def test_a_dry_run_matches_what_live_matching_matched(self):
        texts = ["Aallon kahvit ovat parhaita", "Kilpa avasi kahvilan", "Aalto ja Kilpa",
                 "Sää on tänään kaunis ja aurinkoinen", "#aaltokahvi maistuu aamulla",
                 "Aaltoilevaa menoa pörssissä tänään"]
        store.store(self.acme.pk, [candidate(n, t) for n, t in enumerate(texts)],
                    keep_unmatched=True)
        for topic in (self.brand, self.rival):
            live = set(TopicMention.objects.filter(topic=topic).values_list("mention_id", flat=True))
            dry = {m.pk for m in actions.dry_run(self.alice, topic.query)}
            self.assertEqual(dry, live, topic.name)
            self.assertTrue(live)

    def test_it_sends_a_mention_to_the_inbox_once(self):
        api = do_create_channel(self.alice, "api", "Mentions")
        store.store(self.acme.pk, [candidate(1, "Aalto Kahvi on paras kahvila", author="fan",
                                             url="https://bsky.example/p/1")])
        mention = Mention.objects.get()
        conversation_id = actions.do_send_to_inbox(self.bob, mention.pk)
        conversation = Conversation.objects.get(pk=conversation_id)
        self.assertEqual(conversation.channel_id, api.pk)
        self.assertEqual(actions.do_send_to_inbox(self.bob, mention.pk), conversation_id)
        self.assertEqual(Mention.objects.count(), 1)  # the inbox copy is the same mention
        r = self.api("post", f"/api/v1/mentions/{mention.pk}/send-to-inbox", self.charlie_token,
                     json={})
        self.assertEqual(r.status_code, 404)

    def test_it_polls_a_feed_source_and_shows_its_coverage(self):
        with feed_server() as feeds:
            url = feeds.put("/uutiset.atom", (FIXTURES / "uutiset.atom").read_bytes())
            source = actions.do_create_source(self.alice, SourceFields("feed", "Kahviuutiset", url))
            self.assertEqual(sources.claim_due(), [source.pk])
            result = sources.poll_source(source.pk)
            self.assertEqual((result.seen, result.matched, result.stored), (2, 1, 2))
            again = sources.poll_source(source.pk)  # 304 with the saved validators
            self.assertEqual(again.seen, 0)
            feeds.fail_with = 500
            sources.poll_source(source.pk)
        source.refresh_from_db()
        self.assertIn("500", source.last_error)
        self.assertEqual(source.items_seen, 2)
        [(row, health)] = queries.sources(self.alice)
        self.assertEqual(health["per_day"], round(2 / 7, 1))
        self.assertIsNotNone(health["delay_seconds"])
        [mention] = queries.mentions(self.alice, self.brand.pk)
        self.assertEqual(mention.source_id, source.pk)
        self.assertIn("paahtimo", mention.url)

    def test_partitions_split_a_source_between_consumers(self):
        with feed_server() as feeds:
            url = feeds.put("/uutiset.atom", (FIXTURES / "uutiset.atom").read_bytes())
            source = actions.do_create_source(
                self.alice, SourceFields("feed", "Kahviuutiset", url, dedicated=True))
            self.assertEqual(sources.claim_due(), [])  # its own processes read it
            stored = [sources.poll_source(source.pk, sources.Partition(i, 2)).stored
                      for i in range(2)]
        self.assertEqual(sum(stored), 2)
        self.assertEqual(Mention.objects.count(), 2)
        self.assertEqual(set(Source.objects.get().partition_cursors), {"0/2", "1/2"})

    def test_search_sources_need_a_listening_connector(self):
        with self.assertRaisesMessage(Exception, "cannot search"):
            actions.do_create_source(self.alice, SourceFields(
                "search", "Demo", channel_id=self.channel.pk, query="aalto"))


class SearchSourceTestCase(BaseTestCase):
    def test_a_mastodon_hashtag_source_reads_through_the_connector(self):
        from breakwater.connectors.mastodon.tests.fake_server import fake_mastodon

        topic = actions.do_create_topic(self.alice, TopicFields("Aalto", "#aaltokahvi OR aalto*"))
        with fake_mastodon() as fake:
            _, brand_token = fake.register("aalto", "Aalto Kahvi")
            maija = fake.client(fake.register("maija")[1])
            channel = do_create_channel(self.alice, "mastodon", "Mastodon",
                                        {"base_url": fake.base, "access_token": brand_token})
            source = actions.do_create_source(self.alice, SourceFields(
                "search", "#aaltokahvi", channel_id=channel.pk, query="#aaltokahvi"))
            maija.status_post("Paras aamukahvi: #AaltoKahvi Kalliossa tänään")
            first = sources.poll_source(source.pk)
            maija.status_post("Taas jonossa #aaltokahvi, mutta kannatti odottaa")
            second = sources.poll_source(source.pk)
        self.assertEqual((first.stored, second.stored, second.seen), (1, 1, 1))
        self.assertEqual(TopicMention.objects.filter(topic=topic).count(), 2)
        self.assertEqual(set(Mention.objects.values_list("network", flat=True)), {"mastodon"})


class MeasureTestCase(BaseTestCase):
    def test_the_measurement_runs_the_write_path_and_leaves_nothing(self):
        from breakwater.listening import throughput

        actions.do_create_topic(self.alice, TopicFields("Aalto", '"aalto kahvi" OR #aaltokahvi'))
        result = throughput.measure(self.acme.pk, 200, batch=50)
        self.assertEqual((result["posts"], result["topics"]), (200, 1))
        self.assertGreater(result["stored"], 10)
        self.assertEqual(Mention.objects.count(), 0)
