"""Every string the UI shows has a Finnish translation."""

import re
from pathlib import Path

import polib
from django.test import SimpleTestCase

from breakwater.lib.i18n import catalogues

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [p for p in catalogues(ROOT) if p.parts[-3] == "fi"]
# The closing quote is the opening one: "the network's" is one string.
TEMPLATE_STRING = re.compile(r"""\{% trans (?:"([^"]+)"|'([^']+)')""")
PYTHON_STRING = re.compile(r"""\b_\(\s*"([^"]+)"\s*\)""")
BLOCK = re.compile(r"\{% blocktrans[^%]*%\}(.*?)\{% endblocktrans %\}", re.S)


def ui_strings() -> set[str]:
    found: set[str] = set()
    for path in ROOT.glob("*/templates/**/*.html"):
        text = path.read_text()
        found.update(a or b for a, b in TEMPLATE_STRING.findall(text))
        # A plural block's msgid is its singular part.
        found.update(re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", b.split("{% plural %}")[0])
                     for b in BLOCK.findall(text))
        found.update(PYTHON_STRING.findall(text))
    for path in ROOT.glob("*/*.py"):
        if path.parent.name not in ("analysis", "bench"):
            found.update(PYTHON_STRING.findall(path.read_text()))
    return found


class TranslationsTestCase(SimpleTestCase):
    def test_it_translates_every_ui_string_to_finnish(self) -> None:
        catalogue = {e.msgid: e.msgstr for po in CATALOGUES for e in polib.pofile(str(po))
                     if e.msgstr or any(e.msgstr_plural.values())}
        missing = sorted(s for s in ui_strings() if s not in catalogue)
        self.assertEqual(missing, [], "add these to a locale/fi/LC_MESSAGES/django.po")
