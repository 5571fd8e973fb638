"""Keywords and two-word phrases of a message, for trends: lemmas, stopwords out.

Lemmas (not surface words) so that "toimitus", "toimituksen" and "toimituksesta" count as one
trend; hashtags first, since people tag what they mean to be counted.
"""

from __future__ import annotations

from breakwater.analysis import lexicons
from breakwater.analysis.words import Word

MAX_KEYWORDS = 10
MIN_LENGTH = 3


def _content(word: Word, stop: frozenset[str], negators: frozenset[str]) -> bool:
    lemma = word.lemma
    return (
        len(lemma) >= MIN_LENGTH
        and not lemma.isdigit()
        and lemma not in stop
        and word.surface not in stop
        and word.surface not in negators
        and lemma not in negators
    )


def keywords(clauses: list[list[Word]], hashtags: tuple[str, ...], language: str) -> list[str]:
    """Up to ``MAX_KEYWORDS``: hashtags, then lemmas, then adjacent lemma pairs ("asiakas
    palvelu"), each once, in the order they appear."""
    stop = lexicons.stopwords(language)
    negators = lexicons.negators(language)
    found: dict[str, None] = {tag.lower(): None for tag in hashtags}
    phrases: dict[str, None] = {}
    for clause in clauses:
        previous: Word | None = None
        for word in clause:
            if _content(word, stop, negators):
                found.setdefault(word.lemma, None)
                if previous is not None and previous.lemma != word.lemma:
                    phrases.setdefault(f"{previous.lemma} {word.lemma}", None)
                previous = word
            else:
                previous = None
    return [*found, *phrases][:MAX_KEYWORDS]
