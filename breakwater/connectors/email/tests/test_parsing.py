"""Mail as items, from the recorded messages in fixtures/: threading, text, HTML, attachments."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from django.test import SimpleTestCase

from breakwater.connectors.base import OutboundReply
from breakwater.connectors.email import parsing
from breakwater.connectors.email.connector import EmailConnector, dump_cursor, load_cursor, reply_message_id

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RECEIVED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def item(name: str, *, sent: bool = False):
    return parsing.to_item((FIXTURES / name).read_bytes(), network="email", channel=3,
                           address="support@example.test", folder="Sent" if sent else "INBOX",
                           uidvalidity=77, uid=5, sent_folder=sent, received=RECEIVED)


class ParsingTestCase(SimpleTestCase):
    def test_a_question_keeps_its_text_sanitised_html_and_attachment(self) -> None:
        question = item("question_with_attachment.eml")
        self.assertEqual((question.kind, question.is_public, question.direction), ("dm", False, "in"))
        self.assertEqual(question.external_id, "<c6a1f0e2-1234@mail.example.org>")
        self.assertEqual(question.thread_key, question.external_id)
        self.assertIsNone(question.parent_external_id)
        self.assertEqual(question.created_at, datetime(2026, 12, 1, 6, 15, tzinfo=UTC))
        self.assertTrue(question.text.startswith("Hei!\n\nTilasin tummapaahtoa"))
        self.assertIn("<b>tummapaahtoa</b>", question.html)
        for dangerous in ("<script", "onclick", "alert", "<style", "tracker.example.net"):
            self.assertNotIn(dangerous, question.html)
        self.assertEqual((question.author.external_id, question.author.name),
                         ("maija@example.org", "Maija Asiakas"))
        self.assertEqual(question.raw["subject"], "Tilaus 1234: väärä paahto")
        (pdf,) = question.media
        self.assertEqual((pdf["name"], pdf["content_type"], pdf["type"]), ("kuitti.pdf", "application/pdf", "file"))
        data = parsing.attachment_bytes((FIXTURES / "question_with_attachment.eml").read_bytes(), pdf["part"])
        self.assertTrue(data.startswith(b"%PDF-1.4"))
        self.assertEqual((pdf["size"], pdf["sha256"]), (len(data), hashlib.sha256(data).hexdigest()))

    def test_an_html_only_reply_threads_to_the_root_and_gets_text_from_the_html(self) -> None:
        followup = item("html_only_followup.eml")
        self.assertEqual(followup.thread_key, "<c6a1f0e2-1234@mail.example.org>")
        self.assertEqual(followup.parent_external_id, "<bw.0123456789abcdef@example.test>")
        self.assertEqual(followup.text, "Kiitos nopeasta vastauksesta! Tässä kuva paketista:\n\n& kiitos vielä")
        self.assertNotIn("onerror", followup.html)
        self.assertNotIn("cookie", followup.html)
        (image,) = followup.media
        self.assertEqual((image["type"], image["content_type"], image["content_id"]),
                         ("image", "image/png", "paketti@example.org"))
        self.assertEqual(image["size"], 70)

    def test_mail_in_sent_or_from_our_address_is_the_brands_own(self) -> None:
        ours = item("brand_sent.eml", sent=True)
        self.assertEqual((ours.direction, ours.thread_key), ("out", "<c6a1f0e2-1234@mail.example.org>"))
        self.assertEqual(item("brand_sent.eml").direction, "out")  # From: our address, in the inbox

    def test_a_reply_carries_the_whole_chain_and_a_message_id_from_its_key(self) -> None:
        raw = (FIXTURES / "html_only_followup.eml").read_bytes()
        reply = OutboundReply(idempotency_key="k-1", text="Uusi paketti on matkalla.",
                              thread_key="<c6a1f0e2-1234@mail.example.org>",
                              in_reply_to="<c6a1f0e2-5678@mail.example.org>", is_public=False, network="email")
        connector = EmailConnector(EmailConnector.validate_config({
            "imap_host": "h", "smtp_host": "h", "username": "u", "password": "p",
            "address": "Tuki <support@example.test>"}))
        message, recipients = connector._compose(reply, raw)
        self.assertEqual(recipients, ["maija@example.org"])
        self.assertEqual(message["From"], "support@example.test")
        self.assertEqual(message["Subject"], "Re: Tilaus 1234: väärä paahto")
        self.assertEqual(message["In-Reply-To"], "<c6a1f0e2-5678@mail.example.org>")
        self.assertEqual(parsing.msg_ids(message["References"]), [
            "<c6a1f0e2-1234@mail.example.org>", "<bw.0123456789abcdef@example.test>",
            "<c6a1f0e2-5678@mail.example.org>"])
        self.assertEqual(message["Message-ID"], reply_message_id("k-1", "support@example.test"))
        self.assertNotEqual(reply_message_id("k-2", "support@example.test"), message["Message-ID"])

    def test_settings_are_checked_and_ports_follow_the_encryption(self) -> None:
        base = {"imap_host": "h", "smtp_host": "h", "username": "u", "password": "p", "address": "a@b.test"}
        self.assertEqual(EmailConnector.validate_config(base)["imap_port"], 993)
        starttls = EmailConnector.validate_config({**base, "tls": "starttls"})
        self.assertEqual((starttls["imap_port"], starttls["smtp_port"]), (143, 587))
        with self.assertRaisesMessage(ValueError, "tls must be one of"):
            EmailConnector.validate_config({**base, "tls": "yes"})
        with self.assertRaisesMessage(ValueError, "imap_port must be a port"):
            EmailConnector.validate_config({**base, "imap_port": "imap"})
        with self.assertRaisesMessage(ValueError, "address must be an email address"):
            EmailConnector.validate_config({**base, "address": "support"})
        self.assertEqual(EmailConnector.sensitive_parameters(), {"password"})

    def test_the_cursor_round_trips(self) -> None:
        folders = load_cursor('{"folders": {"INBOX": {"uidvalidity": 9, "last_uid": 4, "newest": "2026-12-01"}}}')
        self.assertEqual((folders["INBOX"].uidvalidity, folders["INBOX"].last_uid), (9, 4))
        self.assertEqual(load_cursor(dump_cursor(folders)), folders)
        self.assertEqual(load_cursor(None), {})
