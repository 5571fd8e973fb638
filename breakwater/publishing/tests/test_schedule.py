"""A scheduled post goes out once, at its instant in the workspace's time zone, across DST."""

from datetime import UTC, datetime, timedelta

from breakwater.outbox import actions as outbox
from breakwater.outbox.models import Delivery, DeliveryStatus
from breakwater.publishing import actions
from breakwater.publishing.actions import PostFields, VariantFields
from breakwater.publishing.models import Post, PostStatus, VariantStatus
from breakwater.test import BaseTestCase


def local(*args: int) -> datetime:
    return datetime(*args)  # naive: the workspace's time (Europe/Helsinki)  # noqa: DTZ001


class ScheduleTestCase(BaseTestCase):
    def schedule(self, when: datetime, text: str = "Hyvää huomenta!") -> Post:
        with self.captureOnCommitCallbacks(execute=False):
            return actions.do_create_post(self.bob, PostFields(
                text=text, variants=[VariantFields(channel=self.channel.pk)], scheduled_at=when))

    def tick(self, now: datetime) -> None:
        """One sweep of the worker at ``now``, then the outbox sends what was enqueued."""
        with self.captureOnCommitCallbacks(execute=False):
            actions.publish_due(now)
        for delivery in Delivery.objects.filter(status=DeliveryStatus.QUEUED):
            with self.captureOnCommitCallbacks(execute=True):
                outbox.do_deliver(delivery.pk)

    def test_it_stores_nine_in_helsinki_as_utc_on_both_sides_of_the_dst_change(self) -> None:
        summer = self.schedule(local(2026, 10, 24, 9, 0))
        winter = self.schedule(local(2026, 10, 25, 9, 0))
        self.assertEqual(summer.scheduled_at, datetime(2026, 10, 24, 6, 0, tzinfo=UTC))
        self.assertEqual(winter.scheduled_at, datetime(2026, 10, 25, 7, 0, tzinfo=UTC))
        self.assertEqual(summer.status, PostStatus.SCHEDULED)

    def test_it_sends_each_post_once_at_its_instant(self) -> None:
        summer = self.schedule(local(2026, 10, 24, 9, 0))
        winter = self.schedule(local(2026, 10, 25, 9, 0))
        minute = timedelta(minutes=1)
        self.tick(datetime(2026, 10, 24, 6, 0, tzinfo=UTC) - minute)
        self.assertEqual(Delivery.objects.count(), 0, "not a minute early")
        self.tick(datetime(2026, 10, 24, 6, 0, tzinfo=UTC))
        self.assertEqual(list(Delivery.objects.values_list("idempotency_key", flat=True)),
                         [f"post:{summer.pk}:variant:{summer.variants.get().pk}"])
        # 06:00 UTC on the 25th is 08:00 in Helsinki after the change: not yet.
        self.tick(datetime(2026, 10, 25, 6, 0, tzinfo=UTC))
        self.tick(datetime(2026, 10, 25, 7, 0, tzinfo=UTC) - minute)
        self.assertEqual(Delivery.objects.count(), 1)
        self.tick(datetime(2026, 10, 25, 7, 0, tzinfo=UTC))
        self.assertEqual(Delivery.objects.count(), 2)
        for _ in range(3):  # later sweeps, and another worker's, change nothing
            self.tick(datetime(2026, 10, 25, 7, 0, tzinfo=UTC))
        self.assertEqual(Delivery.objects.count(), 2)
        self.assertEqual(set(Delivery.objects.values_list("status", flat=True)), {"sent"})
        for post in (summer, winter):
            post.refresh_from_db()
            variant = post.variants.get()
            self.assertEqual((post.status, variant.status),
                             (PostStatus.PUBLISHED, VariantStatus.PUBLISHED))
            self.assertTrue(variant.external_id.startswith("demo-post-"))
            self.assertTrue(variant.external_url.startswith("https://demo.invalid/"))
            self.assertIsNotNone(variant.published_at)

    def test_a_second_sweep_in_the_same_instant_makes_no_second_delivery(self) -> None:
        post = self.schedule(local(2026, 10, 25, 9, 0))
        at = datetime(2026, 10, 25, 7, 0, tzinfo=UTC)
        with self.captureOnCommitCallbacks(execute=False):
            actions.publish_due(at)
        # As if the post's status had been lost (a worker that read it before the commit):
        Post.objects.filter(pk=post.pk).update(status=PostStatus.SCHEDULED)
        post.variants.update(delivery_ref="")
        with self.captureOnCommitCallbacks(execute=False):
            actions.publish_due(at)
        self.assertEqual(Delivery.objects.count(), 1, "the idempotency key allows one delivery")

    def test_a_draft_is_not_sent(self) -> None:
        with self.captureOnCommitCallbacks(execute=False):
            actions.do_create_post(self.bob, PostFields(
                text="Luonnos", variants=[VariantFields(channel=self.channel.pk)]))
        self.tick(datetime(2030, 1, 1, tzinfo=UTC))
        self.assertEqual(Delivery.objects.count(), 0)

    def test_a_failed_post_scheduled_again_retries_its_one_delivery(self) -> None:
        from breakwater.outbox.models import Delivery as D

        post = self.schedule(local(2026, 10, 25, 9, 0))
        at = datetime(2026, 10, 25, 7, 0, tzinfo=UTC)
        with self.captureOnCommitCallbacks(execute=False):
            actions.publish_due(at)
        delivery = D.objects.get()
        # The network refused it for good (as a permanent ConnectorError does):
        with self.captureOnCommitCallbacks(execute=False):
            outbox._save(delivery, status=DeliveryStatus.FAILED, error="refused")
        post.refresh_from_db()
        self.assertEqual((post.status, post.variants.get().error), (PostStatus.FAILED, "refused"))
        with self.captureOnCommitCallbacks(execute=False):
            actions.do_reschedule(self.bob, post.pk, local(2026, 10, 26, 9, 0))
        self.tick(datetime(2026, 10, 26, 7, 0, tzinfo=UTC))
        self.assertEqual(D.objects.count(), 1, "the same delivery, retried")
        post.refresh_from_db()
        self.assertEqual(post.status, PostStatus.PUBLISHED)
