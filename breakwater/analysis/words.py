"""Words of a text with their lemmas, cut into clauses: what sentiment, keywords and the
profanity check read. Tokens and lemmas come from ``analysis.lemmas`` (the same ones search
indexes), so a keyword and a search term agree."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from breakwater.analysis import lemmas as lemma_lib
from breakwater.analysis.text import clauses

# English contractions lose their apostrophe in tokenize ("don't" -> "don", "t"): glued back
# ("dont") so the negation list can see them.
_CONTRACTION_TAIL = "t"


class Word(NamedTuple):
    surface: str
    lemma: str


@lru_cache(maxsize=200_000)
def lemma_of(word: str, language: str) -> str:
    """One base form (Voikko for Finnish, simplemma for en/sv), cached: words repeat a lot."""
    if word.isdigit() or len(word) < 2:
        return word
    if language not in ("fi", "en", "sv"):
        return word
    return lemma_lib.lemma(word, language) or word


def _glue_contractions(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        if token == _CONTRACTION_TAIL and out and out[-1].endswith("n"):
            out[-1] += token
        else:
            out.append(token)
    return out


def clause_words(words: str, language: str) -> list[list[Word]]:
    """``words`` (a text without links, handles and emoji) as clauses of ``Word``s."""
    out = []
    for clause in clauses(words):
        tokens = _glue_contractions(lemma_lib.tokenize(clause))
        if tokens:
            out.append([Word(t, lemma_of(t, language)) for t in tokens])
    return out
