"""What rules do with the other team-workflow parts: business hours, forwarding, and
auto-replies with the composer's variables."""

from __future__ import annotations

from datetime import UTC, datetime

from breakwater.automation import actions
from breakwater.composer.models import SavedReply
from breakwater.core.errors import Invalid
from breakwater.feedback.actions import do_create_destination
from breakwater.feedback.models import Forward
from breakwater.inbox.models import Message
from breakwater.sla.actions import HoursChange, do_set_business_hours
from breakwater.test import BaseTestCase

OFFICE = [[["08:00", "16:00"]]] * 5 + [[], []]  # Monday to Friday, Helsinki time


class WiringTestCase(BaseTestCase):
    def test_business_hours_decide_inside_and_outside(self) -> None:
        do_set_business_hours(self.alice, HoursChange(week=OFFICE, finnish_holidays=True))
        actions.do_create_rule(self.alice, "after hours", {"business_hours": "outside"},
                               [{"type": "tag", "tags": ["after-hours"]}])
        # Tuesday 2 Dec 2025 10:00 Helsinki (08:00 UTC) is open; Saturday and 6 December are not.
        open_conv = self.conversation(created_at=datetime(2025, 12, 2, 8, 0, tzinfo=UTC).isoformat())
        saturday = self.conversation(created_at=datetime(2025, 12, 6, 8, 0, tzinfo=UTC).isoformat())
        evening = self.conversation(created_at=datetime(2025, 12, 2, 15, 30, tzinfo=UTC).isoformat())
        self.assertEqual(open_conv.tags.count(), 0)
        self.assertEqual(list(saturday.tags.values_list("name", flat=True)), ["after-hours"])
        self.assertEqual(list(evening.tags.values_list("name", flat=True)), ["after-hours"])

    def test_a_rule_forwards_matching_messages_to_another_team(self) -> None:
        team = do_create_destination(self.alice, "Product team", "email", "product@example.org")
        actions.do_create_rule(self.alice, "bugs", {"text": "bugi"},
                               [{"type": "forward", "destination": team.pk, "comment": "from rules"}])
        conv = self.conversation(text="Sovelluksessa on bugi kirjautumisessa")
        self.conversation(text="Kiitos kahvista")
        message = Message.objects.get(conversation=conv)
        [forward] = Forward.objects.all()
        self.assertEqual((forward.destination_id, forward.message_ids, forward.comment),
                         (team.pk, [message.pk], "from rules"))

    def test_a_forward_needs_a_destination_of_the_workspace(self) -> None:
        theirs = do_create_destination(self.charlie, "Theirs", "email", "x@example.org")
        with self.assertRaisesMessage(Invalid, "forwarding destination of this workspace"):
            actions.do_create_rule(self.alice, "leak", {},
                                   [{"type": "forward", "destination": theirs.pk}])

    def test_an_auto_reply_fills_in_the_variables(self) -> None:
        saved = SavedReply.objects.create(workspace=self.acme, name="Thanks",
                                          text="Hei {{contact.first_name}}, kiitos! – {{agent.name}}")
        actions.do_create_rule(self.alice, "thanks", {}, [{"type": "reply", "saved_reply": saved.pk}])
        conv = self.conversation(author={"external_id": "u-77", "name": "Maija Mehiläinen"})
        reply = Message.objects.get(conversation=conv, direction="out")
        self.assertEqual(reply.text, f"Hei Maija, kiitos! – {self.acme.name}")
