from breakwater.core.actions import do_create_channel
from breakwater.core.errors import Invalid, NotFound
from breakwater.inbox import actions, queries
from breakwater.inbox.models import Conversation, ConversationTag, Status
from breakwater.inbox.queries import Filters
from breakwater.test import BASE_TIME, BaseTestCase


class QueriesTestCase(BaseTestCase):
    def ids(self, filters: Filters | None = None, member=None) -> list[int]:
        rows, _ = queries.list_conversations(member or self.bob, filters or Filters(), limit=200)
        return [c.pk for c in rows]

    def test_it_walks_every_conversation_once_across_pages_with_ties(self) -> None:
        same_time = BASE_TIME.isoformat()
        items = [self.item(created_at=same_time) for _ in range(7)]
        items += [self.item() for _ in range(5)]
        self.ingest(self.acme, items)
        self.conversation(workspace=self.other)
        expected = list(
            Conversation.objects.filter(workspace=self.acme)
            .order_by("-last_activity_at", "-pk")
            .values_list("pk", flat=True)
        )
        self.assertEqual(len(expected), 12)

        for limit in (1, 2, 3, 5, 7, 12, 50):
            seen: list[int] = []
            cursor = None
            pages = 0
            while True:
                rows, cursor = queries.list_conversations(self.bob, Filters(), cursor, limit)
                seen += [c.pk for c in rows]
                pages += 1
                self.assertLessEqual(len(rows), limit)
                if cursor is None:
                    break
            self.assertEqual(seen, expected, f"limit={limit}")
            self.assertEqual(pages, -(-12 // limit), f"limit={limit}")

    def test_it_rejects_a_bad_cursor_and_clamps_the_limit(self) -> None:
        with self.assertRaises(Invalid):
            queries.list_conversations(self.bob, Filters(), cursor="not-a-cursor")
        self.ingest(self.acme, [self.item() for _ in range(3)])
        rows, cursor = queries.list_conversations(self.bob, Filters(), limit=0)
        self.assertEqual(len(rows), 1)
        self.assertIsNotNone(cursor)

    def test_it_filters_by_status_network_channel_and_kind(self) -> None:
        api_channel = do_create_channel(self.alice, "api", "CRM")
        comment = self.conversation()
        dm = self.conversation(kind="dm")
        review = self.conversation(kind="review", channel=api_channel.pk, network="reviews")
        actions.do_set_status(self.bob, dm.pk, Status.DONE)

        self.assertEqual(set(self.ids()), {comment.pk, dm.pk, review.pk})
        self.assertEqual(set(self.ids(Filters(status="open"))), {comment.pk, review.pk})
        self.assertEqual(self.ids(Filters(status="done")), [dm.pk])
        self.assertEqual(self.ids(Filters(status="pending")), [])
        self.assertEqual(self.ids(Filters(network="reviews")), [review.pk])
        self.assertEqual(set(self.ids(Filters(channel=self.channel.pk))), {comment.pk, dm.pk})
        self.assertEqual(self.ids(Filters(kind="dm")), [dm.pk])
        self.assertEqual(self.ids(Filters(kind="dm", status="open")), [])
        with self.assertRaises(Invalid):
            self.ids(Filters(status="archived"))

    def test_it_filters_by_assignee(self) -> None:
        mine, bobs, nobodys = self.conversation(), self.conversation(), self.conversation()
        actions.do_assign(self.alice, mine.pk, self.alice.user_id)
        actions.do_assign(self.alice, bobs.pk, "bob@example.org")

        self.assertEqual(self.ids(Filters(assignee="me"), member=self.alice), [mine.pk])
        self.assertEqual(self.ids(Filters(assignee="me"), member=self.bob), [bobs.pk])
        self.assertEqual(self.ids(Filters(assignee="none")), [nobodys.pk])
        self.assertEqual(self.ids(Filters(assignee=str(self.bob.user_id))), [bobs.pk])
        self.assertEqual(self.ids(Filters(assignee="BOB@example.org")), [bobs.pk])
        self.assertEqual(self.ids(Filters(assignee="me"), member=self.vera), [])

    def test_it_filters_by_tag(self) -> None:
        vip, plain = self.conversation(), self.conversation()
        actions.do_tag(self.bob, vip.pk, ["vip"])
        other = self.conversation(workspace=self.other)
        actions.do_tag(self.charlie, other.pk, ["vip"])

        self.assertEqual(self.ids(Filters(tag="vip")), [vip.pk])
        self.assertEqual(self.ids(Filters(tag="no-such-tag")), [])
        self.assertEqual(self.ids(Filters(tag="vip"), member=self.charlie), [other.pk])
        self.assertNotIn(plain.pk, self.ids(Filters(tag="vip")))

    def test_it_keeps_the_tag_filter_in_step_with_status_and_activity(self) -> None:
        """A tag filter reads the tag links' copy of status and activity: every writer that
        changes them (actions, replies, ingest) must keep the copy in step."""
        first = self.conversation(thread_key="first")
        second = self.conversation(thread_key="second")
        actions.do_tag(self.bob, first.pk, ["vip"])
        actions.do_tag(self.bob, second.pk, ["vip"])
        self.assertEqual(self.ids(Filters(tag="vip", status="open")), [second.pk, first.pk])

        actions.do_set_status(self.bob, second.pk, Status.DONE)
        self.assertEqual(self.ids(Filters(tag="vip", status="open")), [first.pk])
        self.assertEqual(self.ids(Filters(tag="vip", status="done")), [second.pk])
        self.assertEqual(
            queries.status_counts(self.bob, Filters(tag="vip")),
            {"open": 1, "pending": 0, "done": 1},
        )
        # A new inbound message reopens the done one and moves it to the top.
        self.ingest(self.acme, [self.item(thread_key="second", text="still waiting")])
        self.assertEqual(self.ids(Filters(tag="vip", status="open")), [second.pk, first.pk])
        # A reply is activity too.
        actions.do_reply(self.bob, first.pk, "Thanks, on it!")
        self.assertEqual(self.ids(Filters(tag="vip", status="open")), [first.pk, second.pk])
        # Pages by cursor walk the same order.
        rows, cursor = queries.list_conversations(self.bob, Filters(tag="vip"), limit=1)
        self.assertEqual([c.pk for c in rows], [first.pk])
        rows, cursor = queries.list_conversations(self.bob, Filters(tag="vip"), cursor, limit=1)
        self.assertEqual(([c.pk for c in rows], cursor), ([second.pk], None))
        for conv in Conversation.objects.filter(pk__in=[first.pk, second.pk]):
            for link in ConversationTag.objects.filter(conversation=conv):
                self.assertEqual(
                    (link.status, link.last_activity_at), (conv.status, conv.last_activity_at)
                )

    def test_it_searches_previews_and_message_texts(self) -> None:
        conv = self.conversation(thread_key="t", text="I want a REFUND for my beans")
        self.ingest(self.acme, [self.item(thread_key="t", text="any news?")])
        self.conversation(text="Lovely latte")
        conv.refresh_from_db()
        self.assertEqual(conv.preview, "any news?")

        self.assertEqual(self.ids(Filters(q="refund")), [conv.pk])  # an older message
        self.assertEqual(self.ids(Filters(q="NEWS")), [conv.pk])  # the preview
        self.assertEqual(len(self.ids(Filters(q="latte"))), 1)
        self.assertEqual(self.ids(Filters(q="latte"), member=self.charlie), [])

    def test_it_counts_per_status_under_the_other_filters(self) -> None:
        convs = [self.conversation() for _ in range(4)]
        dm = self.conversation(kind="dm")
        actions.do_set_status(self.bob, convs[0].pk, Status.DONE)
        actions.do_set_status(self.bob, convs[1].pk, Status.PENDING)
        actions.do_set_status(self.bob, dm.pk, Status.PENDING)
        self.conversation(workspace=self.other)

        self.assertEqual(
            queries.status_counts(self.bob, Filters()), {"open": 2, "pending": 2, "done": 1}
        )
        # The status filter itself is ignored: the counts are for the tabs.
        self.assertEqual(
            queries.status_counts(self.bob, Filters(status="done", kind="comment")),
            {"open": 2, "pending": 1, "done": 1},
        )
        self.assertEqual(
            queries.status_counts(self.charlie, Filters()), {"open": 1, "pending": 0, "done": 0}
        )

    def test_it_lists_in_a_fixed_number_of_queries(self) -> None:
        self.ingest(self.acme, [self.item() for _ in range(30)])
        convs = Conversation.objects.filter(workspace=self.acme)
        for i, conv in enumerate(convs):
            actions.do_tag(self.bob, conv.pk, ["a", "b"] if i % 2 else ["c"])
            if i % 3 == 0:
                actions.do_assign(self.bob, conv.pk, self.alice.user_id)

        for limit in (1, 10, 50):
            # One for the rows (channel, contact and assignee joined), one for their tags.
            with self.assertNumQueries(2):
                rows, _ = queries.list_conversations(self.bob, Filters(), limit=limit)
                for conv in rows:
                    _ = (
                        conv.channel.name,
                        conv.contact and conv.contact.name,
                        conv.assignee and conv.assignee.email,
                        conv.tag_list,
                    )
            # A tag filter looks the tag up inside the list's query.
            with self.assertNumQueries(2):
                queries.list_conversations(self.bob, Filters(tag="a", assignee="none"), limit=limit)
        with self.assertNumQueries(3):
            queries.status_counts(self.bob, Filters())
        with self.assertNumQueries(3):
            queries.status_counts(self.bob, Filters(tag="a"))

    def test_it_opens_one_conversation_of_the_members_workspace_only(self) -> None:
        conv = self.conversation()
        actions.do_tag(self.bob, conv.pk, ["b", "a"])
        opened = queries.get_conversation(self.vera, conv.pk)
        self.assertEqual([t.name for t in opened.tag_list], ["a", "b"])
        self.assertEqual(len(queries.thread_messages(opened)), 1)
        with self.assertRaises(NotFound):
            queries.get_conversation(self.charlie, conv.pk)
