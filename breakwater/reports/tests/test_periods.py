"""Report periods and schedule times (pure date arithmetic)."""

from datetime import UTC, date, datetime

from django.test import SimpleTestCase

from breakwater.reports import periods
from breakwater.reports.periods import Period

TODAY = date(2026, 12, 2)  # a Wednesday


class PeriodsTestCase(SimpleTestCase):
    def test_it_names_the_presets(self) -> None:
        self.assertEqual(periods.preset("last7", TODAY), Period(date(2026, 11, 26), TODAY))
        self.assertEqual(periods.preset("last30", TODAY), Period(date(2026, 11, 3), TODAY))
        self.assertEqual(periods.preset("this_month", TODAY), Period(date(2026, 12, 1), TODAY))
        self.assertEqual(periods.preset("last_month", TODAY),
                         Period(date(2026, 11, 1), date(2026, 11, 30)))

    def test_it_compares_with_the_period_of_equal_length_before(self) -> None:
        period = Period(date(2026, 11, 1), date(2026, 11, 30))
        self.assertEqual(period.days, 30)
        self.assertEqual(period.previous(), Period(date(2026, 10, 2), date(2026, 10, 31)))

    def test_it_takes_own_dates_only_when_they_were_edited(self) -> None:
        shown = ("2026-11-03", "2026-12-02")
        # The preset changed, the dates are as shown: the preset wins.
        self.assertEqual(periods.parse_period("2026-11-03", "2026-12-02", "last7", TODAY, shown),
                         (Period(date(2026, 11, 26), TODAY), "last7"))
        # A date was edited: the person's own range wins over the checked preset.
        self.assertEqual(periods.parse_period("2026-10-01", "2026-12-02", "last30", TODAY, shown),
                         (Period(date(2026, 10, 1), TODAY), "custom"))
        # A link with dates alone (drill-down, export) is a custom range.
        self.assertEqual(periods.parse_period("2026-11-05", "2026-11-06", None, TODAY),
                         (Period(date(2026, 11, 5), date(2026, 11, 6)), "custom"))

    def test_it_falls_back_to_the_last_30_days_on_a_bad_range(self) -> None:
        for start, end in (("2026-12-02", "2026-11-01"), ("junk", "2026-11-01"),
                           ("2020-01-01", "2026-11-01")):
            self.assertEqual(periods.parse_period(start, end, None, TODAY)[1], "last30")

    def test_it_sends_weekly_on_monday_morning_in_the_workspace_zone(self) -> None:
        after = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
        run = periods.next_run("weekly", after, "Europe/Helsinki")
        self.assertEqual(run, datetime(2026, 12, 7, 5, 0, tzinfo=UTC))  # 07:00 EET
        self.assertEqual(periods.covered("weekly", run, "Europe/Helsinki"),
                         Period(date(2026, 11, 30), date(2026, 12, 6)))
        # Strictly after: at the send time itself the next one is a week on.
        self.assertEqual(periods.next_run("weekly", run, "Europe/Helsinki"),
                         datetime(2026, 12, 14, 5, 0, tzinfo=UTC))

    def test_it_sends_monthly_on_the_first_across_a_dst_change(self) -> None:
        run = periods.next_run("monthly", datetime(2026, 3, 15, tzinfo=UTC), "Europe/Helsinki")
        self.assertEqual(run, datetime(2026, 4, 1, 4, 0, tzinfo=UTC))  # 07:00 EEST
        self.assertEqual(periods.covered("monthly", run, "Europe/Helsinki"),
                         Period(date(2026, 3, 1), date(2026, 3, 31)))

    def test_it_refuses_an_unknown_frequency(self) -> None:
        with self.assertRaises(ValueError):
            periods.next_run("daily", datetime(2026, 3, 15, tzinfo=UTC), "UTC")
