"""What the servers' errors become: the outbox and the sync engine act on these flags."""

import imaplib
import smtplib

from django.test import SimpleTestCase
from imapclient.exceptions import LoginError

from breakwater.connectors.base import ConnectorError
from breakwater.connectors.email import mailbox


class ErrorMappingTestCase(SimpleTestCase):
    def smtp(self, exc: Exception, *, handed_over: bool = False) -> ConnectorError:
        with self.assertRaises(ConnectorError) as caught, \
                mailbox._smtp_errors("smtp.example.test", handed_over=[handed_over]):
            raise exc
        return caught.exception

    def imap(self, exc: Exception) -> ConnectorError:
        with self.assertRaises(ConnectorError) as caught, mailbox._imap_errors("imap.example.test"):
            raise exc
        return caught.exception

    def test_a_session_broken_while_handing_over_the_mail_has_an_unknown_outcome(self) -> None:
        broken = self.smtp(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), handed_over=True)
        self.assertTrue(broken.outcome_unknown)
        self.assertFalse(broken.permanent)
        early = self.smtp(ConnectionRefusedError(111, "Connection refused"))
        self.assertFalse(early.outcome_unknown)
        self.assertEqual(early.retry_after, 30)

    def test_refusals_keep_the_servers_words(self) -> None:
        auth = self.smtp(smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid"))
        self.assertTrue(auth.reauth)
        self.assertIn("535 5.7.8 Authentication credentials invalid", auth.message)
        full = self.smtp(smtplib.SMTPDataError(452, b"4.2.2 Mailbox full"))
        self.assertFalse(full.permanent)
        spam = self.smtp(smtplib.SMTPDataError(554, b"5.7.1 Message rejected as spam"))
        self.assertTrue(spam.permanent)
        self.assertIn("5.7.1 Message rejected as spam", spam.message)

    def test_imap_login_refusals_need_a_person_and_drops_are_retried(self) -> None:
        login = self.imap(LoginError(b"[AUTHENTICATIONFAILED] Authentication failed."))
        self.assertTrue(login.reauth)
        self.assertIn("[AUTHENTICATIONFAILED] Authentication failed.", login.message)
        dropped = self.imap(imaplib.IMAP4.abort("socket error: EOF"))
        self.assertEqual((dropped.permanent, dropped.retry_after), (False, 30))
