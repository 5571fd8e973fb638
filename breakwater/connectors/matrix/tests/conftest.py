"""The Matrix suite runs against a real Synapse, started once per session; the run fails
(never skips) when it cannot start."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from breakwater.connectors.matrix.tests import homeserver


@pytest.fixture(scope="session")
def synapse_started() -> Iterator[tuple[homeserver.Synapse, str]]:
    server, state = homeserver.start()
    try:
        yield server, state
    finally:
        homeserver.stop(state)


@pytest.fixture(scope="session")
def synapse(synapse_started: tuple[homeserver.Synapse, str]) -> homeserver.Synapse:
    return synapse_started[0]


@pytest.fixture(scope="session")
def synapse_state(synapse_started: tuple[homeserver.Synapse, str]) -> str:
    """The server's state directory (its pid file, config and log)."""
    return synapse_started[1]


@pytest.fixture
def synapse_on_class(request: pytest.FixtureRequest, synapse: homeserver.Synapse) -> None:
    if request.cls is not None:
        request.cls.synapse = synapse
