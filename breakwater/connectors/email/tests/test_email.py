"""Email channels against a real Dovecot (IMAP) with an SMTP server relaying into it: mail in,
replies out threaded, poll/stream/reconcile without duplicates, password changes, UIDVALIDITY."""

from __future__ import annotations

import itertools
import os
import time
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from breakwater.connectors.base import OutboundReply
from breakwater.connectors.email import parsing
from breakwater.connectors.email.connector import EmailConnector, load_cursor, reply_message_id
from breakwater.connectors.email.tests.mailserver import MailServer
from breakwater.core.actions import channel_config
from breakwater.core.models import Channel, ChannelStatus
from breakwater.inbox.models import Conversation, Message
from breakwater.ingest import sync
from breakwater.ingest.models import SyncState
from breakwater.outbox import actions as outbox
from breakwater.outbox.models import Delivery, DeliveryStatus
from breakwater.test import BaseTestCase

DOVECOT_REFUSAL = "[AUTHENTICATIONFAILED] Authentication failed."
_keys = itertools.count(1)


def run_outbox(rounds: int = 5) -> None:
    """What the worker does for deliveries, with time moved on to each retry."""
    for _ in range(rounds):
        Delivery.objects.exclude(status__in=(DeliveryStatus.SENT, DeliveryStatus.FAILED)).update(
            next_attempt_at=timezone.now(), updated_at=timezone.now() - outbox.LEASE)
        due = outbox.claim_due_deliveries()
        if not due:
            return
        for delivery_id in due:
            outbox.do_deliver(delivery_id)


def due_now(channel: Channel) -> None:
    SyncState.objects.filter(pk=channel.pk).update(next_poll_at=timezone.now())


