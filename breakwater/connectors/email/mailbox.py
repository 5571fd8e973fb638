"""The IMAP and SMTP sessions of a mail channel (imapclient and smtplib), with the servers'
errors mapped to ``ConnectorError`` the way breakwater.lib.http maps HTTP ones: refused
credentials need a person (``reauth``), a dropped connection is retried, an SMTP session
that broke after the message was handed over has an unknown outcome."""

from __future__ import annotations

import contextlib
import imaplib
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from email.message import EmailMessage
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import LoginError
from imapclient.imapclient import SENT

from breakwater.connectors.base import ConnectorError

TIMEOUT = 30.0
TLS_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"imap": {"none": 143, "starttls": 143, "ssl": 993},
                 "smtp": {"none": 25, "starttls": 587, "ssl": 465}}


def _text(said: BaseException | bytes | str) -> str:
    """A server's words, from an exception or a raw reply."""
    if isinstance(said, BaseException):
        said = said.args[0] if said.args else type(said).__name__
    return (said.decode(errors="replace") if isinstance(said, bytes) else str(said)).strip()


@contextlib.contextmanager
def _imap_errors(host: str) -> Iterator[None]:
    try:
        yield
    except LoginError as exc:
        raise ConnectorError(f"IMAP login refused by {host}: {_text(exc)}", reauth=True) from None
    except imaplib.IMAP4.abort as exc:
        raise ConnectorError(f"IMAP connection to {host} dropped: {_text(exc)}", retry_after=30) from None
    except imaplib.IMAP4.error as exc:
        raise ConnectorError(f"IMAP server {host} said: {_text(exc)}") from None
    except (OSError, ssl.SSLError) as exc:
        raise ConnectorError(f"cannot reach the IMAP server {host}: {exc}", retry_after=30) from None


@contextlib.contextmanager
def imap_session(config: Mapping[str, Any], *, timeout: float = TIMEOUT) -> Iterator[IMAPClient]:
    """A signed-in IMAP session; logged out (or just closed) when done."""
    host, tls = config["imap_host"], config["tls"]
    with _imap_errors(host):
        client = IMAPClient(host, port=int(config["imap_port"]), ssl=tls == "ssl",
                            ssl_context=ssl.create_default_context(), timeout=timeout)
        try:
            if tls == "starttls":
                client.starttls(ssl.create_default_context())
            client.login(config["username"], config["password"])
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()


def sent_folder(client: IMAPClient) -> str | None:
    """The folder the server marks as \\Sent (RFC 6154), else one named Sent, else none."""
    found = client.find_special_folder(SENT)
    if found:
        return found
    names = {name for _, _, name in client.list_folders()}
    return next((n for n in ("Sent", "Sent Items", "Sent Messages", "INBOX/Sent", "INBOX.Sent")
                 if n in names), None)


def find_by_message_id(client: IMAPClient, folder: str, msgid: str) -> list[int]:
    client.select_folder(folder, readonly=True)
    return list(client.search(["HEADER", "Message-ID", msgid]))


@contextlib.contextmanager
def _smtp_errors(host: str, *, handed_over: list[bool]) -> Iterator[None]:
    try:
        yield
    except smtplib.SMTPAuthenticationError as exc:
        raise ConnectorError(f"SMTP login refused by {host}: {exc.smtp_code} {_text(exc.smtp_error)}",
                             reauth=True) from None
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        raise ConnectorError(f"SMTP server {host} refused the recipient: {code} {_text(text)}",
                             permanent=code >= 500) from None
    except smtplib.SMTPResponseException as exc:
        raise ConnectorError(f"SMTP server {host} said: {exc.smtp_code} {_text(exc.smtp_error)}",
                             permanent=exc.smtp_code >= 500) from None
    except (smtplib.SMTPException, OSError) as exc:
        # Broken while the message was being handed over: it may have been taken.
        raise ConnectorError(f"SMTP session with {host} broke: {exc}", retry_after=30,
                             outcome_unknown=handed_over[0]) from None


@contextlib.contextmanager
def _smtp_session(config: Mapping[str, Any], handed_over: list[bool]) -> Iterator[smtplib.SMTP]:
    host, tls = config["smtp_host"], config["tls"]
    with _smtp_errors(host, handed_over=handed_over):
        context = ssl.create_default_context()
        port = int(config["smtp_port"])
        smtp = (smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context) if tls == "ssl"
                else smtplib.SMTP(host, port, timeout=TIMEOUT))
        with smtp:
            smtp.ehlo()
            if tls == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if smtp.has_extn("auth"):
                smtp.login(config["username"], config["password"])
            yield smtp


def smtp_send(config: Mapping[str, Any], message: EmailMessage, recipients: list[str],
              copy_to: str) -> None:
    """Send to ``recipients`` and a copy to ``copy_to``; refused recipients are an error even
    when the copy was taken."""
    handed_over = [False]
    with _smtp_session(config, handed_over) as smtp:
        handed_over[0] = True
        refused = smtp.send_message(message, from_addr=config["address"], to_addrs=[*recipients, copy_to])
    missed = {r: answer for r, answer in refused.items() if r in recipients}
    if missed:
        code, text = next(iter(missed.values()))
        raise ConnectorError(f"SMTP server {config['smtp_host']} refused the recipient: {code} {_text(text)}",
                             permanent=code >= 500, retry_after=None if code >= 500 else 300)


def check_smtp(config: Mapping[str, Any]) -> None:
    """Sign in to the SMTP server (when it asks for it) without sending anything."""
    with _smtp_session(config, [False]):
        pass


def wait_for_news(client: IMAPClient, seconds: float) -> None:
    """IMAP IDLE on the selected folder until the server reports a change (new mail is an
    EXISTS) or ``seconds`` pass quietly."""
    client.idle()
    try:
        client.idle_check(timeout=seconds)
    finally:
        client.idle_done()

