"""The SMTP side of the Dovecot test server (scripts/servers/dovecot.sh): aiosmtpd on loopback,
AUTH PLAIN/LOGIN checked against Dovecot's passwd-file, every accepted mail handed to Dovecot
over LMTP (which refuses unknown recipients, so nothing leaves the machine). One port speaks
plain SMTP with STARTTLS offered, the other implicit TLS (as port 465 does).

Usage: python smtp_relay.py <smtp_port> <smtps_port> <lmtp_port> <passwd_file> <cert> <key>
"""

from __future__ import annotations

import signal
import smtplib
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def passwords(path: str) -> dict[str, str]:
    users = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            user, _, rest = line.strip().partition(":")
            secret = rest.split(":", 1)[0]
            if user and secret.startswith("{PLAIN}"):
                users[user] = secret.removeprefix("{PLAIN}")
    return users


class Relay:
    def __init__(self, lmtp_port: int, passwd_file: str) -> None:
        self.lmtp_port = lmtp_port
        self.passwd_file = passwd_file

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        # Like an MTA with a mailbox map: unknown recipients are refused at RCPT, not bounced later.
        if address not in passwords(self.passwd_file):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        try:
            with smtplib.LMTP("127.0.0.1", self.lmtp_port) as lmtp:
                lmtp.sendmail(envelope.mail_from, envelope.rcpt_tos, envelope.original_content)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            return f"{code} {text.decode(errors='replace')}"
        except smtplib.SMTPResponseException as exc:
            return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
        return "250 OK delivered to Dovecot"


def authenticator(passwd_file: str):
    def check(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        return AuthResult(success=passwords(passwd_file).get(user) == password)

    return check


def main() -> None:
    smtp_port, smtps_port, lmtp_port = (int(a) for a in sys.argv[1:4])
    passwd_file, cert, key = sys.argv[4:7]
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    common = {"hostname": "127.0.0.1", "authenticator": authenticator(passwd_file),
              "auth_required": True, "auth_require_tls": False}
    controllers = [
        Controller(Relay(lmtp_port, passwd_file), port=smtp_port, tls_context=tls, require_starttls=False, **common),
        Controller(Relay(lmtp_port, passwd_file), port=smtps_port, ssl_context=tls, **common),
    ]
    for controller in controllers:
        controller.start()
    print("SMTP relay ready", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    while not done.wait(1.0):
        pass
    for controller in controllers:
        controller.stop()

if __name__ == "__main__":
    main()
