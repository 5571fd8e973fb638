"""The overview dashboard page, its drill-down into the inbox, its exports and its PDF, on a
hand-built data set: three inbound messages on 1 March 2025, one answered."""

import csv
import io
from datetime import timedelta

from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from breakwater.inbox.models import Conversation
from breakwater.test import BASE_TIME, PASSWORD, BaseTestCase

WEEK = "start=2025-03-01&end=2025-03-07"


class DashboardTestCase(BaseTestCase):
    def setUp(self) -> None:
        at = [(BASE_TIME + timedelta(minutes=m)).isoformat() for m in range(3)]
        self.ingest(self.acme, [
            self.item(thread_key="t1", created_at=at[0]),
            self.item(thread_key="t2", created_at=at[1]),
            self.item(thread_key="t3", created_at=at[2]),
            self.item(thread_key="t1", direction="out",
                      created_at=(BASE_TIME + timedelta(hours=2)).isoformat()),
        ])
        # Charlie's workspace has its own message the same day, never shown to acme.
        self.ingest(self.other, [self.item(channel=self.other_channel.pk)])

    def login(self, email: str = "alice@example.org") -> None:
        self.client.login(username=email, password=PASSWORD)

    def test_it_shows_each_figure_as_a_chart_and_a_table(self) -> None:
        self.login()
        response = self.client.get(f"/reports/?{WEEK}")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        figures = {f["fig"].key: f for s in response.context["sections"] for f in s["figures"]}
        volume = figures["inbound_volume"]
        self.assertEqual(volume["fig"].value, 3)
        self.assertEqual(volume["fig"].previous, 0)
        self.assertEqual(volume["table"]["rows"][0]["cells"], ["2025-03-01", "3"])
        self.assertIn("<svg", str(volume["chart"]))
        self.assertEqual(figures["response_rate"]["value"], "33 %")
        self.assertEqual(figures["first_response_time"]["value"], "2 h 0 min")
        self.assertIn('id="figure-inbound_heatmap"', html)
        self.assertIn('class="heatmap"', html)
        # Sources that are not installed say so instead of showing a zero.
        self.assertFalse(figures["share_of_voice"]["fig"].available)
        self.assertIn("Not available yet", html)

    def test_it_compares_with_the_previous_period(self) -> None:
        self.login()
        response = self.client.get("/reports/?start=2025-03-08&end=2025-03-14")
        figures = {f["fig"].key: f for s in response.context["sections"] for f in s["figures"]}
        self.assertEqual(figures["inbound_volume"]["fig"].value, 0)
        self.assertEqual(figures["inbound_volume"]["fig"].previous, 3)
        self.assertEqual(figures["inbound_volume"]["change"], "-100 %")

    def test_it_drills_into_the_conversations_behind_a_figure(self) -> None:
        self.login()
        response = self.client.get(f"/reports/?{WEEK}")
        figures = {f["fig"].key: f for s in response.context["sections"] for f in s["figures"]}
        drill = figures["inbound_volume"]["drill"]
        inbox = self.client.get(drill, follow=True)
        self.assertIn("ids=", inbox.redirect_chain[0][0])
        self.assertEqual(
            {c.thread_key for c in inbox.context["rows"]}, {"t1", "t2", "t3"},
        )
        # A day's row drills into that day only: nothing came on 2 March.
        day_two = figures["inbound_volume"]["table"]["rows"][1]["drill"]
        self.assertIn("day=2025-03-02", day_two)
        self.assertEqual(list(self.client.get(day_two, follow=True).context["rows"]), [])
        # The backlog's conversations are the ones still waiting: t2 and t3, not answered t1.
        backlog = self.client.get(figures["backlog"]["drill"], follow=True)
        self.assertEqual({c.thread_key for c in backlog.context["rows"]}, {"t2", "t3"})
        # The inbox's own filters cover a breakdown's rows: the conversations of the week.
        week = self.client.get("/?status=&since=2025-03-01&until=2025-03-07")
        self.assertEqual(len(week.context["rows"]), 3)

    def test_it_never_shows_another_workspace(self) -> None:
        self.login("charlie@example.org")
        response = self.client.get(f"/reports/?{WEEK}")
        figures = {f["fig"].key: f for s in response.context["sections"] for f in s["figures"]}
        self.assertEqual(figures["inbound_volume"]["fig"].value, 1)
        inbox = self.client.get(figures["inbound_volume"]["drill"], follow=True)
        self.assertEqual(
            [c.workspace_id for c in inbox.context["rows"]], [self.other.pk],
        )
        # Acme's conversation ids in charlie's inbox filter show nothing.
        acme_ids = ",".join(str(pk) for pk in Conversation.objects.filter(workspace=self.acme)
                            .values_list("pk", flat=True))
        self.assertEqual(list(self.client.get(f"/?status=&ids={acme_ids}").context["rows"]), [])

    def test_it_exports_a_table_as_csv_and_xlsx_on_the_web(self) -> None:
        self.login()
        response = self.client.get(f"/reports/export/inbound_volume.csv?{WEEK}")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(rows[:3], [["date", "value"], ["2025-03-01", "3"], ["2025-03-02", "0"]])
        self.assertEqual(len(rows), 1 + 7)
        book = load_workbook(io.BytesIO(
            self.client.get(f"/reports/export/overview.xlsx?{WEEK}").content), read_only=True)
        self.assertIn("inbound_volume", book.sheetnames)
        self.assertIn("inbound_heatmap", book.sheetnames)
        self.assertEqual(self.client.get(f"/reports/export/nope.csv?{WEEK}").status_code, 404)

    def test_it_exports_through_the_api(self) -> None:
        response = self.api("GET", f"/api/v1/reports/export/inbound_by_kind.csv?{WEEK}",
                            self.bob_token)
        self.assertEqual(response.status_code, 200)
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(rows, [["kind", "count", "share"], ["comment", "3", "1.0"]])
        response = self.api("GET", f"/api/v1/reports/export/inbound_volume.xlsx?{WEEK}",
                            self.charlie_token)
        sheet = load_workbook(io.BytesIO(response.content), read_only=True)["inbound_volume"]
        self.assertEqual(list(sheet.iter_rows(values_only=True))[1], ("2025-03-01", 1))
        response = self.api("GET", f"/api/v1/reports/export/overview.xlsx?{WEEK}",
                            self.vera_token)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.api("GET", "/api/v1/reports/export/nope.csv", self.bob_token)
                         .status_code, 404)
        self.assertEqual(self.api("GET", "/api/v1/reports/export/inbound_volume.csv", None)
                         .status_code, 401)
        foreign = f"/api/v1/reports/export/inbound_volume.csv?channel={self.other_channel.pk}"
        self.assertEqual(self.api("GET", foreign, self.bob_token).status_code, 404)
        paths = self.client.get("/api/v1/openapi.json").json()["paths"]
        self.assertIn("/api/v1/reports/export/{metric}.csv", paths)
        self.assertIn("/api/v1/reports/export/overview.xlsx", paths)

    def test_it_renders_the_overview_as_a_pdf_with_its_charts(self) -> None:
        self.login()
        response = self.client.get(f"/reports/overview.pdf?{WEEK}")
        self.assertEqual(response["Content-Type"], "application/pdf")
        reader = PdfReader(io.BytesIO(response.content))
        self.assertGreaterEqual(len(reader.pages), 2)
        text = "".join(page.extract_text() for page in reader.pages)
        self.assertIn("Inbound messages", text)
        self.assertIn("Response rate", text)
        # Each SVG chart becomes a form XObject (vector drawing) on its page.
        drawings = sum(_forms(page) for page in reader.pages)
        self.assertGreaterEqual(drawings, 10)

    def test_it_speaks_finnish(self) -> None:
        self.addCleanup(translation.deactivate)  # the middleware leaves it on in this thread
        self.login()
        page = self.client.get(f"/reports/?{WEEK}", HTTP_ACCEPT_LANGUAGE="fi")
        self.assertContains(page, "Raportit")
        self.assertContains(page, "Viimeiset 7 päivää")
        self.assertContains(page, "vertailukausi 22.2.2025 – 28.2.2025")
        self.assertContains(page, "Ei vielä saatavilla")

    def test_the_inbox_filters_by_inbound_days(self) -> None:
        self.login()
        self.assertEqual(Conversation.objects.filter(workspace=self.acme).count(), 3)
        rows = self.client.get("/?status=&since=2025-03-02").context["rows"]
        self.assertEqual(list(rows), [])
        self.assertEqual(self.client.get("/?status=&since=bad").status_code, 302)


def _forms(page) -> int:
    xobjects = page["/Resources"].get("/XObject") or {}
    return sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Form")
