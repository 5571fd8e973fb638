from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from breakwater.core.actions import do_heartbeat
from breakwater.core.models import WorkerHeartbeat
from breakwater.test import BaseTestCase


class HealthTestCase(BaseTestCase):
    def test_it_answers_healthz_without_a_login(self) -> None:
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok"})

    def test_it_is_not_ready_without_a_worker(self) -> None:
        response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        data = response.json()
        self.assertEqual(data["status"], "unavailable")
        self.assertEqual((data["checks"]["database"], data["checks"]["migrations"]), ("ok", "ok"))
        self.assertIn("breakwater worker", data["checks"]["worker"])

    def test_it_is_ready_after_a_worker_heartbeat(self) -> None:
        do_heartbeat("host:1")
        do_heartbeat("host:1")  # a second beat updates the same row
        self.assertEqual(WorkerHeartbeat.objects.count(), 1)
        response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            response.json(),
            {
                "status": "ok",
                "checks": {
                    "database": "ok", "migrations": "ok", "worker": "ok", "sentiment": "ok",
                },
            },
        )

    @override_settings(BREAKWATER_WORKER_STALE_SECONDS=60)
    def test_it_is_not_ready_when_the_last_heartbeat_is_stale(self) -> None:
        do_heartbeat("host:2")
        WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=5))
        response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertIn("last seen", response.json()["checks"]["worker"])

    def test_it_is_not_ready_with_a_sentiment_model_it_cannot_run(self) -> None:
        do_heartbeat("host:3")
        with override_settings(BREAKWATER_SENTIMENT_MODEL="vader"):
            response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertIn("BREAKWATER_SENTIMENT_MODEL", response.json()["checks"]["sentiment"])