@pytest.mark.xdist_group("email")
@pytest.mark.usefixtures("mail_on_class")
class EmailChannelTestCase(BaseTestCase):
    mail: MailServer

    def setUp(self) -> None:
        tag = uuid.uuid4().hex[:8]
        self.support = f"support-{tag}@example.test"
        self.customer = f"maija-{tag}@example.org"
        self.mail.add_user(self.support, "support-pw")
        self.mail.add_user(self.customer, "customer-pw")

    def connect(self, address: str | None = None, name: str = "Support mail", tls: str = "none") -> Channel:
        response = self.api("post", "/api/v1/channels", self.alice_token, json={
            "network": "email", "name": name, "config": self.mail.channel_config(address or self.support, tls=tls)})
        self.assertEqual(response.status_code, 201, response.content)
        return Channel.objects.get(pk=response.json()["id"])

    def reply(self, conv: Conversation, text: str) -> Message:
        response = self.api("post", f"/api/v1/conversations/{conv.pk}/replies", self.bob_token,
                            json={"text": text, "idempotency_key": f"email-reply-{uuid.uuid4().hex}"})
        self.assertEqual(response.status_code, 201, response.content)
        run_outbox()
        return Message.objects.get(pk=response.json()["id"])

    def test_an_attachment_deleted_from_the_mailbox_says_so(self) -> None:
        first = self.mail.send(self.customer, self.support, "Kuitti", "Liitteenä kuitti.",
                               attachment=("kuitti.pdf", "application/pdf", b"%PDF-1.4 kuitti"))
        channel = self.connect()
        sync.sync_once()
        question = Conversation.objects.get(channel=channel).messages.get()
        self.mail.delete(self.support, [first])
        got = self.api("get", f"/api/v1/messages/{question.pk}/media/0", self.bob_token)
        self.assertEqual(got.status_code, 502)
        self.assertIn("'kuitti.pdf' is no longer in the mailbox", got.json()["error"])

    def test_a_customers_mail_arrives_and_the_reply_reaches_them_threaded(self) -> None:
        first = self.mail.send(self.customer, self.support, "Tilaus 1234: väärä paahto",
                               "Hei! Paketissa oli väärää kahvia.",
                               attachment=("kuitti.pdf", "application/pdf", b"%PDF-1.4 kuitti"))
        channel = self.connect()
        self.assertEqual(sync.sync_once(), 1)
        conv = Conversation.objects.get(channel=channel)
        self.assertEqual((conv.thread_key, conv.kind), (first, "dm"))
        question = conv.messages.get()
        self.assertEqual((question.external_id, question.direction, question.is_public), (first, "in", False))
        self.assertEqual(question.text, "Hei! Paketissa oli väärää kahvia.")
        (pdf,) = question.media
        self.assertEqual((pdf["name"], pdf["content_type"], pdf["size"]), ("kuitti.pdf", "application/pdf", 15))
        connector = EmailConnector(channel_config(channel), channel=channel.pk)
        self.assertEqual(connector.fetch_media(pdf, first), b"%PDF-1.4 kuitti")
        # People download it from the mailbox, through the API and from the conversation page.
        got = self.api("get", f"/api/v1/messages/{question.pk}/media/0", self.bob_token)
        self.assertEqual((got.status_code, b"".join(got.streaming_content)), (200, b"%PDF-1.4 kuitti"))
        self.assertEqual(got["Content-Disposition"], 'attachment; filename="kuitti.pdf"')
        self.assertEqual(self.api("get", f"/api/v1/messages/{question.pk}/media/1",
                                  self.bob_token).status_code, 404)
        self.assertEqual(self.api("get", f"/api/v1/messages/{question.pk}/media/0",
                                  self.charlie_token).status_code, 404)
        self.client.force_login(self.bob.user)
        page = self.client.get(f"/c/{conv.pk}/")
        self.assertContains(page, f'href="/m/{question.pk}/media/0/" download>kuitti.pdf')
        self.assertEqual(b"".join(self.client.get(f"/m/{question.pk}/media/0/").streaming_content),
                         b"%PDF-1.4 kuitti")

        sent = self.reply(conv, "Pahoittelut! Uusi paketti lähtee tänään.")
        self.assertEqual(sent.delivery_state, "sent")
        (answer,) = self.mail.messages(self.customer, at_least=1)
        self.assertEqual(answer["From"], self.support)
        self.assertEqual(answer["Subject"], "Re: Tilaus 1234: väärä paahto")
        self.assertEqual(answer["In-Reply-To"], first)
        self.assertEqual(parsing.msg_ids(answer["References"]), [first])
        self.assertEqual(answer["Message-ID"], sent.external_id)
        self.assertIn("Uusi paketti lähtee tänään.", answer.get_content())
        # The brand's mailbox keeps the reply in Sent (and the server's own copy in the inbox).
        self.assertEqual([m["Message-ID"] for m in self.mail.messages(self.support, "Sent")], [sent.external_id])

        # The customer answers the reply: same conversation; our copies come back as nothing new.
        second = self.mail.send(self.customer, self.support, str(answer["Subject"]), "Kiitos!", reply_to=answer)
        due_now(channel)
        self.assertEqual(sync.sync_once(), 1)
        conv.refresh_from_db()
        self.assertEqual(list(conv.messages.order_by("pk").values_list("external_id", "direction")),
                         [(first, "in"), (sent.external_id, "out"), (second, "in")])
        self.assertEqual(Conversation.objects.filter(channel=channel).count(), 1)

    def test_poll_stream_and_reconcile_bring_nothing_twice(self) -> None:
        ids = [self.mail.send(self.customer, self.support, f"Kysymys {n}", f"Viesti {n}") for n in range(2)]
        channel = self.connect()
        self.assertEqual(sync.sync_once(), 2)
        connector = EmailConnector(channel_config(channel), channel=channel.pk)
        connector.idle_seconds = 2.0
        stream = connector.stream(None)  # from the start: the same two mails again
        try:
            again = next(stream)
            self.assertEqual(sorted(i.external_id for i in again.items), sorted(ids))
            self.assertEqual(sync.store_page(channel, connector, again), 0)
            third = self.mail.send(self.customer, self.support, "Kysymys 3", "Viesti 3")
            deadline = time.monotonic() + 20
            pushed = next(stream)
            while not pushed.items and time.monotonic() < deadline:
                pushed = next(stream)
            self.assertEqual([i.external_id for i in pushed.items], [third])
            self.assertEqual(sync.store_page(channel, connector, pushed), 1)
        finally:
            stream.close()
        # The poll that comes next, from the cursor the stream saved, and from an older one.
        due_now(channel)
        self.assertEqual(sync.sync_once(), 0)
        self.assertEqual(sync.store_page(channel, connector, connector.poll(again.cursor)), 0)
        # Reconciliation sees all three and recovers nothing.
        SyncState.objects.filter(pk=channel.pk).update(last_success_at=timezone.now() + timedelta(hours=1))
        run = sync.reconcile_channel(channel.pk)
        self.assertEqual((run.checked, run.recovered, run.error), (3, 0, ""))
        self.assertEqual(Message.objects.filter(channel=channel).count(), 3)
        # One is lost on our side (a restore from an older backup): reconciliation brings it back.
        Message.objects.filter(channel=channel, external_id=ids[0]).delete()
        run = sync.reconcile_channel(channel.pk)
        self.assertEqual((run.checked, run.recovered), (3, 1))
        detail = self.api("get", f"/api/v1/channels/{channel.pk}", self.alice_token).json()
        self.assertEqual(detail["recovered_gaps"], 1)
        self.assertEqual(Message.objects.filter(channel=channel).count(), 3)

    def test_a_wrong_password_is_a_422_with_dovecots_words(self) -> None:
        config = self.mail.channel_config(self.support, password="wrong")
        response = self.api("post", "/api/v1/channels", self.alice_token,
                            json={"network": "email", "name": "Typo", "config": config})
        self.assertEqual(response.status_code, 422)
        self.assertIn(DOVECOT_REFUSAL, response.json()["error"])
        self.assertFalse(Channel.objects.filter(name="Typo").exists())

    def test_a_changed_password_needs_attention_and_reconnecting_resumes(self) -> None:
        self.mail.send(self.customer, self.support, "Ennen", "Ennen vaihtoa")
        channel = self.connect()
        self.assertEqual(sync.sync_once(), 1)
        cursor = SyncState.objects.get(pk=channel.pk).cursor
        self.mail.set_password(self.support, "new-password")
        self.mail.send(self.customer, self.support, "Jälkeen", "Vaihdon jälkeen")
        due_now(channel)
        self.assertEqual(sync.sync_once(), 0)
        detail = self.api("get", f"/api/v1/channels/{channel.pk}", self.alice_token).json()
        self.assertEqual(detail["status"], ChannelStatus.NEEDS_ATTENTION)
        self.assertIn(DOVECOT_REFUSAL, detail["last_error"])
        self.assertEqual(SyncState.objects.get(pk=channel.pk).cursor, cursor)

        response = self.api("post", f"/api/v1/channels/{channel.pk}/reconnect", self.alice_token,
                            json={"config": {"password": "new-password"}})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "active")
        self.assertEqual(sync.sync_once(), 1)
        self.assertEqual(sorted(Message.objects.filter(channel=channel).values_list("text", flat=True)),
                         ["Ennen vaihtoa", "Vaihdon jälkeen"])

    def test_a_renumbered_inbox_resyncs_without_losing_or_repeating_mail(self) -> None:
        ids = [self.mail.send(self.customer, self.support, f"Vanha {n}", f"Vanha {n}") for n in range(3)]
        channel = self.connect()
        self.assertEqual(sync.sync_once(), 3)
        before = load_cursor(SyncState.objects.get(pk=channel.pk).cursor)["INBOX"]
        self.assertEqual(before.last_uid, 3)
        # Two are deleted and the server renumbers the folder: the one left becomes UID 1 and
        # new mail gets UID 2, below the saved UID; only UIDVALIDITY tells.
        self.mail.delete(self.support, ids[:2])
        self.mail.renumber(self.support)
        fresh = self.mail.send(self.customer, self.support, "Uusi", "Numeroinnin jälkeen")
        due_now(channel)
        self.assertEqual(sync.sync_once(), 1)
        after = load_cursor(SyncState.objects.get(pk=channel.pk).cursor)["INBOX"]
        self.assertNotEqual(after.uidvalidity, before.uidvalidity)
        self.assertEqual(after.last_uid, 2)
        self.assertEqual(sorted(Message.objects.filter(channel=channel).values_list("external_id", flat=True)),
                         sorted([*ids, fresh]))

    def test_a_support_and_an_internal_address_are_two_channels(self) -> None:
        team = self.support.replace("support-", "team-")
        colleague = self.customer.replace("maija-", "kolleega-").replace("example.org", "example.test")
        self.mail.add_user(team, "team-pw")
        self.mail.add_user(colleague, "colleague-pw")
        support = self.connect()
        internal = self.connect(team, name="Team mail")
        question = self.mail.send(self.customer, self.support, "Asiakas", "Asiakkaan kysymys")
        memo = self.mail.send(colleague, team, "Tiimi", "Sisäinen viesti")
        self.assertEqual(sync.sync_once(), 2)
        self.assertEqual(list(Message.objects.filter(channel=support).values_list("external_id", flat=True)),
                         [question])
        self.assertEqual(list(Message.objects.filter(channel=internal).values_list("external_id", flat=True)),
                         [memo])
        self.reply(Conversation.objects.get(channel=internal), "Selvä, hoidan.")
        (answer,) = self.mail.messages(colleague, at_least=1)
        self.assertEqual((answer["From"], answer["In-Reply-To"]), (team, memo))
        self.assertEqual(self.mail.messages(self.customer), [])

    def test_after_an_unknown_outcome_the_sent_reply_is_found_not_sent_again(self) -> None:
        question = self.mail.send(self.customer, self.support, "Kysymys", "Onko auki?")
        channel = self.connect()
        sync.sync_once()
        conv = Conversation.objects.get(channel=channel)
        key = f"unknown-{next(_keys)}-{uuid.uuid4().hex}"
        with self.captureOnCommitCallbacks(execute=False):
            response = self.api("post", f"/api/v1/conversations/{conv.pk}/replies", self.bob_token,
                                json={"text": "On, klo 8-16.", "idempotency_key": key})
        self.assertEqual(response.status_code, 201, response.content)
        # The first attempt reached the server, but its answer was lost (a timeout after DATA).
        connector = EmailConnector(channel_config(channel))
        reply = OutboundReply(idempotency_key=key, text="On, klo 8-16.", thread_key=question,
                              in_reply_to=question, is_public=False, network="email")
        self.assertIsNone(connector.find_delivery(reply))
        connector.send_reply(reply)
        Delivery.objects.filter(idempotency_key=key).update(status=DeliveryStatus.UNKNOWN, attempts=1)
        # Meanwhile the mailbox's copies of the reply come in by polling, before the outbox knows.
        due_now(channel)
        self.assertEqual(sync.sync_once(), 1)
        run_outbox()
        delivery = Delivery.objects.get(idempotency_key=key)
        msgid = reply_message_id(key, self.support)
        self.assertEqual((delivery.status, delivery.external_id), (DeliveryStatus.SENT, msgid))
        self.assertEqual(len(self.mail.messages(self.customer, at_least=1)), 1)
        # One reply in the conversation: the one typed in Breakwater, now carrying the Message-ID.
        conv.refresh_from_db()
        self.assertEqual(list(conv.messages.order_by("pk").values_list("external_id", "sent_by_id")),
                         [(question, None), (msgid, self.bob.user_id)])
        self.assertEqual(conv.message_count, 2)

    def test_ssl_and_starttls_channels_read_and_reply_over_verified_tls(self) -> None:
        # The servers' certificate is self-signed: unknown to the system, refused with the reason.
        response = self.api("post", "/api/v1/channels", self.alice_token, json={
            "network": "email", "name": "Untrusted", "config": self.mail.channel_config(self.support, tls="ssl")})
        self.assertEqual(response.status_code, 422)
        self.assertIn("CERTIFICATE_VERIFY_FAILED", response.json()["error"])
        # Trusted (as a company CA would be), both modes work end to end.
        with mock.patch.dict(os.environ, {"SSL_CERT_FILE": str(self.mail.tls_ca)}):
            for tls in ("ssl", "starttls"):
                address = self.support.replace("support-", f"{tls}-")
                self.mail.add_user(address, "tls-pw")
                question = self.mail.send(self.customer, address, f"Kysymys ({tls})", "Salattu?")
                channel = self.connect(address, name=f"Mail over {tls}", tls=tls)
                self.assertEqual(sync.sync_once(), 1)
                self.reply(Conversation.objects.get(channel=channel, thread_key=question), f"Kyllä, {tls}.")
        answers = self.mail.messages(self.customer, at_least=2)
        self.assertEqual(sorted(a.get_content().strip() for a in answers), ["Kyllä, ssl.", "Kyllä, starttls."])

    def test_a_refused_recipient_fails_the_reply_with_the_servers_words(self) -> None:
        # Mail from outside (delivered by another server) whose sender our SMTP server refuses.
        outsider = f"nobody-{uuid.uuid4().hex[:6]}@example.org"
        client = self.mail.imap(self.support)
        try:
            client.append("INBOX", f"From: {outsider}\r\nTo: {self.support}\r\nSubject: Hei\r\n"
                                   f"Message-ID: <outside-{outsider}>\r\n\r\nHei vaan\r\n".encode())
        finally:
            client.logout()
        channel = self.connect()
        self.assertEqual(sync.sync_once(), 1)
        sent = self.reply(Conversation.objects.get(channel=channel), "Kiitos viestistä!")
        delivery = Delivery.objects.get(ref=f"message:{sent.pk}")
        self.assertEqual(delivery.status, DeliveryStatus.FAILED)
        self.assertIn("550 5.1.1", delivery.error)
        self.assertIn("User unknown", sent.delivery_error)
