from unittest import mock

from breakwater.inbox.models import Message
from breakwater.ingest import queue
from breakwater.ingest.models import EventState, InboundEvent
from breakwater.ingest.pipeline import ingest_items
from breakwater.test import BaseTestCase


class QueueTestCase(BaseTestCase):
    def test_it_stores_items_and_drains_them(self) -> None:
        items = [self.item() for _ in range(5)]
        self.assertEqual(queue.enqueue(self.acme.pk, items), 5)
        self.assertEqual(queue.pending_count(), 5)
        self.assertFalse(Message.objects.exists())

        self.assertEqual(queue.drain_once(batch_size=3), 3)
        self.assertEqual(queue.pending_count(), 2)
        self.assertEqual(queue.drain_all(), 2)
        self.assertEqual(queue.drain_once(), 0)

        self.assertEqual(InboundEvent.objects.filter(state=EventState.DONE).count(), 5)
        event = InboundEvent.objects.first()
        self.assertEqual((event.attempts, event.error), (1, ""))
        self.assertIsNotNone(event.processed_at)
        self.assertEqual(Message.objects.filter(channel=self.channel).count(), 5)

    def test_it_drains_several_workspaces_in_one_batch(self) -> None:
        queue.enqueue(self.acme.pk, [self.item()])
        queue.enqueue(self.other.pk, [self.item(channel=self.other_channel.pk)])
        # Acme may not write into the other workspace's channel, even through the queue.
        queue.enqueue(self.acme.pk, [self.item(channel=self.other_channel.pk)])
        queue.drain_all()
        self.assertEqual(Message.objects.filter(workspace=self.acme).count(), 1)
        self.assertEqual(Message.objects.filter(workspace=self.other).count(), 1)
        failed = InboundEvent.objects.get(state=EventState.FAILED)
        self.assertEqual(failed.workspace_id, self.acme.pk)
        self.assertIn("not a channel of this workspace", failed.error)

    def test_it_marks_invalid_items_failed_with_their_error(self) -> None:
        queue.enqueue(self.acme.pk, [self.item(), {"network": "demo"}, self.item(kind="x")])
        queue.drain_all()
        states = list(InboundEvent.objects.order_by("id").values_list("state", "error"))
        self.assertEqual([s for s, _ in states], ["done", "failed", "failed"])
        self.assertIn("external_id", states[1][1])
        self.assertIn("kind", states[2][1])
        self.assertEqual(Message.objects.count(), 1)

    def test_it_isolates_a_poison_event_and_processes_the_others(self) -> None:
        items = [self.item(), self.item(external_id="poison"), self.item(), self.item()]
        queue.enqueue(self.acme.pk, items)

        def exploding(workspace_id: int, payloads: list) -> object:
            if any(p.get("external_id") == "poison" for p in payloads):
                raise RuntimeError("the pipeline choked")
            return ingest_items(workspace_id, payloads)

        with (
            mock.patch.object(queue, "ingest_items", side_effect=exploding),
            self.assertLogs("breakwater.ingest.queue", "ERROR"),
        ):
            queue.drain_all()

        self.assertEqual(queue.pending_count(), 0)
        poison = InboundEvent.objects.get(payload__external_id="poison")
        self.assertEqual((poison.state, poison.attempts), (EventState.FAILED, queue.MAX_ATTEMPTS))
        self.assertEqual(poison.error, "RuntimeError: the pipeline choked")
        self.assertEqual(InboundEvent.objects.filter(state=EventState.DONE).count(), 3)
        self.assertEqual(
            set(Message.objects.values_list("external_id", flat=True)),
            {items[0]["external_id"], items[2]["external_id"], items[3]["external_id"]},
        )

    def test_it_is_harmless_to_drain_the_same_items_twice(self) -> None:
        items = [self.item(), self.item()]
        queue.enqueue(self.acme.pk, items)
        queue.enqueue(self.acme.pk, items)  # a redelivered webhook
        queue.drain_all()
        self.assertEqual(InboundEvent.objects.filter(state=EventState.DONE).count(), 4)
        self.assertEqual(Message.objects.count(), 2)
