"""Stream sources without a network: who may have one, the API and the sources page, the
worker leaving them to ``breakwater listen``, and partitions by author. (The firehose itself is
read against the real Bluesky stack in ``connectors/bluesky/tests/test_listen_stream.py``.)"""

from datetime import UTC, datetime

from breakwater.connectors.base import Author, InboundItem
from breakwater.core.models import Channel
from breakwater.listening import actions, sources
from breakwater.listening.models import Source
from breakwater.test import BaseTestCase


class StreamSourceTestCase(BaseTestCase):
    def setUp(self):
        self.bluesky = Channel.objects.create(workspace=self.acme, network="bluesky",
                                              name="Bluesky", config={})

    def create(self, token, **body):
        return self.api("post", "/api/v1/sources", token, json={"name": "Firehose", **body})

    def test_only_a_channel_with_a_public_stream_can_be_a_stream_source(self):
        self.assertTrue(actions.can_stream("bluesky"))
        self.assertFalse(actions.can_stream("demo"))
        self.assertFalse(actions.can_stream("rss"))
        r = self.create(self.alice_token, kind="stream", channel=self.channel.pk)
        self.assertEqual(r.status_code, 422, r.content)
        self.assertIn("no public stream", r.json()["error"])
        self.assertEqual(self.create(self.alice_token, kind="stream").status_code, 422)
        foreign = self.create(self.alice_token, kind="stream", channel=self.other_channel.pk)
        self.assertEqual(foreign.status_code, 404)
        self.assertEqual(self.create(self.bob_token, kind="stream",
                                     channel=self.bluesky.pk).status_code, 403)

    def test_a_stream_source_is_dedicated_and_the_worker_leaves_it(self):
        r = self.create(self.alice_token, kind="stream", channel=self.bluesky.pk,
                        query="ignored")
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual((body["kind"], body["dedicated"], body["query"], body["channel"]),
                         ("stream", True, "", self.bluesky.pk))
        self.assertEqual(body["health"]["per_day"], 0)
        self.assertEqual(sources.claim_due(100), [])
        listed = self.api("get", "/api/v1/sources", self.alice_token).json()
        self.assertEqual([s["id"] for s in listed], [body["id"]])
        self.assertEqual(self.api("get", "/api/v1/sources", self.charlie_token).json(), [])
        # Even a stream someone marked shared is not the worker's.
        Source.objects.filter(pk=body["id"]).update(dedicated=False)
        self.assertEqual(sources.claim_due(100), [])

    def test_the_sources_page_offers_a_stream_and_says_it_needs_its_own_process(self):
        self.client.force_login(self.alice.user)
        page = self.client.get("/listening/sources/").content.decode()
        self.assertIn('<option value="stream">', page)
        self.assertIn(f'<option value="{self.bluesky.pk}">Bluesky</option>', page)
        self.assertIn("breakwater listen --source ID", page)
        r = self.client.post("/listening/sources/do/", {
            "command": "add", "kind": "stream", "name": "Koko Bluesky",
            "channel": str(self.bluesky.pk)})
        self.assertEqual(r.status_code, 302)
        source = Source.objects.get(name="Koko Bluesky")
        self.assertTrue(source.dedicated)
        page = self.client.get("/listening/sources/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
        self.assertIn("jokainen julkinen julkaisu", page)

    def test_partitions_split_a_stream_by_author(self):
        def item(author, n):
            return InboundItem(network="bluesky", channel=1, external_id=f"at://{author}/p/{n}",
                               kind="mention", created_at=datetime.now(UTC),
                               author=Author(external_id=author))

        parts = [sources.Partition(i, 3) for i in range(3)]
        for a in range(30):
            owners = {p.index for n in range(4) for p in parts
                      if p.owns_author(item(f"did:plc:{a}", n))}
            self.assertEqual(len(owners), 1, "one author's posts all go to one partition")
        counts = [sum(p.owns_author(item(f"did:plc:{a}", 0)) for a in range(300)) for p in parts]
        self.assertTrue(all(c > 50 for c in counts), counts)

    def test_the_stream_measurement_runs_the_consumer_path_and_leaves_nothing(self):
        from breakwater.listening import throughput
        from breakwater.listening.actions import TopicFields
        from breakwater.listening.models import Mention

        actions.do_create_topic(self.alice, TopicFields("Aalto", '"Aalto Kahvi" OR #aaltokahvi'))
        source = actions.do_create_source(self.alice, actions.SourceFields(
            "stream", "Firehose", channel_id=self.bluesky.pk))
        result = throughput.measure_stream(source.pk, 300, sources.Partition(0, 2))
        self.assertEqual(result["posts"], 300)
        self.assertGreater(result["matched"], 0)
        self.assertEqual(result["matched"], result["stored"])
        self.assertLess(result["matched"], 300 * 0.2)  # a half's share of the fifth that match
        self.assertGreater(result["stream_posts_per_second"], 0)
        self.assertFalse(Mention.objects.exists())
        source.refresh_from_db()
        self.assertEqual((source.cursor, source.partition_cursors), ("", {}))
