"""One Bluesky stack (PLC, PDS, AppView) per test session, on loopback ports of its own.

It fails, never skips, when the stack cannot start: run ``scripts/servers/bluesky.sh
install`` first (``scripts/setup.sh --test`` does). ``BLUESKY_PG_URL`` names the
PostgreSQL database the AppView keeps its (per-run) schemas in.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from breakwater.connectors.bluesky.tests.stack import Stack, start_stack, stop_stack


@pytest.fixture(scope="session")
def bluesky_stack() -> Iterator[Stack]:
    stack = start_stack()
    try:
        yield stack
    finally:
        stop_stack(stack)


@pytest.fixture(scope="class")
def stack_on_class(request: pytest.FixtureRequest, bluesky_stack: Stack) -> None:
    request.cls.stack = bluesky_stack
