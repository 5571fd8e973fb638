"""The labelled evaluation set kept in ``analysis/tests/data`` and its fixed train/test split.

The split is decided by a group key, never by a random draw at run time, so every command
(training, evaluation, the tests) sees the same held-out texts:

* our own files (``social-{fi,en,sv}.tsv``) were written in parallel blocks, so a text and its
  translations sit at about the same line: the group is the block of 10 lines;
* the shared sets (``sentiment-fi-100``, ``sentiment-parallel-60x4``) group a text with its
  translations by their row number, so no translation of a test text is trained on.

A group is held out for testing when ``crc32(group) % 10 < 3`` (about 30 %).
Training (``breakwater train sentiment``) reads only the ``train`` split; ``breakwater eval
analysis`` reports on the ``test`` split only.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "tests" / "data"
OWN_FILES = ("social-fi.tsv", "social-en.tsv", "social-sv.tsv")
LABELS = {"pos": "positive", "neu": "neutral", "neg": "negative"}
SENTIMENTS = ("negative", "neutral", "positive")
TEST_BUCKETS = 3  # of 10
BLOCK = 10


@dataclass(frozen=True)
class Example:
    """One labelled text: ``sentiment`` is empty where only the language is labelled."""

    text: str
    language: str
    sentiment: str
    source: str
    group: str

    @property
    def split(self) -> str:
        return "test" if zlib.crc32(self.group.encode()) % 10 < TEST_BUCKETS else "train"


def _rows(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.strip() and not line.startswith("#"):
                yield line.split("\t")


def sentiment_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """Every text labelled with a sentiment (fi, en, sv), each text once."""
    out: list[Example] = []
    seen: set[tuple[str, str]] = set()

    def add(ex: Example) -> None:
        if (ex.language, ex.text) not in seen:
            seen.add((ex.language, ex.text))
            out.append(ex)

    for name in OWN_FILES:
        for i, (lang, label, text) in enumerate(_rows(data_dir / name)):
            add(Example(text, lang, LABELS[label], name, f"own:{i // BLOCK}"))
    # The parallel set's fi rows are the first 60 of fi-100: same group as their translations.
    for i, (label, text) in enumerate(_rows(data_dir / "sentiment-fi-100.tsv")):
        add(Example(text, "fi", LABELS[label], "sentiment-fi-100.tsv", f"shared:{i}"))
    counters: dict[str, int] = {}
    for label, lang, text in _rows(data_dir / "sentiment-parallel-60x4.tsv"):
        i = counters.get(lang, 0)
        counters[lang] = i + 1
        if lang in ("fi", "en", "sv"):
            add(Example(text, lang, LABELS[label], "sentiment-parallel-60x4.tsv", f"shared:{i}"))
    return out


def language_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """Every text labelled with a language: the sentiment set plus ``langid-social-240`` (fi,
    sv, et, en). Language detection is not trained here, so all of them are test texts."""
    out = list(sentiment_examples(data_dir))
    seen = {(ex.language, ex.text) for ex in out}
    for lang, text in _rows(data_dir / "langid-social-240.tsv"):
        if (lang, text) not in seen:
            seen.add((lang, text))
            out.append(Example(text, lang, "", "langid-social-240.tsv", f"langid:{len(out)}"))
    return out


def split_examples(examples: list[Example], split: str) -> list[Example]:
    return [ex for ex in examples if ex.split == split]
