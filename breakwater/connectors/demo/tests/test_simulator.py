"""The demo traffic generator: shape, threading, language mix, determinism and speed.

Pure tests: no database and no Django, like the module under test.
"""

from __future__ import annotations

import json
import time
import unittest
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from breakwater.connectors.demo.simulator import (
    BRAND_HANDLE,
    BRAND_NAME,
    generate_items,
    live_items,
)

START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
END = datetime(2026, 11, 8, 8, 0, tzinfo=UTC)
CHANNELS = (11, 12, 13)
KINDS = {"post", "comment", "ad_comment", "mention", "dm", "review", "reply"}
JSON_LEAVES = (str, int, float, bool, type(None))


def _items(count: int, seed: int | None = 1, **window: datetime) -> list[dict[str, Any]]:
    window = window or {"start": START, "end": END}
    return list(generate_items(CHANNELS, count, seed=seed, **window))


def _assert_json_ready(value: Any, path: str = "item") -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            assert isinstance(key, str), path
            _assert_json_ready(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            _assert_json_ready(inner, f"{path}[{i}]")
    else:
        assert isinstance(value, JSON_LEAVES), f"{path} is {type(value).__name__}"


class ShapeTestCase(unittest.TestCase):
    """Each item is a complete, JSON-ready normalized item."""

    items: list[dict[str, Any]]

    @classmethod
    def setUpClass(cls) -> None:
        cls.items = _items(2000)

    def test_it_yields_exactly_count_items(self) -> None:
        for count in (0, 1, 57, 2000):
            assert sum(1 for _ in generate_items(CHANNELS, count, seed=3)) == count

    def test_it_produces_every_kind_in_2000_items(self) -> None:
        assert {item["kind"] for item in self.items} == KINDS

    def test_it_fills_every_field(self) -> None:
        for item in self.items:
            assert item["network"] == "demo"
            assert item["channel"] in CHANNELS
            assert item["html"] is None
            assert item["text"].strip()
            assert item["url"].startswith("https://")
            assert item["direction"] in ("in", "out")
            assert set(item["author"]) == {"external_id", "handle", "name", "avatar_url"}
            for medium in item["media"]:
                assert medium["type"] == "image"
                assert medium["url"] and medium["alt"]

    def test_it_yields_json_ready_values(self) -> None:
        for item in self.items:
            _assert_json_ready(item)
        assert json.loads(json.dumps(self.items)) == self.items

    def test_it_gives_each_item_its_own_author_object(self) -> None:
        # Authors recur; a consumer that edits one item's author must not edit the others.
        items = _items(300)
        regular = Counter(i["author"]["external_id"] for i in items).most_common(1)[0][0]
        mine = [i for i in items if i["author"]["external_id"] == regular]
        mine[0]["author"]["name"] = "changed"
        assert all(i["author"]["name"] != "changed" for i in mine[1:])

    def test_it_gives_unique_external_ids(self) -> None:
        ids = [item["external_id"] for item in self.items]
        assert len(set(ids)) == len(ids)

    def test_it_validates_as_inbound_items(self) -> None:
        # The ingest contract itself, so a drift between the two shows up here.
        from breakwater.connectors.base import parse_item

        for item in self.items[:300]:
            parsed = parse_item(item)
            assert parsed.external_id == item["external_id"]
            assert parsed.created_at.tzinfo is not None

    def test_it_rejects_bad_arguments(self) -> None:
        naive = datetime(2026, 11, 1)  # noqa: DTZ001 (the point of the test)
        for kwargs in ({"start": naive, "end": END}, {"start": END, "end": START}):
            with self.assertRaises(ValueError):
                generate_items(CHANNELS, 10, **kwargs)  # type: ignore[arg-type]
        with self.assertRaises(ValueError):
            generate_items(CHANNELS, -1)
        with self.assertRaises(ValueError):
            generate_items([], 10)


class ThreadingTestCase(unittest.TestCase):
    """Threads hang together the way ingest groups them into conversations."""

    items: list[dict[str, Any]]

    @classmethod
    def setUpClass(cls) -> None:
        cls.items = _items(5000, seed=7)

    def test_it_yields_each_post_before_its_comments(self) -> None:
        posts: dict[str, dict[str, Any]] = {}
        seen_in_thread: dict[str, set[str]] = defaultdict(set)
        for item in self.items:
            if item["kind"] == "post":
                posts[item["external_id"]] = item
            elif item["kind"] in ("comment", "ad_comment"):
                post_id = item["thread_key"].removeprefix("post:")
                assert post_id in posts, f"{item['external_id']} came before its post"
                post = posts[post_id]
                assert item["thread_key"] == post["thread_key"]
                assert item["channel"] == post["channel"]
                assert post["raw"]["sponsored"] is (item["kind"] == "ad_comment")
                parent = item["parent_external_id"]
                assert parent == post_id or parent in seen_in_thread[item["thread_key"]]
            seen_in_thread[item["thread_key"]].add(item["external_id"])

    def test_it_nests_some_comments(self) -> None:
        comments = [item for item in self.items if item["kind"] == "comment"]
        nested = [c for c in comments if c["parent_external_id"] != c["thread_key"][len("post:") :]]
        assert 0.05 * len(comments) < len(nested) < 0.5 * len(comments)

    def test_it_keys_brand_posts_by_their_id(self) -> None:
        for item in self.items:
            if item["kind"] == "post":
                assert item["thread_key"] == f"post:{item['external_id']}"
                assert item["parent_external_id"] is None
                assert item["direction"] == "out"
                assert item["author"]["handle"] == BRAND_HANDLE
                assert item["author"]["name"] == BRAND_NAME
        assert any(i["raw"].get("sponsored") for i in self.items if i["kind"] == "post")

    def test_it_keeps_dms_private_and_per_author(self) -> None:
        dms = [item for item in self.items if item["kind"] == "dm"]
        for dm in dms:
            assert dm["is_public"] is False
            assert dm["thread_key"] == f"dm:{dm['author']['external_id']}"
        per_thread = Counter(dm["thread_key"] for dm in dms)
        assert max(per_thread.values()) >= 3

    def test_it_gives_mentions_and_reviews_their_own_threads(self) -> None:
        for item in self.items:
            if item["kind"] == "mention":
                assert item["thread_key"] == f"mention:{item['external_id']}"
                assert f"@{BRAND_HANDLE}" in item["text"]
            elif item["kind"] == "review":
                assert item["thread_key"] == f"review:{item['external_id']}"
                assert item["raw"]["rating"] in range(1, 6)
        ratings = {i["raw"]["rating"] for i in self.items if i["kind"] == "review"}
        assert ratings == {1, 2, 3, 4, 5}

    def test_it_matches_review_tone_to_rating(self) -> None:
        tone = {5: "praise", 4: "praise", 3: "mixed", 2: "complaint", 1: "complaint"}
        for item in self.items:
            if item["kind"] == "review":
                assert item["raw"]["demo_label"] == tone[item["raw"]["rating"]]

    def test_it_replies_rarely_inside_existing_threads(self) -> None:
        seen: dict[str, dict[str, Any]] = {}
        replies = 0
        for item in self.items:
            if item["kind"] == "reply":
                replies += 1
                parent = seen[item["parent_external_id"]]
                assert parent["thread_key"] == item["thread_key"]
                assert parent["is_public"] == item["is_public"]
                assert item["direction"] == "out"
                assert item["author"]["handle"] == BRAND_HANDLE
            else:
                assert item["direction"] == ("out" if item["kind"] == "post" else "in")
            seen[item["external_id"]] = item
        assert 0.01 < replies / len(self.items) < 0.06

    def test_it_lets_authors_write_again(self) -> None:
        authors = Counter(i["author"]["external_id"] for i in self.items if i["direction"] == "in")
        assert len(authors) > 500
        assert sum(1 for n in authors.values() if n > 1) > 100


class ContentTestCase(unittest.TestCase):
    """Languages and topics are mixed as specified, and texts vary."""

    items: list[dict[str, Any]]

    @classmethod
    def setUpClass(cls) -> None:
        cls.items = _items(10_000, seed=11)

    def test_it_mixes_languages_as_specified(self) -> None:
        langs = Counter(item["raw"]["lang"] for item in self.items)
        share = {lang: n / len(self.items) for lang, n in langs.items()}
        assert set(share) == {"fi", "en", "sv"}
        assert 0.60 < share["fi"] < 0.70
        assert 0.25 < share["en"] < 0.35
        assert 0.02 < share["sv"] < 0.08

    def test_it_writes_in_the_tagged_language(self) -> None:
        # Crude markers are enough to catch a template in the wrong table.
        marks = {"fi": ("ä", "ö", "kahvi", "Kiitos"), "sv": ("å", "ä", "ö", "kaffe", "Tack")}
        for lang, words in marks.items():
            texts = [i["text"] for i in self.items if i["raw"]["lang"] == lang]
            hits = sum(1 for text in texts if any(w in text for w in words))
            assert hits / len(texts) > 0.5, lang

    def test_it_mixes_topics_including_spam(self) -> None:
        labels = Counter(i["raw"].get("demo_label") for i in self.items if i["direction"] == "in")
        for label in ("question", "complaint", "praise", "chat", "spam", "mixed", "followup"):
            assert labels[label] > 20, label

    def test_it_varies_the_texts(self) -> None:
        texts = [item["text"] for item in self.items]
        assert len(set(texts)) > 0.5 * len(texts)
        assert max(Counter(texts).values()) < 0.01 * len(texts)


class DeterminismTestCase(unittest.TestCase):
    """A seed reproduces a run; different seeds and unseeded runs never share ids."""

    def test_it_repeats_a_run_for_the_same_seed(self) -> None:
        assert _items(1000, seed=5) == _items(1000, seed=5)

    def test_it_keeps_ids_apart_across_seeds(self) -> None:
        first = {item["external_id"] for item in _items(1000, seed=5)}
        second = {item["external_id"] for item in _items(1000, seed=6)}
        assert not first & second

    def test_it_keeps_ids_apart_without_a_seed(self) -> None:
        first = {item["external_id"] for item in _items(500, seed=None)}
        second = {item["external_id"] for item in _items(500, seed=None)}
        assert not first & second

    def test_it_keeps_content_when_only_the_window_moves(self) -> None:
        # Re-seeding a demo tomorrow re-sends the same ids, which ingest then ignores as duplicates.
        later = {"start": START + timedelta(days=30), "end": END + timedelta(days=30)}
        now, then = _items(300, seed=5), _items(300, seed=5, **later)
        assert [(i["external_id"], i["text"]) for i in now] == [
            (i["external_id"], i["text"]) for i in then
        ]


class TimestampTestCase(unittest.TestCase):
    """Times are aware ISO strings, non-decreasing, inside the window."""

    def _times(self, items: list[dict[str, Any]]) -> list[datetime]:
        times = [datetime.fromisoformat(item["created_at"]) for item in items]
        assert all(t.utcoffset() is not None for t in times)
        return times

    def test_it_keeps_times_ordered_inside_the_window(self) -> None:
        times = self._times(_items(5000))
        assert times == sorted(times)
        assert times[0] >= START and times[-1] <= END
        # Spread over the window, not bunched at one end.
        assert times[0] - START < timedelta(hours=2) and END - times[-1] < timedelta(hours=2)

    def test_it_handles_long_short_and_empty_windows(self) -> None:
        decade_end = START + timedelta(days=3653)
        times = self._times(_items(1000, start=START, end=decade_end))
        assert times == sorted(times) and times[0] >= START and times[-1] <= decade_end
        short_end = START + timedelta(seconds=5)
        times = self._times(_items(100, start=START, end=short_end))
        assert times == sorted(times) and times[0] >= START and times[-1] <= short_end
        assert set(self._times(_items(10, start=START, end=START))) == {START}

    def test_it_accepts_other_time_zones(self) -> None:
        helsinki = timezone(timedelta(hours=2))
        start, end = START.astimezone(helsinki), END.astimezone(helsinki)
        times = self._times(_items(200, start=start, end=end))
        assert times[0] >= START and times[-1] <= END

    def test_it_defaults_to_the_last_seven_days(self) -> None:
        before = datetime.now(UTC)
        times = self._times(list(generate_items(CHANNELS, 500, seed=2)))
        after = datetime.now(UTC)
        assert before - timedelta(days=7) <= times[0] and times[-1] <= after

    def test_it_follows_a_daily_rhythm(self) -> None:
        # Helsinki (UTC+2) is quieter at 02-05 than at 08-11: the demo inbox should show that.
        hours = Counter((t.hour + 2) % 24 for t in self._times(_items(20_000)))
        assert sum(hours[h] for h in range(2, 6)) * 3 < sum(hours[h] for h in range(8, 12))


class LiveStreamTestCase(unittest.TestCase):
    """`live_items` keeps one run going, stamped with the time each item is drawn."""

    def _clock(self, steps: list[timedelta]) -> Callable[[], datetime]:
        moments = iter([START + step for step in steps])
        return lambda: next(moments)

    def test_it_stamps_items_with_the_current_time(self) -> None:
        steps = [timedelta(seconds=s) for s in (0, 30, 90)]
        stream = live_items(CHANNELS, seed=1, now=self._clock(steps))
        stamps = [datetime.fromisoformat(next(stream)["created_at"]) for _ in steps]
        assert stamps == [START + step for step in steps]

    def test_it_never_steps_back_with_the_system_clock(self) -> None:
        steps = [timedelta(seconds=s) for s in (60, 10, 120)]
        stream = live_items(CHANNELS, seed=1, now=self._clock(steps))
        stamps = [next(stream)["created_at"] for _ in steps]
        assert stamps[1] == stamps[0] and stamps[2] > stamps[1]

    def test_it_continues_threads_like_a_batch_run(self) -> None:
        stream = live_items(CHANNELS, seed=4, now=lambda: START)
        items = [next(stream) for _ in range(2000)]
        assert {item["kind"] for item in items} == KINDS
        assert len({item["external_id"] for item in items}) == len(items)
        posts: set[str] = set()
        for item in items:
            if item["kind"] == "post":
                posts.add(item["thread_key"])
            elif item["kind"] in ("comment", "ad_comment"):
                assert item["thread_key"] in posts
        assert len(posts) < 0.1 * len(items)


class SpeedTestCase(unittest.TestCase):
    """The benchmark feeds on this generator; it must stay cheap."""

    def test_it_generates_100k_items(self) -> None:
        # CPU time as well as wall time: the machine may be shared, and the budget is one core.
        wall, cpu = time.perf_counter(), time.process_time()
        count = sum(1 for _ in generate_items(CHANNELS, 100_000, seed=1, start=START, end=END))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rate = count / cpu
        print(
            f"\ndemo simulator: {count:,} items, {wall:.2f} s wall, {cpu:.2f} s CPU, {rate:,.0f}/s"
        )
        assert count == 100_000
