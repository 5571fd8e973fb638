"""Listening to the Bluesky firehose against the real stack: customers post, a stream source's
consumer (``sources.consume_stream``, as ``breakwater listen --source ID`` runs it) stores the
posts that match a topic, resumes from its saved cursor, and partitions split the stream."""

from __future__ import annotations

from breakwater.connectors.bluesky.tests.test_server import BlueskyTestCase
from breakwater.core.models import Channel
from breakwater.listening import actions, sources
from breakwater.listening.actions import TopicFields
from breakwater.listening.models import Mention, Source, TopicMention


class StreamSourceTestCase(BlueskyTestCase):
    def stream_source(self, channel: Channel) -> Source:
        response = self.api("post", "/api/v1/sources", self.alice_token, json={
            "kind": "stream", "name": "Bluesky firehose", "channel": channel.pk})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual((response.json()["kind"], response.json()["dedicated"]), ("stream", True))
        source = Source.objects.get(pk=response.json()["id"])
        # From the start of the stack's stream (the PDS keeps a day of it): what the customers
        # posted before this test is read, deterministically, without racing the post.
        Source.objects.filter(pk=source.pk).update(cursor="0")
        source.refresh_from_db()
        return source

    def mentions_of(self, *dids: str) -> list[Mention]:
        return list(Mention.objects.filter(workspace=self.acme, external_id__regex="|".join(
            f"^at://{d}/" for d in dids)).order_by("pk"))

    def test_a_firehose_source_stores_matching_posts_once_and_resumes(self) -> None:
        topic = actions.do_create_topic(self.alice, TopicFields("Kauramaito", "kauramaito"))
        channel = self.connect()
        source = self.stream_source(channel)
        self.assertTrue(source.dedicated)
        self.assertNotIn(source.pk, sources.claim_due(100))  # the worker leaves a stream alone

        matching = self.stack.post(self.customer, "Latte kauramaidolla, kiitos!")
        self.stack.post(self.customer, "Tänään sataa lunta koko päivän")
        first = sources.consume_stream(source.pk, once=True)

        found = self.mentions_of(self.customer.did)
        self.assertEqual([m.external_id for m in found], [matching["uri"]])
        self.assertEqual(found[0].author, self.customer.handle)
        self.assertEqual(found[0].source_id, source.pk)
        self.assertTrue(found[0].url.startswith("https://bsky.app/profile/"))
        self.assertEqual(list(TopicMention.objects.filter(mention=found[0])
                              .values_list("topic_id", flat=True)), [topic.pk])
        source.refresh_from_db()
        self.assertTrue(source.cursor.isdigit() and int(source.cursor) > 0, source.cursor)
        self.assertGreaterEqual(source.items_seen, 2)
        self.assertEqual((source.last_error, first.duplicates), ("", 0))

        # A restart reads from the saved cursor: only the new post, nothing again.
        cursor = int(source.cursor)
        later = self.stack.post(self.customer, "Onko teillä kauramaitoa?")
        again = sources.consume_stream(source.pk, once=True)
        self.assertEqual((again.stored, again.duplicates), (1, 0))
        self.assertEqual([m.external_id for m in self.mentions_of(self.customer.did)],
                         [matching["uri"], later["uri"]])
        source.refresh_from_db()
        self.assertGreater(int(source.cursor), cursor)
        health = dict(actions_queries_sources(self))[source.pk]
        self.assertEqual(health["last_error"], "")
        self.assertIsNotNone(health["delay_seconds"])

    def test_two_partitions_see_each_post_exactly_once(self) -> None:
        actions.do_create_topic(self.alice, TopicFields("Kauramaito", "kauramaito"))
        source = self.stream_source(self.connect())
        authors = [self.customer] + [self.stack.account(f"asiakas{i}") for i in range(5)]
        posts = {self.stack.post(a, f"Kauramaito {i} on paras")["uri"]
                 for i, a in enumerate(authors)}
        dids = [a.did for a in authors]

        results = [sources.consume_stream(source.pk, sources.Partition(i, 2), once=True)
                   for i in range(2)]
        mine = [{m.external_id for m in Mention.objects.filter(pk__in=r.mention_ids)
                 if m.external_id in posts} for r in results]
        self.assertEqual(mine[0] & mine[1], set())
        self.assertEqual(mine[0] | mine[1], posts)
        self.assertTrue(mine[0] and mine[1], "six authors, both partitions get some")
        self.assertEqual([r.duplicates for r in results], [0, 0])
        self.assertEqual({m.external_id for m in self.mentions_of(*dids)}, posts)
        source.refresh_from_db()
        self.assertEqual(set(source.partition_cursors), {"0/2", "1/2"})

        # Each partition resumes from its own cursor: nothing again.
        for i in range(2):
            self.assertEqual(sources.consume_stream(source.pk, sources.Partition(i, 2),
                                                    once=True).stored, 0)


def actions_queries_sources(case: StreamSourceTestCase) -> list[tuple[int, dict]]:
    from breakwater.listening import queries

    return [(s.pk, h) for s, h in queries.sources(case.alice)]
