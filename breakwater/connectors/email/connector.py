"""Email: an IMAP mailbox as a channel, replies by SMTP.

The cursor keeps, per folder (the inbox and the Sent folder), the folder's UIDVALIDITY and
the highest UID stored. A new UIDVALIDITY means the server renumbered the folder: the next
poll reads again from a day before the newest mail it had stored, and ingest drops what it
already has (items are keyed by Message-ID, never by UID), so nothing comes twice.

Mail is read with BODY.PEEK, so the connector never marks mail as read for the people who
share the mailbox. Mail found in the Sent folder, or sent from the channel's own address,
is the brand's own (``direction="out"``).

Replies go by SMTP from the channel's address with In-Reply-To and References, and a
Message-ID made from the reply's idempotency key. The envelope also carries the channel's
own address, so the server keeps a copy of every reply it accepted in the mailbox itself:
after an unknown outcome ``find_delivery`` looks for that Message-ID there (and in Sent,
where the reply is also APPENDed for the people who read the mailbox in a mail client).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, formataddr, parseaddr
from typing import Any

from imapclient import IMAPClient

from breakwater.connectors.base import (
    Account,
    Capability,
    Connector,
    ConnectorError,
    DeliveryResult,
    InboundItem,
    OutboundReply,
    Page,
    Parameter,
)
from breakwater.connectors.email import mailbox, parsing

log = logging.getLogger(__name__)
INBOX = "INBOX"


@dataclass
class FolderCursor:
    uidvalidity: int = 0
    last_uid: int = 0
    # Day of the newest mail stored: where a resync after a UIDVALIDITY change starts.
    newest: str = ""


def load_cursor(cursor: str | None) -> dict[str, FolderCursor]:
    saved = json.loads(cursor) if cursor else {}
    return {name: FolderCursor(**state) for name, state in saved.get("folders", {}).items()}


def dump_cursor(folders: Mapping[str, FolderCursor]) -> str:
    return json.dumps({"folders": {n: vars(f) for n, f in sorted(folders.items())}}, sort_keys=True)


def reply_message_id(idempotency_key: str, address: str) -> str:
    """The same reply always gets the same Message-ID, so it can be looked for later."""
    digest = hashlib.sha256(f"{address.lower()}\n{idempotency_key}".encode()).hexdigest()[:40]
    return f"<bw.{digest}@{address.rpartition('@')[2].lower()}>"


class EmailConnector(Connector):
    key = "email"
    label = "Email (IMAP + SMTP)"
    capabilities = frozenset({Capability.INBOX_DM, Capability.REPLY})
    parameters = (
        Parameter("imap_host", "IMAP server", required=True, help="e.g. imap.example.com"),
        Parameter("imap_port", "IMAP port", help="993 with ssl, 143 otherwise, when left empty"),
        Parameter("smtp_host", "SMTP server", required=True, help="e.g. smtp.example.com"),
        Parameter("smtp_port", "SMTP port", help="465 with ssl, 587 with starttls, 25 with none"),
        Parameter("username", "User name", required=True, help="The mailbox's login"),
        Parameter("password", "Password", required=True, sensitive=True,
                  help="The mailbox's password or an app password"),
        Parameter("address", "Email address", required=True,
                  help="The address replies are sent from, e.g. support@example.com"),
        Parameter("tls", "Encryption", help="ssl (default), starttls, or none (only on a trusted network)"),
    )
    EVENT_TYPES = ("dm",)
    poll_interval = 120.0
    reconcile_window = 7 * 24 * 3600.0
    # Mail fetched per poll; a fuller mailbox comes page by page.
    page_size = 50
    # How long one IMAP IDLE waits before the stream reports in (and checks it should go on);
    # RFC 2177 asks clients to renew IDLE within 29 minutes.
    idle_seconds = 300.0

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = super().validate_config(config)
        cleaned["tls"] = str(cleaned.get("tls") or "ssl").lower()
        if cleaned["tls"] not in mailbox.TLS_MODES:
            raise ValueError("tls must be one of: none, starttls, ssl")
        for proto in ("imap", "smtp"):
            raw = cleaned.get(f"{proto}_port") or mailbox.DEFAULT_PORTS[proto][cleaned["tls"]]
            try:
                port = int(raw)
            except (TypeError, ValueError):
                port = 0
            if not 0 < port < 65536:
                raise ValueError(f"{proto}_port must be a port number (1-65535)")
            cleaned[f"{proto}_port"] = port
        _, address = parseaddr(str(cleaned["address"]))
        if "@" not in address:
            raise ValueError("address must be an email address, e.g. support@example.com")
        cleaned["address"] = address
        return cleaned

    # Reading

    def test_connection(self) -> Account:
        with mailbox.imap_session(self.config) as client:
            client.select_folder(INBOX, readonly=True)
        mailbox.check_smtp(self.config)
        return Account(external_id=self.config["address"].lower(), handle=self.config["address"])

    def _folders(self, client: IMAPClient) -> list[tuple[str, bool]]:
        sent = mailbox.sent_folder(client)
        return [(INBOX, False), *([(sent, True)] if sent else [])]

    def _fetch(self, client: IMAPClient, folder: str, uids: list[int], *, uidvalidity: int,
               sent: bool) -> list[tuple[datetime, InboundItem]]:
        fetched = []
        for uid, data in sorted(client.fetch(uids, ["BODY.PEEK[]", "INTERNALDATE"]).items()):
            received = data.get(b"INTERNALDATE") or datetime.now(UTC)
            received = received if received.tzinfo else received.replace(tzinfo=UTC)
            item = parsing.to_item(
                data[b"BODY[]"], network=self.key, channel=self.channel, address=self.config["address"],
                folder=folder, uidvalidity=uidvalidity, uid=uid, sent_folder=sent, received=received)
            fetched.append((received, item))
        return fetched

    def _new_in_folder(self, client: IMAPClient, folder: str, sent: bool, state: FolderCursor,
                       budget: int) -> tuple[list[InboundItem], FolderCursor, bool]:
        info = client.select_folder(folder, readonly=True)
        uidvalidity = int(info[b"UIDVALIDITY"])
        if uidvalidity != state.uidvalidity:
            # A new folder, or the server renumbered it: read again from the last day we
            # had (a first poll backfills the reconcile window); ingest drops repeats.
            start = (date.fromisoformat(state.newest) - timedelta(days=1) if state.newest
                     else (datetime.now(UTC) - timedelta(seconds=self.reconcile_window)).date())
            if state.uidvalidity:
                log.warning("%s: UIDVALIDITY changed (%s -> %s), resyncing since %s",
                            folder, state.uidvalidity, uidvalidity, start)
            uids = sorted(client.search(["SINCE", start]))
            state = FolderCursor(uidvalidity=uidvalidity, last_uid=0, newest=state.newest)
        else:
            uids = sorted(u for u in client.search(["UID", f"{state.last_uid + 1}:*"]) if u > state.last_uid)
        batch, more = uids[:budget], len(uids) > budget
        fetched = self._fetch(client, folder, batch, uidvalidity=uidvalidity, sent=sent)
        newest = max([state.newest, *(r.date().isoformat() for r, _ in fetched)])
        # Every UID below UIDNEXT (read before the search) that exists was found by it.
        seen_all = [int(info[b"UIDNEXT"]) - 1] if b"UIDNEXT" in info and not more else []
        last = max([state.last_uid, *batch, *seen_all])
        return [item for _, item in fetched], FolderCursor(uidvalidity, last, newest), more

    def _poll_with(self, client: IMAPClient, cursor: str | None) -> Page:
        folders = load_cursor(cursor)
        items: list[InboundItem] = []
        more = False
        for folder, sent in self._folders(client):
            budget = self.page_size - len(items)
            if budget <= 0:
                more = True
                break
            found, folders[folder], fuller = self._new_in_folder(
                client, folder, sent, folders.get(folder, FolderCursor()), budget)
            items.extend(found)
            more = more or fuller
        return Page(items=items, cursor=dump_cursor(folders), more=more)

    def poll(self, cursor: str | None) -> Page:
        with mailbox.imap_session(self.config) as client:
            return self._poll_with(client, cursor)

    def stream(self, cursor: str | None) -> Iterator[Page]:
        """IMAP IDLE on the inbox: a page as soon as new mail arrives, and one after each quiet
        ``idle_seconds`` (so the Sent folder is read too, and the engine sees the stream live)."""
        with mailbox.imap_session(self.config, timeout=self.idle_seconds + 60) as client:
            while True:
                page = self._poll_with(client, cursor)
                cursor = page.cursor
                yield page
                info = client.select_folder(INBOX, readonly=True)
                if page.more or int(info.get(b"UIDNEXT", 0)) > load_cursor(cursor)[INBOX].last_uid + 1:
                    continue  # mail came while the page was being stored
                mailbox.wait_for_news(client, self.idle_seconds)

    def reconcile(self, since: datetime) -> list[InboundItem]:
        items: list[InboundItem] = []
        with mailbox.imap_session(self.config) as client:
            for folder, sent in self._folders(client):
                info = client.select_folder(folder, readonly=True)
                uids = sorted(client.search(["SINCE", since.date()]))
                fetched = self._fetch(client, folder, uids, uidvalidity=int(info[b"UIDVALIDITY"]), sent=sent)
                items.extend(item for _, item in fetched if item.created_at >= since)
        return items

    def fetch_media(self, media: Mapping[str, Any], external_id: str) -> bytes:
        """The bytes of one attachment of a stored message (they stay in the mailbox), found
        by its Message-ID and checked against the digest taken on ingest."""
        message_id = external_id
        with mailbox.imap_session(self.config) as client:
            for folder, _ in self._folders(client):
                for uid in mailbox.find_by_message_id(client, folder, message_id):
                    raw = client.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
                    data = parsing.attachment_bytes(raw, int(media["part"]))
                    if hashlib.sha256(data).hexdigest() == media["sha256"]:
                        return data
        raise ConnectorError(f"the attachment {media.get('name')!r} is no longer in the mailbox",
                             permanent=True)

    # Replying

    def _find(self, client: IMAPClient, msgid: str) -> tuple[str, bytes] | None:
        for folder, _ in self._folders(client):
            for uid in mailbox.find_by_message_id(client, folder, msgid):
                raw = client.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
                if parsing.own_id(parsing.parse(raw), raw) == msgid:
                    return folder, raw
        return None

    def _compose(self, reply: OutboundReply, parent_raw: bytes) -> tuple[EmailMessage, list[str]]:
        parent = parsing.parse(parent_raw)
        parent_msgid = parsing.own_id(parent, parent_raw)
        address = self.config["address"]
        ours = address.lower() in [a.lower() for _, a in parsing.addresses(parent, "From")]
        # Answer the customer: the sender (or Reply-To); on our own message, its recipients.
        to = parsing.addresses(parent, "To" if ours else "Reply-To") or parsing.addresses(parent, "From")
        if not to:
            raise ConnectorError(f"the message {parent_msgid} names no sender to answer", permanent=True)
        subject = str(parent.get("Subject") or "").strip()
        message = EmailMessage()
        message["From"] = address
        message["To"] = ", ".join(formataddr(pair) for pair in to)
        message["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}".strip()
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = reply_message_id(reply.idempotency_key, address)
        message["In-Reply-To"] = parent_msgid
        message["References"] = " ".join(parsing.references_for_reply(parent, parent_msgid))
        message.set_content(reply.text)
        return message, [a for _, a in to]

    def send_reply(self, reply: OutboundReply) -> DeliveryResult:
        target = reply.in_reply_to or reply.thread_key
        with mailbox.imap_session(self.config) as client:
            found = self._find(client, target)
            if found is None:
                raise ConnectorError(f"the message {target} is no longer in the mailbox, so there is "
                                     "no address to answer; write to the customer from a mail client",
                                     permanent=True)
            message, recipients = self._compose(reply, found[1])
            # The channel's own address on the envelope: the server keeps a copy of what it took.
            mailbox.smtp_send(self.config, message, recipients, copy_to=self.config["address"])
            self._append_to_sent(client, message)
        return DeliveryResult(external_id=str(message["Message-ID"]))

    def _append_to_sent(self, client: IMAPClient, message: EmailMessage) -> None:
        sent = mailbox.sent_folder(client)
        if sent is None:
            return
        try:
            client.append(sent, message.as_bytes(), flags=[b"\\Seen"])
        except Exception:  # the reply is out; a missing copy in Sent must not send it twice
            log.warning("could not save the reply %s in %s", message["Message-ID"], sent, exc_info=True)

    def find_delivery(self, reply: OutboundReply) -> DeliveryResult | None:
        msgid = reply_message_id(reply.idempotency_key, self.config["address"])
        with mailbox.imap_session(self.config) as client:
            return DeliveryResult(external_id=msgid) if self._find(client, msgid) else None
