"""The web pages without a browser: access, rendering, forms that call the actions."""

from django.urls import reverse

from breakwater.inbox.models import Conversation, Message, Note, Status
from breakwater.test import PASSWORD, BaseTestCase


class InboxPageTestCase(BaseTestCase):
    def test_it_sends_strangers_to_the_login_page(self) -> None:
        response = self.client.get(reverse("web:inbox"))
        self.assertRedirects(response, f"{reverse('web:login')}?next=/")

    def test_it_lists_open_conversations_of_the_members_workspace_only(self) -> None:
        mine = self.conversation(text="Missä on lähin kahvila?")
        self.conversation(workspace=self.other, text="Toisen työtilan viesti")
        self.client.login(username="bob@example.org", password=PASSWORD)
        response = self.client.get(reverse("web:inbox"))
        self.assertContains(response, "Missä on lähin kahvila?")
        self.assertNotContains(response, "Toisen työtilan viesti")
        self.assertContains(response, f'data-id="{mine.pk}"')

    def test_it_renders_only_rows_for_live_refresh(self) -> None:
        self.conversation(text="Päivitys")
        self.client.login(username="bob@example.org", password=PASSWORD)
        response = self.client.get(reverse("web:inbox") + "?partial=rows")
        self.assertContains(response, "Päivitys")
        self.assertNotContains(response, "<html")

    def test_it_pages_with_a_cursor(self) -> None:
        for n in range(55):
            self.conversation(text=f"viesti {n}")
        self.client.login(username="bob@example.org", password=PASSWORD)
        first = self.client.get(reverse("web:inbox"))
        self.assertEqual(first.content.decode().count('class="row '), 50)
        older = first.context["older_qs"]
        second = self.client.get(f"{reverse('web:inbox')}?{older}")
        self.assertEqual(second.content.decode().count('class="row '), 5)

    def test_it_explains_a_broken_cursor(self) -> None:
        self.client.login(username="bob@example.org", password=PASSWORD)
        response = self.client.get(reverse("web:inbox") + "?cursor=zzz", follow=True)
        self.assertContains(response, "cursor is not valid")


class ConversationPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.conv = self.conversation(text="Kahvi oli kylmää.", thread_key="post:9")
        self.client.login(username="bob@example.org", password=PASSWORD)

    def test_it_shows_the_thread(self) -> None:
        response = self.client.get(reverse("web:conversation", args=[self.conv.pk]))
        self.assertContains(response, "Kahvi oli kylmää.")
        self.assertContains(response, 'name="idempotency_key"')

    def test_it_hides_another_workspaces_conversation(self) -> None:
        theirs = self.conversation(workspace=self.other, text="salainen")
        response = self.client.get(reverse("web:conversation", args=[theirs.pk]))
        self.assertEqual(response.status_code, 404)

    def test_it_replies_once_per_form(self) -> None:
        url = reverse("web:reply", args=[self.conv.pk])
        form = {"text": "Pahoittelut, korjaamme asian!", "idempotency_key": "form-1"}
        self.client.post(url, form)
        self.client.post(url, form)  # a double submit
        self.assertEqual(Message.objects.filter(conversation=self.conv, direction="out").count(), 1)

    def test_it_replies_and_marks_done(self) -> None:
        url = reverse("web:reply", args=[self.conv.pk])
        self.client.post(url, {"text": "Kiitos!", "idempotency_key": "k2", "then": "done"})
        self.conv.refresh_from_db()
        self.assertEqual(self.conv.status, Status.DONE)

    def test_it_updates_by_fetch_with_a_json_answer(self) -> None:
        url = reverse("web:update", args=[self.conv.pk])
        response = self.client.post(url, {"assign": "me", "add_tag": "valitus"},
                                    HTTP_X_REQUESTED_WITH="fetch")
        self.assertEqual(response.json(), {"ok": True, "message": "Saved."})
        self.conv.refresh_from_db()
        self.assertEqual(self.conv.assignee_id, self.bob.user_id)

    def test_it_tells_a_viewer_why_not(self) -> None:
        self.client.login(username="vera@example.org", password=PASSWORD)
        url = reverse("web:update", args=[self.conv.pk])
        response = self.client.post(url, {"status": "done"}, HTTP_X_REQUESTED_WITH="fetch")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Agent role", response.json()["message"])
        self.assertEqual(Conversation.objects.get(pk=self.conv.pk).status, Status.OPEN)

    def test_it_adds_a_note(self) -> None:
        self.client.post(reverse("web:note", args=[self.conv.pk]), {"text": "@alice katso tämä"})
        self.assertEqual(Note.objects.get(conversation=self.conv).mentions, ["alice"])

    def test_it_updates_in_bulk(self) -> None:
        other = self.conversation(text="toinen")
        self.client.post(reverse("web:bulk"), {"ids": [self.conv.pk, other.pk], "status": "done"})
        self.assertEqual(Conversation.objects.filter(status=Status.DONE).count(), 2)


class QueryCountTestCase(BaseTestCase):
    """Pages cost the same number of queries however many rows they show (no N+1)."""

    def count(self, url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(ctx.captured_queries)

    def test_it_renders_the_inbox_in_constant_queries(self) -> None:
        self.client.login(username="bob@example.org", password=PASSWORD)
        for n in range(3):
            conv = self.conversation(text=f"a{n}")
            self.client.post(reverse("web:update", args=[conv.pk]), {"assign": "me", "add_tag": "x"})
        few = self.count(reverse("web:inbox"))
        for n in range(20):
            conv = self.conversation(text=f"b{n}")
            self.client.post(reverse("web:update", args=[conv.pk]), {"assign": "me", "add_tag": "y"})
        self.assertEqual(self.count(reverse("web:inbox")), few)

    def test_it_opens_a_conversation_in_constant_queries(self) -> None:
        self.client.login(username="bob@example.org", password=PASSWORD)
        conv = self.conversation(text="eka", thread_key="post:1")
        url = reverse("web:conversation", args=[conv.pk])
        few = self.count(url)
        self.ingest(self.acme, [self.item(thread_key="post:1", text=f"lisää {n}") for n in range(15)])
        self.client.post(reverse("web:note", args=[conv.pk]), {"text": "muistio"})
        self.client.post(reverse("web:reply", args=[conv.pk]), {"text": "vastaus", "idempotency_key": "q"})
        self.assertEqual(self.count(url), few)
