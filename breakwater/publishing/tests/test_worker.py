"""Real ``breakwater worker`` processes publish scheduled posts on a (loopback) Mastodon
server, going by a clock the test moves: 09:00 in Helsinki is 06:00 UTC before the DST
change of 2026-10-25 and 07:00 UTC after it. A worker killed while handing a post to the
outbox, and a worker started again right after the post went out, send nothing twice.
Replies to the published post then land in the inbox thread of that post."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from django.test import TransactionTestCase

from breakwater.connectors.mastodon.tests.fake_server import fake_mastodon
from breakwater.core.actions import do_create_channel, do_create_user
from breakwater.core.models import Role, WorkerHeartbeat
from breakwater.inbox.models import Message
from breakwater.outbox.models import Delivery
from breakwater.publishing.actions import PostFields, VariantFields, do_create_post
from breakwater.publishing.models import Post, PostStatus, Variant
from breakwater.test import WorkerProcesses


@pytest.mark.django_db(transaction=True)
class PublishWorkerTestCase(WorkerProcesses, TransactionTestCase):
    def set_clock(self, iso: str) -> None:
        self.clock.write_text(iso)

    def published(self, post: Post) -> bool:
        return Post.objects.get(pk=post.pk).status == PostStatus.PUBLISHED

    def beats(self, proc: object) -> int:
        seen = WorkerHeartbeat.objects.filter(name__endswith=f":{proc.pid}").first()  # type: ignore[attr-defined]
        return 0 if seen is None else int(seen.seen_at.timestamp() * 1000)

    def test_it_publishes_once_at_nine_in_helsinki_across_the_dst_change(self) -> None:
        fake = self.enterContext(fake_mastodon())
        brand, brand_token = fake.register("aalto", "Aalto Kahvi")
        _, maija_token = fake.register("maija")
        member = do_create_user("owner@example.org", "long enough pw", "pub", Role.OWNER)
        channel = do_create_channel(member, "mastodon", "Aalto Mastodonissa",
                                    {"base_url": fake.base, "access_token": brand_token})
        summer = do_create_post(member, PostFields(
            text="Lauantain aamukahvi on valmis", variants=[VariantFields(channel=channel.pk)],
            scheduled_at=datetime(2026, 10, 24, 9, 0)))  # noqa: DTZ001 (Helsinki time)
        winter = do_create_post(member, PostFields(
            text="Sunnuntain aamukahvi on valmis", variants=[VariantFields(channel=channel.pk)],
            scheduled_at=datetime(2026, 10, 25, 9, 0)))  # noqa: DTZ001
        tmp = Path(tempfile.mkdtemp())
        log, self.clock = tmp / "worker.log", tmp / "clock"
        self.set_clock("2026-10-25T06:30:00+00:00")

        def posts_sent() -> int:
            return len([r for r in fake.requests
                        if r["method"] == "POST" and r["path"] == "/api/v1/statuses"])

        # 1. Killed inside the transaction that hands the summer post to the outbox.
        first = self.start_worker(log, BREAKWATER_CLOCK_FILE=str(self.clock),
                                  BREAKWATER_PUBLISH_FAULT_PAUSE="120")
        self.wait_for("the scheduler to hold its transaction",
                      lambda: "pausing" in log.read_text(errors="replace"), first, log)
        self.kill(first)
        self.assertEqual((Delivery.objects.count(), posts_sent()), (0, 0))

        # 2. The next worker sends the summer post (due 06:00 UTC), not the winter one (07:00).
        second = self.start_worker(log, BREAKWATER_CLOCK_FILE=str(self.clock))
        self.wait_for("the summer post", lambda: self.published(summer), second, log)
        self.assertFalse(self.published(winter))
        self.assertEqual(posts_sent(), 1)

        # 3. 07:00 UTC: the winter post goes; the worker is killed at once and a new one starts
        #    at the same instant.
        self.set_clock("2026-10-25T07:00:00+00:00")
        self.wait_for("the winter post", lambda: self.published(winter), second, log)
        self.kill(second)
        third = self.start_worker(log, BREAKWATER_CLOCK_FILE=str(self.clock))
        self.wait_for("the new worker's first beat", lambda: self.beats(third) > 0, third, log)
        beat = self.beats(third)
        self.wait_for("a full round of the new worker", lambda: self.beats(third) > beat, third, log)
        self.assertEqual(posts_sent(), 2)
        self.assertEqual(len(fake.statuses_of(brand["id"])), 2)
        self.assertEqual(Delivery.objects.count(), 2)
        variant = Variant.objects.get(post=winter)
        status = next(s for s in fake.statuses_of(brand["id"]) if "Sunnuntain" in s["content"])
        self.assertEqual((variant.external_id, variant.external_url), (status["id"], status["url"]))

        # 4. A reply to the published post comes into the inbox thread of that post.
        fake.client(maija_token).status_post("@aalto Kiitos, tulen!", in_reply_to_id=status["id"])
        self.wait_for("the reply in the inbox", lambda: Message.objects.filter(
            conversation__thread_key=variant.external_id, text__contains="Kiitos").exists(),
            third, log)
