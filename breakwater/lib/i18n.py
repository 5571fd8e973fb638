"""Compile the translation catalogues (.po -> .mo) with polib, so no gettext tools are needed."""

from pathlib import Path

import polib

PACKAGE = Path(__file__).resolve().parent.parent


def catalogues(package: Path = PACKAGE) -> list[Path]:
    """The project's catalogue (``locale/``) and each app's own (``<app>/locale/``)."""
    return sorted(
        [*package.glob("locale/*/LC_MESSAGES/*.po"), *package.glob("*/locale/*/LC_MESSAGES/*.po")]
    )


def compile_messages(package: Path = PACKAGE) -> list[Path]:
    """Write a .mo beside every .po that is newer than its .mo; returns what was written."""
    written = []
    for po_path in catalogues(package):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written
