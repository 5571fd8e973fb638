"""Alerts: a planted spike over a weekly pattern alerts once, delivered once to a local
webhook receiver with a valid signature; high-reach mentions alert; email goes out."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from breakwater.connectors.api.connector import SIGNATURE_HEADER, sign
from breakwater.listening import actions, alerts, queries, store
from breakwater.listening.actions import TopicFields
from breakwater.listening.models import Alert, AlertDelivery, AlertKind, DeliveryStatus
from breakwater.listening.store import Candidate
from breakwater.outbox.tests.receiver import Answer, receiver
from breakwater.test import BaseTestCase


class AlertsTestCase(BaseTestCase):
    def setUp(self):
        self.topic = actions.do_create_topic(self.alice, TopicFields("Aalto", "aalto*"))
        self.now = timezone.now().replace(minute=30, second=0, microsecond=0)
        self.n = 0

    def mentions_at(self, at, count, word="kahvi", **kw):
        batch = []
        for _ in range(count):
            self.n += 1
            batch.append(Candidate(network="bluesky", external_id=f"p{self.n}",
                                   text=f"Aalto {word} viesti numero {self.n} tänään",
                                   created_at=at, **kw))
        store.store(self.acme.pk, batch)

    def weekly_history(self):
        """Four weeks: two mentions an hour around the clock, the same hour every week."""
        for week in range(1, 5):
            for hours_ago in range(0, 6):
                self.mentions_at(self.now - timedelta(weeks=week, hours=hours_ago), 2)

    def test_a_spike_alerts_once_and_is_delivered_once_to_the_webhook(self):
        self.weekly_history()
        self.mentions_at(self.now - timedelta(hours=1), 2)  # ordinary
        self.assertEqual(alerts.check_topic(self.topic, now=self.now), [])
        self.mentions_at(self.now, 25, word="hinnankorotus")  # the planted spike
        with receiver(Answer(500), Answer(200)) as hook:
            destination = actions.do_create_destination(self.alice, "webhook", hook.url)
            [alert] = alerts.check_topic(self.topic, now=self.now)
            self.assertEqual(alert.kind, AlertKind.SPIKE)
            self.assertEqual(alerts.check_topic(self.topic, now=self.now), [])  # same event
            self.assertEqual(alerts.check_topic(self.topic, now=self.now + timedelta(hours=1)),
                             [])  # quiet period
            self.assertEqual(alerts.deliver_due(), 1)  # 500: retried later
            AlertDelivery.objects.update(next_attempt_at=timezone.now())
            self.assertEqual(alerts.deliver_due(), 1)
            self.assertEqual(alerts.deliver_due(), 0)
            self.assertEqual(len(hook.requests), 2)
        request = hook.requests[-1]
        self.assertEqual(request.headers[SIGNATURE_HEADER], sign(destination.secret, request.body))
        self.assertEqual(request.json()["alert"]["id"], alert.pk)
        self.assertEqual(AlertDelivery.objects.get().status, DeliveryStatus.SENT)
        explained = queries.explain_spike(self.alice, self.topic.pk,
                                          alert.created_at.replace(minute=0) - timedelta(hours=1),
                                          self.now + timedelta(hours=1))
        self.assertIn("hinnankorotus", explained["terms"][0]["term"])
        self.assertTrue(explained["examples"])

    def test_a_high_reach_mention_alerts_by_email(self):
        actions.do_create_destination(self.alice, "email", "team@example.org")
        self.mentions_at(self.now, 1, reach=50_000)
        self.mentions_at(self.now, 1, reach=10)
        [alert] = Alert.objects.all()
        self.assertEqual(alert.kind, AlertKind.REACH)
        alerts.deliver_due()
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("High-reach", mail.outbox[0].subject)

    def test_destinations_need_a_manager(self):
        with self.assertRaises(Exception):
            actions.do_create_destination(self.bob, "webhook", "http://127.0.0.1:9/x")
        with self.assertRaisesMessage(Exception, "not an email"):
            actions.do_create_destination(self.alice, "email", "nope")
