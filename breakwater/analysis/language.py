"""Language of short social texts: py3langid on what is left once handles, links and emoji go.

py3langid (BSD, model inside the wheel) won the comparison in shared/design/TEXT-ANALYSIS.md:
98.3 % on short social texts with all 97 languages, 99.6 % restricted to fi/sv/et/en, about
12 k texts/s on one core. A workspace that knows its languages passes them and gets the
restricted, more accurate model.

The answer is ``und`` (undetermined) when nothing language-like is left (emoji only, a bare
link, "@elisa ??") or when the detector is unsure (confidence below ``MIN_CONFIDENCE``).
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from breakwater.analysis.text import has_letters, split

UNDETERMINED = "und"
# Below this (py3langid's length-calibrated probability) a guess is worse than "und": on the
# labelled set, texts under it were wrong more often than right (see docs/analysis.md).
MIN_CONFIDENCE = 0.20
# Fewer letters than this is not a text to guess from ("ok", "jee", "?!").
MIN_LETTERS = 2
# Two letters anywhere: a search that stops at the second letter, not a count of them all.
_ENOUGH_LETTERS = re.compile(r"[^\W\d_](?:.*?[^\W\d_]){%d}" % (MIN_LETTERS - 1), re.S)

_lock = threading.Lock()
_base: Any = None


def _base_identifier() -> Any:
    """The full 97-language model, loaded once per process (about 1 s, 90 MiB)."""
    global _base
    with _lock:
        if _base is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _base = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _base


@lru_cache(maxsize=32)
def _identifier(languages: frozenset[str] | None) -> Any:
    """A detector restricted to ``languages`` (a shallow copy: the big tables are shared)."""
    base = _base_identifier()
    if not languages:
        return base
    known = set(base.labels)
    usable = sorted(languages & known)
    if len(usable) < 2:
        # One language is no choice to make; detect freely and let the caller compare.
        return base
    restricted = copy.copy(base)
    restricted.set_languages(usable)
    return restricted


def supported_languages() -> list[str]:
    return sorted(_base_identifier().labels)


def detect(words: str, languages: frozenset[str] | None = None) -> tuple[str, float]:
    """``(language, confidence)`` of text already stripped of handles, links and emoji."""
    if not _ENOUGH_LETTERS.search(words):
        return UNDETERMINED, 0.0
    lang, confidence = _identifier(languages).classify(words)
    confidence = round(float(confidence), 4)
    if confidence < MIN_CONFIDENCE:
        return UNDETERMINED, confidence
    return lang, confidence


def detect_languages(
    texts: Sequence[str], *, languages: Sequence[str] | None = None
) -> list[tuple[str, float]]:
    """Language and confidence of each text; ``languages`` restricts the candidates."""
    allowed = frozenset(lang.lower() for lang in languages) if languages else None
    out = []
    for text in texts:
        words = split(text).words
        out.append(detect(words, allowed) if has_letters(words) else (UNDETERMINED, 0.0))
    return out
