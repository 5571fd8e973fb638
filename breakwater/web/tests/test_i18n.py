"""Every string the UI shows has a Finnish translation."""

import re
from pathlib import Path

import polib
from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "fi" / "LC_MESSAGES" / "django.po"
TEMPLATE_STRING = re.compile(r"""\{% trans ["']([^"']+)["']""")
PYTHON_STRING = re.compile(r"""\b_\(\s*"([^"]+)"\s*\)""")
BLOCK = re.compile(r"\{% blocktrans[^%]*%\}(.*?)\{% endblocktrans %\}", re.S)


def ui_strings() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "web" / "templates").rglob("*.html"):
        text = path.read_text()
        found.update(TEMPLATE_STRING.findall(text))
        found.update(re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", b) for b in BLOCK.findall(text))
        found.update(PYTHON_STRING.findall(text))
    for app in ("web", "core", "inbox", "ingest", "outbox"):
        for path in (ROOT / app).glob("*.py"):
            found.update(PYTHON_STRING.findall(path.read_text()))
    return found


class TranslationsTestCase(SimpleTestCase):
    def test_it_translates_every_ui_string_to_finnish(self) -> None:
        catalogue = {e.msgid: e.msgstr for e in polib.pofile(str(PO)) if e.msgstr}
        missing = sorted(s for s in ui_strings() if s not in catalogue)
        self.assertEqual(missing, [], "add these to locale/fi/LC_MESSAGES/django.po")
