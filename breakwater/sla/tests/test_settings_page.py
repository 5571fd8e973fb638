from django.urls import reverse

from breakwater.inbox.models import Conversation
from breakwater.sla import due
from breakwater.sla.models import Holiday, SlaTarget
from breakwater.test import PASSWORD, BaseTestCase


class SettingsPageTestCase(BaseTestCase):
    def login(self, email: str) -> None:
        self.client.login(username=email, password=PASSWORD)

    def test_a_manager_saves_hours_holidays_and_targets(self) -> None:
        self.login("alice@example.org")
        page = self.client.get(reverse("web:sla"))
        self.assertContains(page, "08:00-16:00")
        response = self.client.post(
            reverse("web:sla_hours"),
            {
                "day0": "08:00-11:30, 12:30-16:00",
                "day1": "9:00-17:00",
                "day5": "",
                "finnish_holidays": "1",
                "holidays": "2026-12-31 Company day\n",
                "breaching_soon_minutes": "20",
            },
            follow=True,
        )
        self.assertContains(response, "Business hours saved")
        hours = due.business_hours(self.acme.pk)
        self.assertEqual(hours.week[0], [["08:00", "11:30"], ["12:30", "16:00"]])
        self.assertEqual(hours.week[1], [["09:00", "17:00"]])
        self.assertEqual(hours.week[2], [])
        self.assertEqual(hours.breaching_soon_minutes, 20)
        self.assertEqual(Holiday.objects.get(workspace=self.acme).name, "Company day")

        conv = self.conversation()
        self.client.post(
            reverse("web:sla_target_add"),
            {"priority": "", "channel": str(self.channel.pk), "minutes": "45"},
        )
        target = SlaTarget.objects.get(workspace=self.acme)
        self.assertEqual(
            (target.minutes, target.channel_id, target.business_hours), (45, self.channel.pk, False)
        )
        self.assertIsNotNone(Conversation.objects.get(pk=conv.pk).response_due_at)
        page = self.client.get(reverse("web:sla"))
        self.assertContains(page, "45 minutes")
        self.client.post(reverse("web:sla_target_delete", args=[target.pk]))
        self.assertFalse(SlaTarget.objects.exists())

    def test_bad_input_explains_itself(self) -> None:
        self.login("alice@example.org")
        response = self.client.post(reverse("web:sla_hours"), {"day0": "8-16"}, follow=True)
        self.assertContains(response, "HH:MM")
        response = self.client.post(
            reverse("web:sla_hours"), {"holidays": "next friday"}, follow=True
        )
        self.assertContains(response, "start each line with a date")

    def test_an_agent_sees_the_settings_but_cannot_change_them(self) -> None:
        self.login("bob@example.org")
        page = self.client.get(reverse("web:sla"))
        self.assertContains(page, "Only managers")
        self.assertNotContains(page, "Save business hours")
        response = self.client.post(reverse("web:sla_target_add"), {"minutes": "5"}, follow=True)
        self.assertContains(response, "Manager role")
        self.assertFalse(SlaTarget.objects.exists())
