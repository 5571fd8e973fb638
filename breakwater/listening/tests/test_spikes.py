"""Spike detection on a generated series with a weekly pattern (pure, no database)."""

import random
from datetime import UTC, datetime, timedelta
from unittest import TestCase

from breakwater.listening import spikes

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
HOUR = timedelta(hours=1)


def weekly_series(weeks: int, seed: int = 7) -> dict[datetime, int]:
    """Mentions per hour: quiet nights, busy weekday office hours, a big Monday-morning peak
    and a Sunday-evening one, with noise."""
    rng = random.Random(seed)
    counts = {}
    at = START
    while at < START + timedelta(weeks=weeks):
        base = 2
        if at.weekday() < 5 and 8 <= at.hour < 17:
            base = 12
        if at.weekday() == 0 and 8 <= at.hour < 11:
            base = 60  # the weekly peak: Monday morning
        if at.weekday() == 6 and 19 <= at.hour < 22:
            base = 35
        counts[at] = max(0, base + rng.randint(-base // 4 - 1, base // 4 + 1))
        at += HOUR
    return counts


class SpikesTestCase(TestCase):
    def test_it_raises_nothing_on_ordinary_weekly_peaks(self):
        counts = weekly_series(6)
        found = spikes.detect(counts, START + timedelta(weeks=4), START + timedelta(weeks=6),
                              history_start=START)
        self.assertEqual(found, [])

    def test_it_finds_planted_spikes(self):
        counts = weekly_series(6)
        night = START + timedelta(weeks=4, days=2, hours=3)  # Wednesday 03:00, usually ~2
        office = START + timedelta(weeks=5, days=3, hours=10)  # Thursday 10:00, usually ~12
        for hour in range(2):
            counts[night + HOUR * hour] += 15
        counts[office] += 40
        found = spikes.detect(counts, START + timedelta(weeks=4), START + timedelta(weeks=6),
                              history_start=START)
        self.assertEqual([(s.start, s.end) for s in found],
                         [(night, night + 2 * HOUR), (office, office + HOUR)])
        self.assertGreater(found[1].ratio, 3)

    def test_it_ignores_small_counts_and_short_history(self):
        counts = {START + timedelta(weeks=w): 0 for w in range(4)}
        counts[START + timedelta(weeks=4)] = 3  # 0 -> 3 is below min_count
        self.assertEqual(spikes.detect(counts, START + timedelta(weeks=4),
                                       START + timedelta(weeks=4, hours=1), history_start=START), [])
        counts[START + timedelta(weeks=4)] = 50
        self.assertIsNone(spikes.judge(counts, START + timedelta(weeks=1), history_start=START))

    def test_it_explains_a_spike_by_its_rising_terms(self):
        terms = spikes.explain_terms({"kahvi": 10, "hinnankorotus": 30, "x": 1},
                                     {"kahvi": 300, "hinnankorotus": 1}, 600, 40)
        self.assertEqual(terms[0][0], "hinnankorotus")
        self.assertNotIn("x", [t for t, _, _ in terms])
