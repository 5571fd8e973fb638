"""Business-time arithmetic on plain values: weekends, Finnish public holidays, DST."""

from datetime import UTC, datetime, timedelta
from unittest import TestCase
from zoneinfo import ZoneInfo

from breakwater.sla.calendar import Calendar, check_intervals, due_at, parse_hhmm
from breakwater.sla.due import ClosedDates

HELSINKI = ZoneInfo("Europe/Helsinki")
EIGHT_TO_FIVE = ((8 * 60, 17 * 60),)
WEEKDAYS = tuple([EIGHT_TO_FIVE] * 5 + [(), ()])


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)


def cal(closed=frozenset(), week=WEEKDAYS) -> Calendar:
    return Calendar(tz=HELSINKI, week=week, closed=closed)


class CalendarTestCase(TestCase):
    def test_it_carries_friday_afternoon_over_the_weekend(self) -> None:
        due = cal().add(local(2026, 11, 27, 16, 30), 60)  # a Friday
        self.assertEqual(due, local(2026, 11, 30, 8, 30))  # Monday

    def test_it_starts_the_clock_at_opening_when_closed(self) -> None:
        self.assertEqual(cal().add(local(2026, 11, 30, 6, 0), 60), local(2026, 11, 30, 9, 0))
        self.assertEqual(cal().add(local(2026, 11, 28, 12, 0), 30), local(2026, 11, 30, 8, 30))

    def test_it_skips_independence_day(self) -> None:
        # Itsenäisyyspäivä 6.12.2024 is a Friday.
        closed = ClosedDates([], finnish=True)
        due = cal(closed).add(local(2024, 12, 5, 16, 30), 60)  # Thursday before Itsenäisyyspäivä
        self.assertEqual(due, local(2024, 12, 9, 8, 30))  # Friday 6.12 closed, then the weekend

    def test_it_skips_christmas_and_midsummer_eve(self) -> None:
        closed = ClosedDates([], finnish=True)
        # Wednesday 23.12.2026 16:00 + 2 h: Christmas Eve, Day and Boxing Day are closed.
        self.assertEqual(
            cal(closed).add(local(2026, 12, 23, 16, 0), 120), local(2026, 12, 28, 9, 0)
        )
        # Midsummer Eve 2026 is Friday 19.6, a public holiday in the holidays package for FI.
        self.assertIn(local(2026, 6, 19, 0, 0).date(), closed)
        self.assertEqual(cal(closed).add(local(2026, 6, 18, 16, 30), 60), local(2026, 6, 22, 8, 30))

    def test_it_skips_the_workspaces_own_dates(self) -> None:
        closed = ClosedDates([local(2026, 11, 30, 0, 0).date()], finnish=False)
        self.assertEqual(
            cal(closed).add(local(2026, 11, 27, 16, 30), 60), local(2026, 12, 1, 8, 30)
        )

    def test_it_keeps_local_opening_hours_across_dst(self) -> None:
        # EET -> EEST on Sunday 29.3.2026; open every day 08-17 so the Sunday counts.
        every_day = tuple([EIGHT_TO_FIVE] * 7)
        due = cal(week=every_day).add(local(2026, 3, 28, 16, 30), 60)
        self.assertEqual(due, local(2026, 3, 29, 8, 30))
        self.assertEqual(due.astimezone(HELSINKI).utcoffset(), timedelta(hours=3))  # EEST
        self.assertEqual(due.astimezone(UTC), datetime(2026, 3, 29, 5, 30, tzinfo=UTC))

    def test_it_counts_a_short_night_as_a_short_night(self) -> None:
        # Open round the clock: the DST night has 23 hours, so 24 h of open time ends at 01:00.
        always = tuple([((0, 24 * 60),)] * 7)
        due = cal(week=always).add(local(2026, 3, 29, 0, 0), 24 * 60)
        self.assertEqual(due, local(2026, 3, 30, 1, 0))

    def test_it_measures_business_time_between(self) -> None:
        c = cal()
        self.assertEqual(
            c.between(local(2026, 11, 27, 16, 30), local(2026, 11, 30, 8, 30)), timedelta(hours=1)
        )
        self.assertEqual(
            c.between(local(2026, 11, 30, 8, 30), local(2026, 11, 27, 16, 30)), -timedelta(hours=1)
        )
        self.assertEqual(c.between(local(2026, 11, 28, 9), local(2026, 11, 29, 9)), timedelta())

    def test_it_knows_when_it_is_open(self) -> None:
        c = cal(ClosedDates([], finnish=True))
        self.assertTrue(c.is_open(local(2026, 11, 30, 8, 0)))
        self.assertFalse(c.is_open(local(2026, 11, 30, 17, 0)))
        self.assertFalse(c.is_open(local(2026, 11, 28, 12, 0)))  # Saturday
        self.assertFalse(c.is_open(local(2026, 12, 24, 12, 0)))  # Christmas Eve, a Thursday
        self.assertTrue(c.is_open(datetime(2026, 12, 1, 6, 0, tzinfo=UTC)))  # 08:00 in Helsinki

    def test_it_uses_several_intervals_a_day(self) -> None:
        split = tuple([((8 * 60, 11 * 60), (12 * 60, 16 * 60))] * 5 + [(), ()])
        self.assertEqual(
            cal(week=split).add(local(2026, 11, 30, 10, 30), 60), local(2026, 11, 30, 12, 30)
        )

    def test_it_falls_back_to_wall_clock_without_open_hours(self) -> None:
        closed_week = Calendar(tz=HELSINKI, week=((),) * 7)
        start = local(2026, 11, 28, 12, 0)
        self.assertEqual(due_at(start, 90, closed_week), start + timedelta(minutes=90))
        self.assertEqual(due_at(start, 90, None), start + timedelta(minutes=90))

    def test_it_rejects_bad_times_and_intervals(self) -> None:
        self.assertEqual(parse_hhmm("24:00"), 1440)
        for bad in ("8", "25:00", "08:60", "x:y"):
            with self.assertRaises(ValueError):
                parse_hhmm(bad)
        with self.assertRaises(ValueError):
            check_intervals([(600, 500)])
        with self.assertRaises(ValueError):
            check_intervals([(480, 720), (700, 900)])
        with self.assertRaises(ValueError):
            cal().add(datetime(2026, 1, 1), 5)  # noqa: DTZ001 (naive on purpose)
