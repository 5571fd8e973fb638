"""Filing messages as feedback, the grouped view, categories and destinations."""

from datetime import timedelta

from django.utils import timezone

from breakwater.core.errors import Conflict, Forbidden, Invalid, NotFound
from breakwater.core.models import AuditLog
from breakwater.feedback import actions, queries
from breakwater.feedback.models import STARTER_CATEGORIES, Category
from breakwater.feedback.queries import FeedbackFilters
from breakwater.inbox import actions as inbox
from breakwater.inbox.models import Message
from breakwater.test import BaseTestCase


class FeedbackTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cats = {c.name: c for c in queries.categories(self.bob)}

    def message(self, workspace=None, **item) -> Message:
        conv = self.conversation(workspace, **item)
        return Message.objects.get(conversation=conv)

    def test_every_workspace_starts_with_the_starter_set(self) -> None:
        self.assertEqual([c.name for c in queries.categories(self.bob)], list(STARTER_CATEGORIES))
        self.assertEqual(len(queries.categories(self.charlie)), len(STARTER_CATEGORIES))

    def test_it_files_changes_and_removes_feedback(self) -> None:
        m = self.message(text="The app crashes when I pay")
        actions.do_tag_feedback(self.bob, m.pk, self.cats["Bug"].pk, "iOS 18")
        filed = actions.do_tag_feedback(self.bob, m.pk, self.cats["Product"].pk)
        self.assertEqual(
            (filed.category.name, filed.note, filed.created_by_id),
            ("Product", "", self.bob.user_id),
        )
        self.assertEqual(
            list(
                AuditLog.objects.filter(action__startswith="feedback.")
                .values_list("action", flat=True)
                .order_by("pk")
            ),
            ["feedback.tagged", "feedback.changed"],
        )
        actions.do_remove_feedback(self.bob, m.pk)
        self.assertEqual(queries.groups(self.bob, FeedbackFilters()), [])
        with self.assertRaises(NotFound):
            actions.do_remove_feedback(self.bob, m.pk)

    def test_it_groups_by_category_with_counts_and_recent_examples(self) -> None:
        bugs = [self.message(text=f"bug {i}") for i in range(4)]
        praise = self.message(text="Lovely service!")
        for m in bugs:
            actions.do_tag_feedback(self.bob, m.pk, self.cats["Bug"].pk)
        actions.do_tag_feedback(self.bob, praise.pk, self.cats["Praise"].pk)
        groups = queries.groups(self.bob, FeedbackFilters())
        self.assertEqual([(g.category.name, g.count) for g in groups], [("Bug", 4), ("Praise", 1)])
        self.assertEqual([f.message_id for f in groups[0].examples], [m.pk for m in bugs[::-1][:3]])
        only = queries.groups(self.bob, FeedbackFilters(category=self.cats["Praise"].pk))
        self.assertEqual([g.category.name for g in only], ["Praise"])
        later = queries.groups(self.bob, FeedbackFilters(since=timezone.now() + timedelta(hours=1)))
        self.assertEqual(later, [])
        self.assertEqual(
            queries.groups(self.bob, FeedbackFilters(channel=self.other_channel.pk)), []
        )
        self.assertEqual(queries.groups(self.charlie, FeedbackFilters()), [])

    def test_it_refuses_what_it_must(self) -> None:
        m = self.message()
        theirs = self.message(self.other)
        with self.assertRaises(Forbidden):
            actions.do_tag_feedback(self.vera, m.pk, self.cats["Bug"].pk)
        with self.assertRaises(NotFound):
            actions.do_tag_feedback(self.bob, theirs.pk, self.cats["Bug"].pk)
        their_cat = queries.categories(self.charlie)[0]
        with self.assertRaises(NotFound):
            actions.do_tag_feedback(self.bob, m.pk, their_cat.pk)
        inbox.do_reply(self.bob, m.conversation_id, "Thanks!")
        reply = Message.objects.get(conversation_id=m.conversation_id, direction="out")
        with self.assertRaisesRegex(Invalid, "only messages people sent"):
            actions.do_tag_feedback(self.bob, reply.pk, self.cats["Bug"].pk)

    def test_managers_edit_categories(self) -> None:
        with self.assertRaises(Forbidden):
            actions.do_create_category(self.bob, "Pricing")
        pricing = actions.do_create_category(self.alice, "Pricing")
        self.assertEqual(queries.categories(self.bob)[-1], pricing)
        with self.assertRaises(Conflict):
            actions.do_create_category(self.alice, "Bug")
        actions.do_rename_category(self.alice, pricing.pk, "Prices")
        m = self.message()
        actions.do_tag_feedback(self.bob, m.pk, pricing.pk)
        with self.assertRaisesRegex(Conflict, "1 messages are filed"):
            actions.do_delete_category(self.alice, pricing.pk)
        actions.do_remove_feedback(self.bob, m.pk)
        actions.do_delete_category(self.alice, pricing.pk)
        self.assertFalse(Category.objects.filter(pk=pricing.pk).exists())

    def test_destinations_are_checked(self) -> None:
        with self.assertRaisesRegex(Invalid, "not an email address"):
            actions.do_create_destination(self.alice, "Product", "email", "product-at-acme")
        with self.assertRaisesRegex(Invalid, "http"):
            actions.do_create_destination(self.alice, "Slack", "webhook", "ftp://x")
        with self.assertRaises(Forbidden):
            actions.do_create_destination(self.bob, "Slack", "webhook", "https://hooks.example/x")
        dest = actions.do_create_destination(
            self.alice, "Slack", "webhook", "https://hooks.example/x"
        )
        entry = AuditLog.objects.get(action="feedback_destination.created")
        self.assertNotIn("hooks.example", str(entry.data))  # the URL is a secret
        with self.assertRaises(NotFound):
            actions.do_delete_destination(self.charlie, dest.pk)
        actions.do_delete_destination(self.alice, dest.pk)
