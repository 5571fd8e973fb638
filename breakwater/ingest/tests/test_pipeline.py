from breakwater.inbox.models import Contact, Conversation, Identity, Message, Status
from breakwater.test import BASE_TIME, BaseTestCase


class PipelineTestCase(BaseTestCase):
    def test_it_stores_items_once_and_counts_duplicates(self) -> None:
        items = [self.item(), self.item(), self.item()]
        first = self.ingest(self.acme, items)
        self.assertEqual(
            first.as_dict(), {"received": 3, "created": 3, "duplicates": 0, "errors": []}
        )

        again = self.ingest(self.acme, items)
        self.assertEqual(
            again.as_dict(), {"received": 3, "created": 0, "duplicates": 3, "errors": []}
        )
        self.assertEqual(Message.objects.filter(channel=self.channel).count(), 3)
        self.assertEqual(
            Conversation.objects.get(thread_key=items[0]["external_id"]).message_count, 1
        )

    def test_it_drops_duplicates_within_one_batch(self) -> None:
        item = self.item()
        result = self.ingest(self.acme, [item, dict(item, text="edited copy"), self.item()])
        self.assertEqual((result.created, result.duplicates), (2, 1))
        stored = Message.objects.get(channel=self.channel, external_id=item["external_id"])
        self.assertEqual(stored.text, item["text"])

    def test_it_reports_malformed_items_by_index_and_keeps_good_ones(self) -> None:
        good1, good2 = self.item(), self.item()
        no_id = self.item()
        del no_id["external_id"]
        bad_kind = self.item(kind="telegram")
        items = [good1, "not an object", no_id, good2, bad_kind]
        result = self.ingest(self.acme, items)

        self.assertEqual((result.received, result.created), (5, 2))
        self.assertEqual([e.index for e in result.errors], [1, 2, 4])
        self.assertIn("expected a JSON object", result.errors[0].error)
        self.assertIn("external_id", result.errors[1].error)
        self.assertIn("kind", result.errors[2].error)
        self.assertEqual(
            set(Message.objects.values_list("external_id", flat=True)),
            {good1["external_id"], good2["external_id"]},
        )

    def test_it_threads_items_by_thread_key(self) -> None:
        post = self.item(kind="post", direction="out", author=None, text="Our new roast")
        comment = self.item(thread_key=post["external_id"], parent_external_id=post["external_id"])
        answer = self.item(
            thread_key=post["external_id"], parent_external_id=comment["external_id"]
        )
        # Without a thread key an item joins its parent's thread.
        by_parent = self.item(parent_external_id=post["external_id"])
        elsewhere = self.item()
        self.ingest(self.acme, [post, comment])
        self.ingest(self.acme, [answer, by_parent, elsewhere])

        conv = Conversation.objects.get(channel=self.channel, thread_key=post["external_id"])
        self.assertEqual(conv.message_count, 4)
        self.assertEqual(
            list(conv.messages.order_by("created_at").values_list("external_id", flat=True)),
            [
                post["external_id"],
                comment["external_id"],
                answer["external_id"],
                by_parent["external_id"],
            ],
        )
        self.assertEqual(conv.preview, by_parent["text"])
        self.assertEqual(Conversation.objects.filter(workspace=self.acme).count(), 2)

    def test_it_keeps_dm_threads_apart_from_comment_threads(self) -> None:
        person = {"external_id": "fan-1", "handle": "fan", "name": "A Fan"}
        dm1 = self.item(kind="dm", thread_key="dm:fan-1", author=person, text="Hi in private")
        dm2 = self.item(kind="dm", thread_key="dm:fan-1", author=person, text="Still there?")
        comment = self.item(kind="comment", thread_key="post-9", author=person)
        self.ingest(self.acme, [dm1, comment, dm2])

        dm_conv = Conversation.objects.get(thread_key="dm:fan-1")
        self.assertEqual((dm_conv.kind, dm_conv.message_count), ("dm", 2))
        self.assertFalse(dm_conv.messages.filter(is_public=True).exists())
        comment_conv = Conversation.objects.get(thread_key="post-9")
        self.assertEqual((comment_conv.kind, comment_conv.message_count), ("comment", 1))
        self.assertTrue(comment_conv.messages.get().is_public)
        # One person, one contact, on both threads.
        self.assertEqual(dm_conv.contact_id, comment_conv.contact_id)

    def test_it_resolves_identities_and_reuses_them_across_batches(self) -> None:
        person = {
            "external_id": "u-42",
            "handle": "kahvifani",
            "name": "Kahvi Fani",
            "avatar_url": "https://demo.invalid/a.png",
        }
        self.ingest(self.acme, [self.item(author=person), self.item(author=person)])
        self.ingest(self.acme, [self.item(author=person)])

        identity = Identity.objects.get(workspace=self.acme, network="demo", external_id="u-42")
        self.assertEqual((identity.handle, identity.name), ("kahvifani", "Kahvi Fani"))
        self.assertEqual(identity.contact.name, "Kahvi Fani")
        self.assertEqual(Contact.objects.filter(workspace=self.acme).count(), 1)
        messages = Message.objects.filter(channel=self.channel)
        self.assertEqual({m.author_id for m in messages}, {identity.pk})
        self.assertEqual(
            set(Conversation.objects.values_list("contact_id", flat=True)), {identity.contact_id}
        )

        # The same network id in another workspace is another person.
        self.ingest(self.other, [self.item(channel=self.other_channel.pk, author=person)])
        self.assertEqual(Identity.objects.filter(external_id="u-42").count(), 2)

    def test_it_reopens_done_and_pending_conversations_on_new_inbound(self) -> None:
        for status in (Status.DONE, Status.PENDING):
            conv = self.conversation(thread_key=f"t-{status}")
            Conversation.objects.filter(pk=conv.pk).update(status=status)
            self.ingest(self.acme, [self.item(thread_key=f"t-{status}")])
            conv.refresh_from_db()
            self.assertEqual(conv.status, Status.OPEN)
            self.assertEqual(conv.message_count, 2)

    def test_it_does_not_reopen_on_an_older_inbound_item(self) -> None:
        conv = self.conversation(thread_key="late")
        Conversation.objects.filter(pk=conv.pk).update(status=Status.DONE)
        old = self.item(thread_key="late", created_at=(BASE_TIME.replace(year=2020)).isoformat())
        self.ingest(self.acme, [old])
        conv.refresh_from_db()
        self.assertEqual((conv.status, conv.message_count), (Status.DONE, 2))

    def test_it_sets_first_response_at_from_an_outbound_item(self) -> None:
        question = self.item(thread_key="q1")
        answer = self.item(
            thread_key="q1",
            direction="out",
            kind="reply",
            author={"external_id": "brand", "handle": "acme"},
        )
        self.ingest(self.acme, [question])
        conv = Conversation.objects.get(thread_key="q1")
        self.assertIsNone(conv.first_response_at)
        self.assertEqual(conv.first_inbound_at.isoformat(), question["created_at"])

        self.ingest(self.acme, [answer])
        conv.refresh_from_db()
        self.assertEqual(conv.first_response_at.isoformat(), answer["created_at"])
        self.assertEqual(conv.messages.get(external_id=answer["external_id"]).direction, "out")

    def test_it_creates_a_thread_of_only_the_brands_post_as_done(self) -> None:
        post = self.item(kind="post", direction="out", author=None, text="New seasonal drink")
        self.ingest(self.acme, [post])
        conv = Conversation.objects.get(thread_key=post["external_id"])
        self.assertEqual((conv.status, conv.kind), (Status.DONE, "post"))
        self.assertIsNone(conv.first_inbound_at)
        self.assertIsNone(conv.first_response_at)

        # The first comment on it makes it work to do.
        self.ingest(self.acme, [self.item(thread_key=post["external_id"])])
        conv.refresh_from_db()
        self.assertEqual((conv.status, conv.kind), (Status.OPEN, "comment"))
        self.assertIsNotNone(conv.contact_id)

    def test_it_rejects_items_for_a_channel_of_another_network_or_workspace(self) -> None:
        items = [
            self.item(),
            self.item(network="mastodon"),
            self.item(channel=self.other_channel.pk),
            self.item(channel=999_999),
        ]
        result = self.ingest(self.acme, items)
        self.assertEqual(result.created, 1)
        self.assertEqual([e.index for e in result.errors], [1, 2, 3])
        self.assertIn("network", result.errors[0].error)
        self.assertIn("not a channel of this workspace", result.errors[1].error)
        self.assertIn("not a channel of this workspace", result.errors[2].error)
        self.assertFalse(Message.objects.filter(channel=self.other_channel).exists())

    def test_it_lets_an_api_channel_carry_any_network(self) -> None:
        from breakwater.core.actions import do_create_channel

        api_channel = do_create_channel(self.alice, "api", "Our CRM")
        result = self.ingest(self.acme, [self.item(channel=api_channel.pk, network="crm")])
        self.assertEqual((result.created, result.errors), (1, []))
        self.assertEqual(Conversation.objects.get(channel=api_channel).network, "crm")
