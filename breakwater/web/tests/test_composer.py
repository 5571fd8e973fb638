"""The composer's pages without a browser: the reply box's JSON, settings, the queue."""

from django.urls import reverse
from django.utils import translation

from breakwater.composer import actions as composer
from breakwater.composer.actions import SavedReplyFields
from breakwater.composer.models import Approval, SavedReply
from breakwater.inbox.models import Message
from breakwater.outbox.models import Delivery
from breakwater.test import PASSWORD, BaseTestCase

GUIDELINES = {
    "avoid": {"halpa": "edullinen"},
    "confidential": [{"term": "yt-neuvottelut", "action": "block"},
                     {"term": "fuusio", "action": "approve"}],
    "notes": "Me-muoto, ei huutomerkkejä.",
}


class ComposerPagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        composer.do_set_guidelines(self.alice, composer.parse_guidelines(GUIDELINES))
        self.conv = self.conversation(
            author={"external_id": "m", "handle": "maija", "name": "Maija Mehiläinen"})
        self.client.login(username="bob@example.org", password=PASSWORD)

    def test_it_shows_tone_notes_and_the_limit_beside_the_reply_box(self) -> None:
        response = self.client.get(reverse("web:conversation", args=[self.conv.pk]))
        self.assertContains(response, "Me-muoto, ei huutomerkkejä.")
        self.assertContains(response, 'data-limit="2000"')
        self.assertContains(response, "edullinen")

    def test_it_checks_a_draft(self) -> None:
        response = self.client.post(reverse("web:draft_checks", args=[self.conv.pk]),
                                    {"text": "Kerromme yt-neuvotteluista 👍🏽"})
        data = response.json()
        self.assertEqual((data["verdict"], data["length"], data["limit"]), ("block", 28, 2000))
        self.assertEqual(data["checks"][0]["kind"], "confidential")
        theirs = self.conversation(workspace=self.other)
        other = self.client.post(reverse("web:draft_checks", args=[theirs.pk]), {"text": "x"})
        self.assertEqual(other.status_code, 404)

    def test_it_renders_saved_replies_for_the_conversation(self) -> None:
        composer.do_create_saved_reply(self.bob, SavedReplyFields(
            "Kiitos", "Kiitos {{contact.first_name}}! t. {{agent.first_name}}", "kiitos"))
        response = self.client.get(reverse("web:conversation_saved_replies", args=[self.conv.pk]),
                                   {"q": "kii"})
        self.assertEqual(response.json()["items"][0]["text"], "Kiitos Maija! t. Bob")

    def test_it_refuses_a_blocked_reply_and_explains(self) -> None:
        response = self.client.post(reverse("web:reply", args=[self.conv.pk]),
                                    {"text": "Kerromme yt-neuvotteluista pian."}, follow=True)
        self.assertContains(response, "Not sent:")
        self.assertContains(response, "ds-blocked")
        self.assertFalse(Delivery.objects.exists())

    def test_it_holds_a_reply_and_a_manager_approves_it_in_the_queue(self) -> None:
        response = self.client.post(reverse("web:reply", args=[self.conv.pk]),
                                    {"text": "Fuusiosta kerromme pian."}, follow=True)
        self.assertContains(response, "waits for a manager")
        self.assertContains(response, "Open the approval queue")
        approval = Approval.objects.get()
        queue = self.client.get(reverse("web:approvals"))
        self.assertContains(queue, "Fuusiosta kerromme pian.")
        self.assertNotContains(queue, "Approve and send")  # bob is an agent
        self.client.login(username="alice@example.org", password=PASSWORD)
        self.assertContains(self.client.get(reverse("web:approvals")), "Approve and send")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("web:approval_decide", args=[approval.pk]),
                             {"decision": "approve", "text": "Kerromme pian lisää."})
        message = Message.objects.get(pk=int(approval.ref.split(":")[1]))
        self.assertEqual((message.delivery_state, message.text), ("sent", "Kerromme pian lisää."))

    def test_it_rejects_with_a_comment_shown_on_the_conversation(self) -> None:
        self.client.post(reverse("web:reply", args=[self.conv.pk]), {"text": "Fuusio on totta."})
        approval = Approval.objects.get()
        self.client.login(username="alice@example.org", password=PASSWORD)
        self.client.post(reverse("web:approval_decide", args=[approval.pk]),
                         {"decision": "reject", "comment": "Emme kommentoi fuusiota."})
        page = self.client.get(reverse("web:conversation", args=[self.conv.pk]))
        self.assertContains(page, "Emme kommentoi fuusiota.")
        self.assertContains(page, "ds-blocked")

    def test_it_manages_saved_replies(self) -> None:
        url = reverse("web:saved_replies")
        self.client.post(url, {"name": "Aukiolo", "text": "Avoinna 8-16", "shortcut": ""})
        reply = SavedReply.objects.get()
        self.assertEqual(reply.shortcut, "aukiolo")
        self.assertContains(self.client.get(url), "Avoinna 8-16")
        self.client.post(reverse("web:saved_reply_change", args=[reply.pk]),
                         {"name": "Aukiolo", "text": "Avoinna 9-17", "shortcut": "auki"})
        reply.refresh_from_db()
        self.assertEqual((reply.text, reply.shortcut), ("Avoinna 9-17", "auki"))
        self.client.post(reverse("web:saved_reply_change", args=[reply.pk]), {"delete": "1"})
        self.assertFalse(SavedReply.objects.exists())

    def test_it_lets_managers_edit_guidelines_and_others_read_them(self) -> None:
        url = reverse("web:guidelines")
        page = self.client.get(url)
        self.assertContains(page, "halpa =&gt; edullinen")
        self.assertContains(page, "Only managers can change")
        self.client.post(url, {"notes": "x", "block": "salaisuus"}, follow=True)
        self.assertEqual(composer.access_guidelines(self.acme.pk).notes, GUIDELINES["notes"])
        self.client.login(username="alice@example.org", password=PASSWORD)
        self.client.post(url, {"notes": "Lyhyesti.", "avoid": "halpa => edullinen",
                               "block": "salaisuus\n/\\d{6}-\\d{3}[A-Z]/", "approve": "fuusio",
                               "required": "greeting: ^(hei|moi)"})
        saved = composer.access_guidelines(self.acme.pk)
        self.assertEqual(saved.notes, "Lyhyesti.")
        self.assertEqual([(c.term, c.pattern, c.action) for c in saved.confidential], [
            ("salaisuus", None, "block"), (None, r"\d{6}-\d{3}[A-Z]", "block"),
            ("fuusio", None, "approve")])
        self.assertEqual(saved.required[0].pattern, "^(hei|moi)")
        # What only the API sets (a required element's language) survives an edit in the form.
        composer.do_set_guidelines(self.alice, saved.model_copy(update={"required": [
            saved.required[0].model_copy(update={"language": "fi"})]}))
        self.client.post(url, {**self.client.get(url).context["form"], "notes": "Lyhyemmin."})
        saved = composer.access_guidelines(self.acme.pk)
        self.assertEqual((saved.notes, saved.required[0].language), ("Lyhyemmin.", "fi"))
        broken = self.client.post(url, {"required": "greeting ^(hei"}, follow=True)
        self.assertContains(broken, "name: pattern")

    def test_it_saves_the_approval_policy(self) -> None:
        self.client.login(username="alice@example.org", password=PASSWORD)
        self.client.post(reverse("web:approval_policy"),
                         {"roles": ["agent"], "members": [str(self.vera.pk)]})
        policy = composer.access_policy(self.acme.pk)
        self.assertEqual(policy.roles, ("agent",))
        self.assertEqual([m.pk for m in policy.members], [self.vera.pk])

    def test_it_speaks_finnish(self) -> None:
        self.addCleanup(translation.deactivate)  # the middleware leaves it on in this thread
        page = self.client.get(reverse("web:approvals"), HTTP_ACCEPT_LANGUAGE="fi")
        self.assertContains(page, "Hyväksyntäjono")
        self.assertContains(page, "Kenen vastaukset tarvitsevat hyväksynnän")
        data = self.client.post(reverse("web:draft_checks", args=[self.conv.pk]),
                                {"text": "Halpaa kahvia"}, HTTP_ACCEPT_LANGUAGE="fi").json()
        self.assertEqual(data["checks"][0]["message"],
                         "Vältä sanaa ”halpa”: sano mieluummin ”edullinen”.")
