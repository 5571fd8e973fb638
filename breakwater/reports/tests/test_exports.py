"""CSV and XLSX files of report tables, read back with the standard library and openpyxl."""

import csv
import io

from django.test import SimpleTestCase
from openpyxl import load_workbook

from breakwater.reports import exports
from breakwater.web import charts


class ExportsTestCase(SimpleTestCase):
    def test_it_writes_csv_that_spreadsheets_read_as_utf8(self) -> None:
        body = exports.to_csv(["name", "count"], [["Kauramaito ä", 3], ["none", None]])
        self.assertTrue(body.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        self.assertEqual(rows, [["name", "count"], ["Kauramaito ä", "3"], ["none", ""]])

    def test_it_writes_one_sheet_per_table(self) -> None:
        body = exports.to_xlsx([
            ("inbound_volume", ["date", "value"], [["2026-11-01", 4], ["2026-11-02", 0]]),
            ("top/tags: [x]", ["tag", "name", "conversations"], [[1, "billing", 2]]),
        ])
        book = load_workbook(io.BytesIO(body), read_only=True)
        self.assertEqual(book.sheetnames, ["inbound_volume", "top tags   x"])
        sheet = book["inbound_volume"]
        self.assertEqual([list(r) for r in sheet.iter_rows(values_only=True)],
                         [["date", "value"], ["2026-11-01", 4], ["2026-11-02", 0]])


class HeatmapTestCase(SimpleTestCase):
    def test_it_draws_a_cell_per_weekday_and_hour_with_its_value(self) -> None:
        values = [[None] * 24 for _ in range(7)]
        values[0][9] = 12
        svg = charts.heatmap("", ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                             [f"{h:02d}" for h in range(24)], values, description="Inbound")
        self.assertEqual(svg.count("<rect"), 1 + 7 * 24)
        self.assertIn("<title>Mon 09: 12</title>", svg)
        self.assertIn('aria-label="Inbound"', svg)
        self.assertNotIn("<script", svg)
