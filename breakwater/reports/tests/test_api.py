"""The report API: the contract's shape, 404 and 422 answers, viewers, other workspaces."""

from __future__ import annotations

from datetime import date

from breakwater.reports.metrics import CONTRACT, METRICS, Filters, compute
from breakwater.test import BaseTestCase


class ReportApiTestCase(BaseTestCase):
    def test_it_answers_the_contract_shape_for_every_metric(self) -> None:
        self.ingest(self.acme, [self.item(created_at="2025-03-03T10:00:00+00:00")])
        for key in METRICS:
            r = self.api("GET", f"/api/v1/reports/{key}?start=2025-03-01&end=2025-03-07",
                         self.vera_token)  # fmt: skip
            self.assertEqual(r.status_code, 200, (key, r.content))
            body = r.json()
            self.assertEqual(body["metric"], key)
            self.assertIn(body["unit"], ("count", "ratio", "seconds"))
            self.assertTrue(body["definition"])
            self.assertIn("value", body)
            for point in body["series"]:
                self.assertEqual(set(point), {"date", "value"})
        for key in CONTRACT:
            self.assertIn(key, METRICS)

    def test_it_counts_inbound_volume_per_local_day(self) -> None:
        self.ingest(self.acme, [self.item(created_at="2025-03-03T10:00:00+00:00"),
                                self.item(created_at="2025-03-03T11:00:00+00:00"),
                                self.item(created_at="2025-03-05T11:00:00+00:00")])  # fmt: skip
        r = self.api("GET", "/api/v1/reports/inbound_volume?start=2025-03-03&end=2025-03-05",
                     self.vera_token).json()  # fmt: skip
        self.assertEqual(r["value"], 3)  # 2 + 0 + 1
        self.assertEqual(r["series"], [{"date": "2025-03-03", "value": 2},
                                       {"date": "2025-03-04", "value": 0},
                                       {"date": "2025-03-05", "value": 1}])  # fmt: skip

    def test_it_lists_metrics(self) -> None:
        r = self.api("GET", "/api/v1/reports", self.vera_token)
        self.assertEqual(r.status_code, 200)
        self.assertEqual([m["key"] for m in r.json()], list(METRICS))

    def test_an_unknown_metric_is_404_with_the_keys(self) -> None:
        r = self.api("GET", "/api/v1/reports/nope?start=2025-03-01&end=2025-03-02", self.alice_token)
        self.assertEqual(r.status_code, 404)
        self.assertIn("first_response_time", r.json()["detail"]["metrics"])

    def test_bad_dates_are_422(self) -> None:
        for query in ("start=2025-13-01&end=2025-03-02", "start=yesterday",
                      "start=2025-03-05&end=2025-03-01", "start=2020-01-01&end=2025-01-01"):
            r = self.api("GET", f"/api/v1/reports/inbound_volume?{query}", self.alice_token)
            self.assertEqual(r.status_code, 422, query)

    def test_a_foreign_channel_or_tag_is_404(self) -> None:
        r = self.api("GET", f"/api/v1/reports/inbound_volume?channel={self.other_channel.pk}",
                     self.alice_token)  # fmt: skip
        self.assertEqual(r.status_code, 404)
        r = self.api("GET", f"/api/v1/reports/inbound_volume?member={self.charlie.user_id}",
                     self.alice_token)  # fmt: skip
        self.assertEqual(r.status_code, 404)

    def test_it_never_counts_another_workspace(self) -> None:
        self.ingest(self.other, [self.item(channel=self.other_channel.pk,
                                           created_at="2025-03-03T10:00:00+00:00")])  # fmt: skip
        r = self.api("GET", "/api/v1/reports/inbound_volume?start=2025-03-01&end=2025-03-07",
                     self.alice_token).json()  # fmt: skip
        self.assertEqual(r["value"], 0)
        result = compute("inbound_volume", Filters(self.other.pk, date(2025, 3, 1), date(2025, 3, 7)))
        self.assertEqual(result.value, 1)

    def test_it_needs_a_token(self) -> None:
        self.assertEqual(self.api("GET", "/api/v1/reports/inbound_volume", None).status_code, 401)

    def test_share_of_voice_is_not_available_yet(self) -> None:
        r = self.api("GET", "/api/v1/reports/share_of_voice", self.vera_token).json()
        self.assertIsNone(r["value"])
        self.assertFalse(r["available"])
        self.assertIn("not available yet", r["reason"])

    def test_openapi_documents_the_report_schema(self) -> None:
        r = self.client.get("/api/v1/openapi.json")
        spec = r.json()
        self.assertIn("/api/v1/reports/{metric}", spec["paths"])
        self.assertIn("ReportOut", spec["components"]["schemas"])


class MetricsDocTestCase(BaseTestCase):
    def test_docs_define_every_metric(self) -> None:
        from pathlib import Path

        doc = (Path(__file__).resolve().parents[3] / "docs" / "metrics.md").read_text()
        missing = [key for key in METRICS if f"`{key}`" not in doc]
        self.assertEqual(missing, [], "define these in docs/metrics.md")
