"""The layer rules of ARCHITECTURE.md that a reviewer could miss: pure packages stay pure."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "breakwater"
PURE = ("connectors", "analysis")
# The pure modules inside domain apps: algorithms and data that take values, not rows.
PURE_MODULES = ("composer/checks.py", "automation/rules.py", "sla/calendar.py",
                "media/rules.py", "media/images.py", "media/video.py", "publishing/cadence.py",
                "publishing/pacing.py", "publishing/utm.py", "publishing/networks.py",
                "reports/periods.py", "listening/query.py", "listening/matcher.py",
                "listening/spikes.py")
# What a pure package may not import: the ORM and any app's models or actions.
FORBIDDEN_PREFIXES = ("django.db", "django.contrib.auth.models")
DOMAIN = ("core", "inbox", "ingest", "outbox", "composer", "automation", "sla", "feedback", "media",
          "publishing", "reports")
FORBIDDEN_APPS = (*DOMAIN, "web", "api")


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def pure_files() -> list[Path]:
    packages = [p for pkg in PURE for p in (PACKAGE / pkg).rglob("*.py") if "tests" not in p.parts]
    return packages + [PACKAGE / module for module in PURE_MODULES]


@pytest.mark.parametrize("path", pure_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_it_keeps_pure_packages_away_from_the_database(path: Path) -> None:
    bad = sorted(
        name for name in imports(path)
        if name.startswith(FORBIDDEN_PREFIXES)
        or any(name.startswith(f"breakwater.{app}") for app in FORBIDDEN_APPS)
    )
    own = path.relative_to(PACKAGE).parts[0]
    bad = [name for name in bad if not (name + ".").startswith(f"breakwater.{own}.")
           or name.endswith((".models", ".actions", ".queries"))]
    assert bad == [], f"{path.name} imports {bad}: pure modules take values, never rows"


def test_it_keeps_the_domain_from_importing_interfaces() -> None:
    for pkg in DOMAIN:
        for path in (PACKAGE / pkg).rglob("*.py"):
            if "tests" in path.parts:
                continue
            bad = [n for n in imports(path) if n.startswith(("breakwater.web", "breakwater.api"))]
            assert bad == [], f"{path.relative_to(PACKAGE)} imports {bad}: events flow up, calls flow down"
