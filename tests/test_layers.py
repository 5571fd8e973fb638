"""The layer rules of ARCHITECTURE.md that a reviewer could miss: pure packages stay pure."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "breakwater"
PURE = ("connectors", "analysis")
# What a pure package may not import: the ORM and any app's models or actions.
FORBIDDEN_PREFIXES = ("django.db", "django.contrib.auth.models")
DOMAIN = ("core", "inbox", "ingest", "outbox", "composer", "automation", "sla", "feedback",
          "reports")
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
    return [p for pkg in PURE for p in (PACKAGE / pkg).rglob("*.py") if "tests" not in p.parts]


@pytest.mark.parametrize("path", pure_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_it_keeps_pure_packages_away_from_the_database(path: Path) -> None:
    bad = sorted(
        name for name in imports(path)
        if name.startswith(FORBIDDEN_PREFIXES)
        or any(name.startswith(f"breakwater.{app}") for app in FORBIDDEN_APPS)
    )
    assert bad == [], f"{path.name} imports {bad}: connectors and analysis must stay pure"


def test_it_keeps_the_domain_from_importing_interfaces() -> None:
    for pkg in DOMAIN:
        for path in (PACKAGE / pkg).rglob("*.py"):
            if "tests" in path.parts:
                continue
            bad = [n for n in imports(path) if n.startswith(("breakwater.web", "breakwater.api"))]
            assert bad == [], f"{path.relative_to(PACKAGE)} imports {bad}: events flow up, calls flow down"
