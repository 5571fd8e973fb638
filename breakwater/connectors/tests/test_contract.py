"""The connector contract: every registered connector passes these, the demo one included.

A connector also brings its own recorded fixtures, its own tests and a docs page; the
checks below fail when one is missing, so a network cannot be added without them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from breakwater.connectors.base import KINDS, Capability, Connector, connector_classes

ROOT = Path(__file__).resolve().parents[3]
def _classes() -> list[type[Connector]]:
    return list(connector_classes().values())


def _package(cls: type[Connector]) -> Path:
    return Path(__import__(cls.__module__, fromlist=["_"]).__file__).parent


@pytest.fixture(params=_classes(), ids=lambda cls: cls.key)
def connector(request: pytest.FixtureRequest) -> type[Connector]:
    return request.param


def test_it_declares_who_it_is(connector: type[Connector]) -> None:
    assert re.fullmatch(r"[a-z0-9_\-]{1,32}", connector.key)
    assert connector.label.strip()
    assert connector.capabilities <= set(Capability)
    assert set(connector.EVENT_TYPES) <= set(KINDS), "EVENT_TYPES must be item kinds"
    assert connector.max_text_length is None or connector.max_text_length > 0
    assert connector.poll_interval > 0 and connector.reconcile_window > 0


def test_its_setup_parameters_are_well_formed(connector: type[Connector]) -> None:
    names = [p.name for p in connector.parameters]
    assert len(names) == len(set(names)), "parameter names must be unique"
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names)
    assert all(p.label for p in connector.parameters)
    with pytest.raises(ValueError, match="unknown setting"):
        connector.validate_config({"no_such_setting": "x"})
    required = [p.name for p in connector.parameters if p.required]
    if required:
        with pytest.raises(ValueError, match="missing required"):
            connector.validate_config({})


def test_what_it_can_do_matches_what_it_implements(connector: type[Connector]) -> None:
    if Capability.REPLY in connector.capabilities:
        assert connector.send_reply is not Connector.send_reply, "REPLY needs send_reply"
    else:
        assert connector.send_reply is Connector.send_reply
    if connector.capabilities & {Capability.PUBLISH_POST, Capability.PUBLISH_MEDIA}:
        assert connector.publish is not Connector.publish, "PUBLISH_* needs publish"
    if connector.capabilities & {Capability.HIDE, Capability.LIKE}:
        assert connector.act is not Connector.act, "HIDE and LIKE need act"
    if connector.can_reconcile():
        assert connector.can_poll(), "reconciliation compares with what polling fetched"


def test_it_brings_fixtures_tests_and_docs(connector: type[Connector]) -> None:
    package = _package(connector)
    fixtures = [p for p in (package / "fixtures").glob("*") if p.is_file()]
    assert fixtures, f"{package.name}/fixtures/ needs recorded or documented payloads"
    tests = list((package / "tests").glob("test_*.py"))
    assert tests, f"{package.name}/tests/ needs tests that use its fixtures"
    assert any(
        any(f.name in t.read_text() for f in fixtures) for t in tests
    ), f"no test in {package.name}/tests/ reads a fixture"
    doc = ROOT / "docs" / "connectors" / f"{connector.key}.md"
    assert doc.exists(), f"docs/connectors/{connector.key}.md: what is supported, how to connect, limits"


def test_the_registry_holds_every_configured_connector() -> None:
    assert len(connector_classes()) == len(settings.BREAKWATER_CONNECTORS)
