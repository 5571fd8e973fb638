"""A private Dovecot (IMAP + LMTP) with aiosmtpd in front, started by scripts/servers/dovecot.sh,
and what the tests do on it as customers and as the mail admin: add users, change passwords,
send mail, read a mailbox, make a folder renumber its UIDs."""

from __future__ import annotations

import contextlib
import shutil
import smtplib
import subprocess
import tempfile
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from breakwater.connectors.email import parsing

ROOT = Path(__file__).resolve().parents[4]
SCRIPT = ROOT / "scripts" / "servers" / "dovecot.sh"
HOST = "127.0.0.1"


@dataclass
class MailServer:
    dir: Path
    imap_port: int
    smtp_port: int
    passwd_file: Path
    # Implicit TLS ports, and the self-signed certificate both servers present.
    imaps_port: int
    smtps_port: int
    tls_ca: Path

    def _passwords(self) -> dict[str, str]:
        lines = self.passwd_file.read_text().splitlines()
        return dict(line.split(":{PLAIN}", 1) for line in lines if line)

    def _write(self, users: dict[str, str]) -> None:
        # Written whole and renamed, so Dovecot never reads half a file.
        tmp = self.passwd_file.with_suffix(".new")
        tmp.write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in users.items()))
        tmp.chmod(0o644)
        tmp.replace(self.passwd_file)

    def add_user(self, address: str, password: str) -> None:
        self._write({**self._passwords(), address: password})
        self._wait_until_dovecot_reads(address, password)

    def _wait_until_dovecot_reads(self, address: str, password: str, timeout: float = 10.0) -> None:
        # Dovecot reads a changed passwd-file again at most once a second.
        deadline = time.monotonic() + timeout
        while True:
            client = IMAPClient(HOST, self.imap_port, ssl=False, timeout=5)
            try:
                client.login(address, password)
                return
            except LoginError:
                if time.monotonic() > deadline:
                    raise
            finally:
                with contextlib.suppress(Exception):
                    client.logout()
            time.sleep(0.1)

    def set_password(self, address: str, password: str) -> None:
        self.add_user(address, password)

    def channel_config(self, address: str, password: str | None = None, *, tls: str = "none") -> dict[str, Any]:
        implicit = tls == "ssl"
        return {"imap_host": HOST, "imap_port": self.imaps_port if implicit else self.imap_port,
                "smtp_host": HOST, "smtp_port": self.smtps_port if implicit else self.smtp_port,
                "username": address, "password": password or self._passwords()[address],
                "address": address, "tls": tls}

    def send(self, sender: str, to: str, subject: str, text: str, *, reply_to: EmailMessage | None = None,
             attachment: tuple[str, str, bytes] | None = None) -> str:
        """Mail from ``sender``'s account, as their mail client would send it; its Message-ID."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, to, subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
        if reply_to is not None:
            parent = parsing.msg_ids(reply_to["Message-ID"])[0]
            message["In-Reply-To"] = parent
            message["References"] = " ".join(parsing.references_for_reply(reply_to, parent))
        message.set_content(text)
        if attachment:
            name, mime, data = attachment
            maintype, subtype = mime.split("/")
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
        with smtplib.SMTP(HOST, self.smtp_port) as smtp:
            smtp.login(sender, self._passwords()[sender])
            smtp.send_message(message)
        return str(message["Message-ID"])

    def imap(self, address: str) -> IMAPClient:
        client = IMAPClient(HOST, self.imap_port, ssl=False, timeout=10)
        client.login(address, self._passwords()[address])
        return client

    def messages(self, address: str, folder: str = "INBOX", *, at_least: int = 0,
                 timeout: float = 10.0) -> list[EmailMessage]:
        """What is in ``address``'s folder (waiting up to ``timeout`` for ``at_least`` messages)."""
        deadline = time.monotonic() + timeout
        while True:
            client = self.imap(address)
            try:
                client.select_folder(folder, readonly=True)
                found = client.fetch(client.search(["ALL"]), ["BODY.PEEK[]"])
            finally:
                client.logout()
            mails = [parsing.parse(found[uid][b"BODY[]"]) for uid in sorted(found)]
            if len(mails) >= at_least or time.monotonic() > deadline:
                return mails
            time.sleep(0.05)

    def delete(self, address: str, msgids: list[str]) -> None:
        client = self.imap(address)
        try:
            client.select_folder("INBOX")
            uids = [u for m in msgids for u in client.search(["HEADER", "Message-ID", m])]
            client.delete_messages(uids)
            client.expunge()
        finally:
            client.logout()

    def renumber(self, address: str) -> None:
        """Make Dovecot forget the inbox's UIDs (as after a restore or a server move): the
        folder gets a new UIDVALIDITY and numbers its mail from 1 again."""
        box = self.dir / "boxes" / address / "Maildir"
        for path in box.glob("dovecot*"):
            if path.is_file() and "uidvalidity" not in path.name:
                path.unlink()


def start() -> MailServer:
    # Right under /tmp (not $TMPDIR, which may be private): Dovecot's auth and mail processes
    # run as other users and must reach it.
    directory = Path(tempfile.mkdtemp(prefix="bw-dovecot-", dir="/tmp"))
    result = subprocess.run([str(SCRIPT), "start", str(directory)], capture_output=True, text=True,  # noqa: S603
                            timeout=60, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"dovecot.sh start failed ({result.returncode}); run "
                           f"`{SCRIPT} install` first?\n{result.stdout}\n{result.stderr}")
    values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return MailServer(dir=directory, imap_port=int(values["IMAP_PORT"]), smtp_port=int(values["SMTP_PORT"]),
                      passwd_file=Path(values["PASSWD_FILE"]), imaps_port=int(values["IMAPS_PORT"]),
                      smtps_port=int(values["SMTPS_PORT"]), tls_ca=Path(values["TLS_CA"]))


def stop(server: MailServer) -> None:
    subprocess.run([str(SCRIPT), "stop", str(server.dir)], capture_output=True, timeout=60, check=False)  # noqa: S603
    shutil.rmtree(server.dir, ignore_errors=True)
