"""The Matrix suite runs against a real Synapse, started once per session; the run fails
(never skips) when it cannot start."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from breakwater.connectors.matrix.tests import homeserver


@pytest.fixture(scope="session")
def synapse() -> Iterator[homeserver.Synapse]:
    server, state = homeserver.start()
    try:
        yield server
    finally:
        homeserver.stop(state)


@pytest.fixture
def synapse_on_class(request: pytest.FixtureRequest, synapse: homeserver.Synapse) -> None:
    request.cls.synapse = synapse
