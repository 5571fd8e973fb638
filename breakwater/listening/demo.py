"""The demo workspace's listening: Aalto Kahvi and two competitors, five weeks of generated
public mentions with a weekly rhythm, and yesterday's spike about a price rise, stored through
the real path (``store.store``: analysis, matching, dedupe)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from breakwater.core.models import Membership
from breakwater.listening import actions, store
from breakwater.listening.actions import TopicFields
from breakwater.listening.store import Candidate

TOPICS = (
    TopicFields("Aalto Kahvi", '"aalto kahvi" OR aaltokahvi OR #aaltokahvi', "brand"),
    TopicFields("Kahvila Kilpa", '"kahvila kilpa" OR #kilpakahvi', "competitor"),
    TopicFields("Paahtimo Pohjola", '"paahtimo pohjola" OR #pohjolapaahtimo', "competitor"),
)
PHRASES = {
    "Aalto Kahvi": ("Aamun paras hetki: Aalto Kahvi ja pulla", "Aalto Kahvi Kalliossa oli taas täynnä",
                    "Uusi kausijuoma Aalto Kahvilla on tosi hyvä #aaltokahvi",
                    "Aalto Kahvi jonotti tänään pitkään mutta kannatti"),
    "Kahvila Kilpa": ("Kahvila Kilpa avasi uuden kahvilan Espooseen",
                      "Kahvila Kilpa: halpaa mutta laimeaa", "Kävin Kahvila Kilpa ja tykkäsin"),
    "Paahtimo Pohjola": ("Paahtimo Pohjola julkaisi uuden paahdon",
                         "Paahtimo Pohjola tilaus tuli nopeasti #pohjolapaahtimo"),
}
SPIKE = ("Aalto Kahvi hinnankorotus taas, cappuccino maksaa nyt viisi euroa",
         "Ei käy: Aalto Kahvi hinnankorotus on liikaa #aaltokahvi",
         "Aalto Kahvi hinnankorotus suututtaa kanta-asiakkaita")
WEIGHTS = {"Aalto Kahvi": 1.0, "Kahvila Kilpa": 0.6, "Paahtimo Pohjola": 0.3}


def _rate(hour: int, weekday: int) -> float:
    """Mentions per hour for a topic of weight 1: busy mornings and lunch, quiet nights."""
    if hour < 6:
        return 0.05
    busy = 1.2 if hour in (7, 8, 12) else 0.5
    return busy * (1.3 if weekday >= 5 else 1.0)


def seed(member: Membership, weeks: int = 5, seed_value: int = 6) -> None:
    for fields in TOPICS:
        actions.do_create_topic(member, fields)
    actions.do_create_starter_sources(member)
    rng = random.Random(seed_value)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    at = now - timedelta(weeks=weeks)
    candidates, n = [], 0
    networks = ("bluesky", "mastodon", "rss")
    while at < now:
        for name, weight in WEIGHTS.items():
            for _ in range(_poisson(rng, _rate(at.hour, at.weekday()) * weight)):
                n += 1
                text = f"{rng.choice(PHRASES[name])} ({n})"
                candidates.append(_candidate(n, text, at + timedelta(minutes=rng.randrange(60)),
                                             rng.choice(networks), rng))
        at += timedelta(hours=1)
    spike_at = now - timedelta(days=1) + timedelta(hours=10 - now.hour)
    for i in range(40):
        n += 1
        candidates.append(_candidate(n, f"{SPIKE[i % len(SPIKE)]} ({n})",
                                     spike_at + timedelta(minutes=rng.randrange(120)),
                                     "bluesky", rng))
    for i in range(0, len(candidates), 500):
        store.store(member.workspace_id, candidates[i:i + 500])


def _candidate(n: int, text: str, at, network: str, rng: random.Random) -> Candidate:
    return Candidate(network=network, external_id=f"demo-listen-{n}", text=text, created_at=at,
                     author=f"kahvinystava{rng.randrange(300)}",
                     url=f"https://{network}.example/demo/{n}",
                     reach=rng.choice((None, 120, 800, 2500)))


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method; rates here are small.
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
