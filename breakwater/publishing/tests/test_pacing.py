"""Budget pacing against a hand-computed example, and alerts that fire once per threshold."""

from datetime import date
from decimal import Decimal

from breakwater.core.models import Role
from breakwater.publishing import campaigns, pacing
from breakwater.publishing.models import BudgetAlert
from breakwater.test import BaseTestCase


class PacingTestCase(BaseTestCase):
    def test_the_figures_match_a_hand_computed_example(self) -> None:
        # 900.00 over November (30 days); on the 10th (day 10 of 30):
        #   spent to date   = 40 + 35.50 + 100        = 175.50  (the 12th is later)
        #   planned to date = 900 * 10 / 30           = 300.00
        #   pace            = 175.50 / 300            = 0.585
        #   projected       = 175.50 / 10 * 30        = 526.50
        #   remaining       = 900 - 175.50            = 724.50
        #   used            = 175.50 / 900            = 19.5 %
        spend = [(date(2026, 11, 1), Decimal("40")), (date(2026, 11, 3), Decimal("35.50")),
                 (date(2026, 11, 10), Decimal("100")), (date(2026, 11, 12), Decimal("50"))]
        p = pacing.pacing(Decimal("900.00"), date(2026, 11, 1), date(2026, 11, 30), spend,
                          date(2026, 11, 10), [80, 100])
        self.assertEqual((p.days, p.elapsed), (30, 10))
        self.assertEqual(p.spent_to_date, Decimal("175.50"))
        self.assertEqual(p.planned_to_date, Decimal("300.00"))
        self.assertEqual(p.pace, Decimal("0.585"))
        self.assertEqual(p.projected, Decimal("526.50"))
        self.assertEqual(p.remaining, Decimal("724.50"))
        self.assertEqual(p.used_percent, Decimal("19.5"))
        self.assertEqual(p.crossed, ())
        self.assertEqual(p.series[2], {"date": "2026-11-03", "spent": "75.50", "planned": "90.00"})
        self.assertEqual(len(p.series), 10)

    def test_before_the_period_nothing_is_planned_yet(self) -> None:
        p = pacing.pacing(Decimal("100"), date(2026, 11, 1), date(2026, 11, 30), [],
                          date(2026, 10, 20))
        self.assertEqual((p.elapsed, p.planned_to_date, p.projected, p.pace),
                         (0, Decimal("0.00"), Decimal("0.00"), None))

    def test_the_api_gives_the_same_figures_and_alerts_fire_once(self) -> None:
        campaign = self.api("POST", "/api/v1/campaigns", self.alice_token, json={
            "name": "Joulu 2026", "utm_campaign": "joulu26"}).json()
        budget = self.api("POST", "/api/v1/budgets", self.alice_token, json={
            "campaign": campaign["id"], "channel": self.channel.pk, "amount": "900.00",
            "period_start": "2026-11-01", "period_end": "2026-11-30",
            "thresholds": [50, 80, 100]})
        self.assertEqual(budget.status_code, 201, budget.content)
        budget_id = budget.json()["id"]
        for day, amount in (("2026-11-01", "40"), ("2026-11-03", "35.50"),
                            ("2026-11-10", "100"), ("2026-11-12", "50")):
            r = self.api("POST", f"/api/v1/budgets/{budget_id}/spend", self.bob_token,
                         json={"date": day, "amount": amount})
            self.assertEqual(r.status_code, 201, r.content)
        data = self.api("GET", f"/api/v1/budgets/{budget_id}/pacing?as_of=2026-11-10",
                        self.vera_token).json()
        self.assertEqual((data["spent_to_date"], data["planned_to_date"], data["projected"],
                          data["remaining"], data["pace"]),
                         ("175.50", "300.00", "526.50", "724.50", "0.585"))
        self.assertEqual(data["alerts"], [])
        campaigns.do_add_spend(self.bob, budget_id, date(2026, 11, 11), "300")  # 525.50: 58 %
        campaigns.do_add_spend(self.bob, budget_id, date(2026, 11, 13), "200")  # 725.50: 80.6 %
        campaigns.do_add_spend(self.bob, budget_id, date(2026, 11, 14), "10")   # still under 100
        self.assertEqual(list(BudgetAlert.objects.order_by("threshold").values_list(
            "threshold", "spent")), [(50, Decimal("525.50")), (80, Decimal("725.50"))])

    def test_viewers_cannot_spend_and_others_cannot_see(self) -> None:
        from breakwater.publishing.models import Campaign

        campaign = Campaign.objects.create(workspace=self.acme, name="C")
        budget = campaigns.do_create_budget(self.alice, campaign.pk, self.channel.pk, "10",
                                          date(2026, 1, 1), date(2026, 1, 31))
        self.assertEqual(self.vera.role, Role.VIEWER)
        r = self.api("POST", f"/api/v1/budgets/{budget.pk}/spend", self.vera_token,
                     json={"date": "2026-01-02", "amount": "1"})
        self.assertEqual(r.status_code, 403)
        r = self.api("GET", f"/api/v1/budgets/{budget.pk}/pacing", self.charlie_token)
        self.assertEqual(r.status_code, 404)
