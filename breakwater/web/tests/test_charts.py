"""The shared SVG charts: self-contained markup, escaped labels, translated empty state."""

import xml.etree.ElementTree as ET

from django.test import SimpleTestCase
from django.utils import translation

from breakwater.web import charts


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


class ChartsTest(SimpleTestCase):
    def test_line_chart_is_inline_svg_without_scripts_or_downloads(self) -> None:
        svg = charts.line("Inbound volume", ["2026-11-01", "2026-11-02", "2026-11-03"],
                          {"Comments": [3, 5, None], "DMs": [1, 0, 2]})
        root = _parse(svg)
        self.assertTrue(root.tag.endswith("svg"))
        self.assertEqual(root.get("role"), "img")
        self.assertEqual(root.get("width"), "760")
        self.assertNotIn("<script", svg)
        self.assertNotIn("http://", svg.replace("http://www.w3.org", ""))
        self.assertNotIn("https://", svg)
        self.assertIn("Comments", svg)
        self.assertIn("2026-11-02", svg)

    def test_labels_are_escaped(self) -> None:
        svg = charts.bar("Top tags", ["<b>x</b>"], {"<script>alert(1)</script>": [4], "b": [1]})
        self.assertNotIn("<script>", svg)
        self.assertIn("&lt;script&gt;", svg)
        _parse(svg)

    def test_share_ring_and_percent_formatter(self) -> None:
        svg = charts.share("Share of voice", {"Aalto Kahvi": 0.6, "Rival": 0.4},
                           formatter=charts.percent)
        self.assertIn("60 %", svg)
        self.assertEqual(charts.percent(0.255), "26 %")

    def test_many_labels_keep_a_readable_subset(self) -> None:
        labels = [f"d{i}" for i in range(90)]
        svg = charts.line("Backlog", labels, {"Open": list(range(90))})
        _parse(svg)

    def test_empty_chart_says_so_in_the_users_language(self) -> None:
        with translation.override("fi"):
            svg = charts.line("Volyymi", [], {})
        self.assertIn("Ei tietoja tältä ajalta", svg)
