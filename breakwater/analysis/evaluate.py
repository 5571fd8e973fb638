"""``breakwater eval analysis``: the figures of issue 4 on the repo's labelled set.

* Language: every text labelled with a language (no language model is trained here, so all
  are unseen), accuracy over fi/en/sv texts of 20+ characters (the target, >= 0.95), per
  language, and the confusion matrix; with all 97 languages and restricted to fi/sv/en/et.
* Sentiment: the ``test`` split only (never trained on, see ``dataset``), accuracy and macro-F1
  per language (targets: fi >= 0.70, en >= 0.75), confusion matrices, and Finnish figures per
  source, so the set written by someone else (``sentiment-fi-100``) is reported on its own.
* Throughput: texts per CPU-second on one core (``time.process_time``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from breakwater.analysis import dataset
from breakwater.analysis.metrics import accuracy, confusion, format_confusion, macro_f1
from breakwater.analysis.sentiment import LABELS, E5Model, get_model

TARGETS = {"language_accuracy_20plus": 0.95, "sentiment_macro_f1": {"fi": 0.70, "en": 0.75}}
MIN_CHARS = 20
MAIN_LANGUAGES = ("fi", "en", "sv")
RESTRICTED = ("fi", "sv", "en", "et")


def _cpu_rate(n: int, fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.process_time()
    result = fn()
    elapsed = time.process_time() - started
    return result, n / elapsed if elapsed else float("inf")


def evaluate_language(languages: Sequence[str] | None = None) -> dict[str, Any]:
    from breakwater.analysis.language import detect_languages

    examples = dataset.language_examples()
    detect_languages(["warm up"], languages=languages)
    predicted, rate = _cpu_rate(
        len(examples),
        lambda: [
            lang for lang, _ in detect_languages([ex.text for ex in examples], languages=languages)
        ],
    )
    labels = sorted({ex.language for ex in examples})
    main = [
        (ex, p)
        for ex, p in zip(examples, predicted, strict=True)
        if ex.language in MAIN_LANGUAGES and len(ex.text) >= MIN_CHARS
    ]
    short = [
        (ex, p)
        for ex, p in zip(examples, predicted, strict=True)
        if ex.language in MAIN_LANGUAGES and len(ex.text) < MIN_CHARS
    ]
    return {
        "candidates": list(languages) if languages else "all",
        "texts": len(examples),
        "accuracy_fi_en_sv_20plus": round(
            accuracy([e.language for e, _ in main], [p for _, p in main]), 4
        ),
        "texts_fi_en_sv_20plus": len(main),
        "accuracy_fi_en_sv_short": round(
            accuracy([e.language for e, _ in short], [p for _, p in short]), 4
        ),
        "texts_fi_en_sv_short": len(short),
        "accuracy_by_language": {
            lang: round(
                accuracy(
                    [ex.language for ex in examples if ex.language == lang],
                    [p for ex, p in zip(examples, predicted, strict=True) if ex.language == lang],
                ),
                4,
            )
            for lang in labels
        },
        "confusion": confusion([ex.language for ex in examples], predicted, labels),
        "texts_per_cpu_second": round(rate),
        "errors": [
            (ex.language, p, ex.text)
            for ex, p in zip(examples, predicted, strict=True)
            if p != ex.language
        ],
    }


def evaluate_sentiment(model: str = "fast") -> dict[str, Any]:
    everything = dataset.sentiment_examples()
    examples = dataset.split_examples(everything, "test")
    scorer = get_model(model)
    # Warm up on other texts (models and dictionaries load, lemma caches fill as they would in
    # a running worker); the test texts' own words stay cold.
    warm = dataset.split_examples(everything, "train")[: 600 if model == "fast" else 4]
    scorer.score([ex.text for ex in warm], [ex.language for ex in warm])
    results, rate = _cpu_rate(
        len(examples),
        lambda: scorer.score([ex.text for ex in examples], [ex.language for ex in examples]),
    )
    predicted = [r.label for r in results]
    by_language: dict[str, Any] = {}
    for lang in MAIN_LANGUAGES:
        pairs = [(ex, p) for ex, p in zip(examples, predicted, strict=True) if ex.language == lang]
        gold, pred = [ex.sentiment for ex, _ in pairs], [p for _, p in pairs]
        by_language[lang] = {
            "texts": len(pairs),
            "accuracy": round(accuracy(gold, pred), 4),
            "macro_f1": round(macro_f1(gold, pred, LABELS), 4),
            "confusion": confusion(gold, pred, LABELS),
        }
    by_source = {}
    for source in sorted({ex.source for ex in examples if ex.language == "fi"}):
        pairs = [
            (ex, p)
            for ex, p in zip(examples, predicted, strict=True)
            if ex.language == "fi" and ex.source == source
        ]
        gold, pred = [ex.sentiment for ex, _ in pairs], [p for _, p in pairs]
        by_source[source] = {
            "texts": len(pairs),
            "macro_f1": round(macro_f1(gold, pred, LABELS), 4),
        }
    return {
        "model": model,
        "split": "test",
        "texts": len(examples),
        "by_language": by_language,
        "fi_by_source": by_source,
        "texts_per_cpu_second": round(rate),
        "cv_on_train": getattr(scorer, "meta", {}).get("cv_macro_f1"),
        "errors": [
            (ex.language, ex.sentiment, p, ex.text)
            for ex, p in zip(examples, predicted, strict=True)
            if p != ex.sentiment
        ],
    }


def evaluate_fast_analysis() -> dict[str, Any]:
    """``analyze`` (language, lemmas, keywords, spam) over every labelled text, per core."""
    from breakwater.analysis.inline import analyze

    texts = [ex.text for ex in dataset.language_examples()]
    analyze(["Kiitos!", "Thanks!", "Tack!"])
    per_text = []
    for text in texts:
        started = time.process_time()
        analyze([text])
        per_text.append(time.process_time() - started)
    _, rate = _cpu_rate(len(texts), lambda: analyze(texts))
    per_text.sort()
    return {
        "texts": len(texts),
        "median_ms_one_at_a_time": round(per_text[len(texts) // 2] * 1000, 4),
        "texts_per_cpu_second_batch": round(rate),
    }


def run(models: Sequence[str] = ("fast",), verbose: bool = False) -> dict[str, Any]:
    report: dict[str, Any] = {
        "language": evaluate_language(),
        "language_restricted": evaluate_language(RESTRICTED),
        "sentiment": {m: evaluate_sentiment(m) for m in models},
        "fast_analysis": evaluate_fast_analysis(),
    }
    report["targets_met"] = targets_met(report)
    return report


def targets_met(report: dict[str, Any]) -> dict[str, bool]:
    fast = report["sentiment"].get("fast") or next(iter(report["sentiment"].values()))
    met = {
        "language_accuracy_20plus": report["language"]["accuracy_fi_en_sv_20plus"]
        >= TARGETS["language_accuracy_20plus"],
    }
    for lang, target in TARGETS["sentiment_macro_f1"].items():
        met[f"sentiment_macro_f1_{lang}"] = fast["by_language"][lang]["macro_f1"] >= target
    return met


def format_report(report: dict[str, Any], verbose: bool = False) -> str:
    lines: list[str] = []
    for key, title in (("language", "all 97 languages"), ("language_restricted", "fi/sv/en/et")):
        lang = report[key]
        lines += [
            f"Language ({title}), {lang['texts']} labelled texts, none used in training:",
            f"  accuracy fi/en/sv, 20+ chars: {lang['accuracy_fi_en_sv_20plus']:.3f} "
            f"({lang['texts_fi_en_sv_20plus']} texts; target >= "
            f"{TARGETS['language_accuracy_20plus']})",
            f"  accuracy fi/en/sv, shorter:   {lang['accuracy_fi_en_sv_short']:.3f} "
            f"({lang['texts_fi_en_sv_short']} texts)",
            "  by language: "
            + ", ".join(f"{k} {v:.3f}" for k, v in lang["accuracy_by_language"].items()),
            f"  throughput: {lang['texts_per_cpu_second']:,} texts/s per core",
        ]
        if key == "language":
            lines += ["  confusion (rows: gold):", _indent(format_confusion(lang["confusion"]), 4)]
        if verbose:
            lines += [f"    error: {g} -> {p}: {t}" for g, p, t in lang["errors"]]
    for name, sent in report["sentiment"].items():
        lines.append(f"Sentiment, model {name}, held-out test split ({sent['texts']} texts):")
        for lang, figures in sent["by_language"].items():
            target = TARGETS["sentiment_macro_f1"].get(lang)
            lines.append(
                f"  {lang}: macro-F1 {figures['macro_f1']:.3f}, accuracy {figures['accuracy']:.3f}"
                f" ({figures['texts']} texts{f'; target >= {target}' if target else ''})"
            )
            lines.append(_indent(format_confusion(figures["confusion"]), 4))
        lines.append(
            "  fi by source: "
            + ", ".join(
                f"{s} {v['macro_f1']:.3f} ({v['texts']})" for s, v in sent["fi_by_source"].items()
            )
        )
        if sent.get("cv_on_train"):
            lines.append(
                f"  5-fold CV on the train split (at training time): {sent['cv_on_train']}"
            )
        lines.append(f"  throughput: {sent['texts_per_cpu_second']:,} texts/s per core")
        if verbose:
            lines += [f"    error: {lang} {g} -> {p}: {t}" for lang, g, p, t in sent["errors"]]
    fast = report["fast_analysis"]
    lines.append(
        f"Fast analysis (language, lemmas, keywords, spam), {fast['texts']} texts: median "
        f"{fast['median_ms_one_at_a_time']:.3f} ms per message (target <= 1 ms), "
        f"{fast['texts_per_cpu_second_batch']:,} texts/s per core in one batch"
    )
    lines.append(
        "Targets met: "
        + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in report["targets_met"].items())
    )
    return "\n".join(lines)


def _indent(text: str, n: int) -> str:
    return "\n".join(" " * n + line for line in text.splitlines())


def default_models(accurate: bool) -> tuple[str, ...]:
    return ("fast", "e5") if accurate and E5Model.available() else ("fast",)
