"""The email suite runs against a real Dovecot with an SMTP server in front, started once per
session; the run fails (never skips) when it cannot start."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from breakwater.connectors.email.tests import mailserver


@pytest.fixture(scope="session")
def mail_server() -> Iterator[mailserver.MailServer]:
    try:
        server = mailserver.start()
    except Exception as exc:  # noqa: BLE001 (any reason it cannot start fails the run)
        pytest.fail(f"the Dovecot test server did not start: {exc}", pytrace=False)
    try:
        yield server
    finally:
        mailserver.stop(server)


@pytest.fixture
def mail_on_class(request: pytest.FixtureRequest, mail_server: mailserver.MailServer) -> None:
    request.cls.mail = mail_server
