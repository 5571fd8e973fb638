"""Charts as server-rendered SVG (pygal): the same markup on a page, in an email and in a PDF.

Every chart in Breakwater comes from here, so they look alike and none needs a script or a
download: pygal's tooltip script is switched off (it would load from a CDN), and the page shows
the same figures in a table beside each chart. Each function answers markup that is safe to put
in a template as it is (``{{ chart }}``).
"""

from collections.abc import Callable, Mapping, Sequence
from xml.etree import ElementTree

import pygal
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

# The palette of web/static/web/app.css: accent first, then the status colours.
COLORS = ("#0b6e99", "#c53030", "#2f855a", "#b7791f", "#6b46c1", "#64748b", "#d53f8c", "#319795")

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#dde3ea",
    opacity=".85",
    opacity_hover="1",
    colors=COLORS,
    font_family="system-ui, sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
    title_font_size=14,
    value_font_size=11,
)

Series = Mapping[str, Sequence[float | None]]
Formatter = Callable[[float], str]


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _options(title: str, width: int, height: int, formatter: Formatter | None) -> dict[str, object]:
    return {
        "title": title or None,
        "style": STYLE,
        "width": width,
        "height": height,
        "explicit_size": True,  # width/height attributes, so PDF renderers size it right
        "js": [],  # no tooltip script: it would load from a CDN
        "disable_xml_declaration": True,
        "no_data_text": _("No data for this period"),
        "value_formatter": formatter or _number,
        "legend_at_bottom": True,
        "truncate_legend": 40,
        "margin": 12,
    }


def _render(chart: pygal.graph.graph.Graph, description: str) -> SafeString:
    tree = chart.render_tree()
    # pygal always writes its tooltip configuration as an inline script and credits itself in
    # comments with links; the charts need neither.
    for parent in tree.iter():
        for child in [c for c in parent if c.tag is ElementTree.Comment or c.tag == "script"]:
            parent.remove(child)
    # role="img" + aria-label: screen readers announce the chart instead of its labels one by one.
    tree.set("role", "img")
    tree.set("aria-label", description or chart.config.title or "")
    svg = ElementTree.tostring(tree, encoding="unicode")
    return mark_safe(svg)  # noqa: S308 -- serialised by ElementTree, which escapes text and attributes


def _add(chart: pygal.graph.graph.Graph, series: Series) -> None:
    for name, values in series.items():
        chart.add(name, list(values))


def _x_labels(chart: pygal.graph.graph.Graph, labels: Sequence[str], max_labels: int) -> None:
    chart.x_labels = list(labels)
    if len(labels) > max_labels:
        chart.show_minor_x_labels = False
        step = -(-len(labels) // max_labels)
        chart.x_labels_major = list(labels)[::step]


def line(title: str, labels: Sequence[str], series: Series, *, width: int = 760, height: int = 280,
         formatter: Formatter | None = None, fill: bool = False, description: str = "") -> SafeString:
    """A line per series over ``labels`` (dates, hours); ``None`` leaves a gap."""
    chart = pygal.Line(**_options(title, width, height, formatter), fill=fill, dots_size=2,
                       x_label_rotation=0, allow_interruptions=True, show_legend=len(series) > 1)
    _x_labels(chart, labels, 10)
    _add(chart, series)
    return _render(chart, description)


def bar(title: str, labels: Sequence[str], series: Series, *, stacked: bool = False,
        horizontal: bool = False, width: int = 760, height: int = 280,
        formatter: Formatter | None = None, description: str = "") -> SafeString:
    """Bars per label, one colour per series (stacked when the series are parts of a whole)."""
    kind = {
        (False, False): pygal.Bar, (True, False): pygal.StackedBar,
        (False, True): pygal.HorizontalBar, (True, True): pygal.HorizontalStackedBar,
    }[(stacked, horizontal)]
    chart = kind(**_options(title, width, height, formatter), show_legend=len(series) > 1)
    _x_labels(chart, labels, 12)
    _add(chart, series)
    return _render(chart, description)


def share(title: str, parts: Mapping[str, float], *, width: int = 380, height: int = 300,
          formatter: Formatter | None = None, description: str = "") -> SafeString:
    """Parts of a whole as a ring (share of voice, sentiment share)."""
    chart = pygal.Pie(**_options(title, width, height, formatter), inner_radius=0.55)
    for name, value in parts.items():
        chart.add(name, value)
    return _render(chart, description)


def percent(value: float) -> str:
    """A formatter for shares given as fractions (0.25 -> "25 %")."""
    return f"{value * 100:.0f} %"


# -- heat map (reports): pygal has none, so this one is drawn by hand in the same look ----------


def heatmap(title: str, rows: Sequence[str], columns: Sequence[str],
            values: Sequence[Sequence[float | None]], *, cell: int = 26,
            formatter: Formatter | None = None, description: str = "") -> SafeString:
    """A grid of ``rows`` x ``columns`` (weekday x hour of day), each cell shaded by its value
    from white to the accent colour; each cell's value is its tooltip (``<title>``)."""
    fmt = formatter or _number
    left, top = 90, 40 if title else 14
    width, height = left + cell * len(columns) + 12, top + cell * len(rows) + 30
    svg = ElementTree.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "width": str(width), "height": str(height),
        "viewBox": f"0 0 {width} {height}", "role": "img",
        "aria-label": description or title, "class": "heatmap",
        "font-family": str(STYLE.font_family), "font-size": str(STYLE.label_font_size),
    })
    ElementTree.SubElement(svg, "rect", {"width": str(width), "height": str(height),
                                         "fill": STYLE.background})
    if title:
        ElementTree.SubElement(svg, "text", {"x": str(width / 2), "y": "22", "text-anchor": "middle",
                                             "font-size": str(STYLE.title_font_size),
                                             "fill": STYLE.foreground}).text = title
    peak = max((v for row in values for v in row if v is not None), default=0) or 1
    red, green, blue = (int(COLORS[0][i:i + 2], 16) for i in (1, 3, 5))
    for r, name in enumerate(rows):
        y = top + r * cell
        ElementTree.SubElement(svg, "text", {"x": str(left - 6), "y": str(y + cell * 0.65),
                                             "text-anchor": "end", "fill": STYLE.foreground}).text = name
        for c, value in enumerate(values[r]):
            share = (value or 0) / peak
            shade = "#%02x%02x%02x" % tuple(round(255 - (255 - k) * share) for k in (red, green, blue))
            rect = ElementTree.SubElement(svg, "rect", {
                "x": str(left + c * cell), "y": str(y), "width": str(cell - 2),
                "height": str(cell - 2), "fill": shade, "stroke": STYLE.foreground_subtle,
            })
            label = "–" if value is None else fmt(value)
            ElementTree.SubElement(rect, "title").text = f"{name} {columns[c]}: {label}"
    for c, name in enumerate(columns):
        if c % 3 == 0:
            ElementTree.SubElement(svg, "text", {
                "x": str(left + c * cell + cell / 2), "y": str(top + cell * len(rows) + 16),
                "text-anchor": "middle", "fill": STYLE.foreground}).text = name
    return mark_safe(ElementTree.tostring(svg, encoding="unicode"))  # noqa: S308 -- ElementTree escapes
