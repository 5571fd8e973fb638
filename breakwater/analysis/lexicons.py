"""The word lists in ``analysis/data`` (written by hand, see its README), loaded once.

A term ending in ``*`` is a prefix: Finnish inflects and compounds so much that a prefix
(``pettyn*``: *pettynyt*, *pettyneenä*) reaches further than any list of forms. Exact terms win
over prefixes, so an exact entry with polarity 0 ("hirveän", an intensifier) switches a
prefix ("hirveä*") off for that word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from breakwater.analysis.lemmas import tokenize

DATA = Path(__file__).resolve().parent / "data"
LANGUAGES = ("fi", "en", "sv")


def _lines(name: str) -> list[str]:
    path = DATA / name
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


# Answers remembered per TermList: social texts repeat their words, so nearly every lookup
# after the first few thousand messages is one dict hit.
MEMO_SIZE = 200_000


@dataclass
class TermList:
    """Exact words, prefixes (by length, for one dict lookup per length) and two-word phrases."""

    exact: dict[str, int] = field(default_factory=dict)
    prefixes: dict[int, dict[str, int]] = field(default_factory=dict)
    phrases: dict[tuple[str, str], int] = field(default_factory=dict)
    _lengths: tuple[int, ...] = ()
    _memo: dict[tuple[str, ...], int | None] = field(default_factory=dict)

    def add(self, term: str, value: int) -> None:
        term = term.lower()
        is_prefix = term.endswith("*")
        words = tokenize(term.rstrip("*"))
        if len(words) == 2:
            self.phrases[(words[0], words[1])] = value
        elif len(words) == 1 and is_prefix:
            self.prefixes.setdefault(len(words[0]), {})[words[0]] = value
            self._lengths = tuple(sorted(self.prefixes, reverse=True))
        elif len(words) == 1:
            self.exact[words[0]] = value
        self._memo.clear()

    def lookup(self, *forms: str) -> int | None:
        """The value of the first form found exactly, else of the longest matching prefix."""
        memo = self._memo
        if forms in memo:
            return memo[forms]
        value = self._find(forms)
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[forms] = value
        return value

    def _find(self, forms: tuple[str, ...]) -> int | None:
        for form in forms:
            if form in self.exact:
                return self.exact[form]
        for form in forms:
            for length in self._lengths:
                if (
                    length <= len(form)
                    and (value := self.prefixes[length].get(form[:length])) is not None
                ):
                    return value
        return None

    def __contains__(self, word: str) -> bool:
        return self.lookup(word) is not None


@cache
def sentiment_lexicon(language: str) -> TermList:
    """Polarities for ``language``; for any other language, fi, en and sv together."""
    terms = TermList()
    wanted = {language} if language in LANGUAGES else set(LANGUAGES)
    for line in _lines("sentiment-lexicon.tsv"):
        lang, term, value = line.split("\t")
        if lang in wanted:
            terms.add(term, int(value))
    return terms


@cache
def emoji_polarity() -> dict[str, int]:
    out = {}
    for line in _lines("emoji-sentiment.tsv"):
        symbol, value = line.split("\t")
        out[symbol.replace("\ufe0f", "")] = int(value)
    return out


@cache
def negators(language: str) -> frozenset[str]:
    wanted = {language} if language in LANGUAGES else set(LANGUAGES)
    return frozenset(
        word
        for lang, word in (line.split("\t") for line in _lines("negators.tsv"))
        if lang in wanted
    )


@cache
def stopwords(language: str) -> frozenset[str]:
    if language in LANGUAGES:
        return frozenset(w.lower() for w in _lines(f"stopwords-{language}.txt"))
    return frozenset().union(*(stopwords(lang) for lang in LANGUAGES))


@cache
def profanity(language: str) -> TermList:
    """Swear words and insults of ``language``; of fi, en and sv together for any other."""
    terms = TermList()
    for lang in [language] if language in LANGUAGES else LANGUAGES:
        for term in _lines(f"profanity-{lang}.txt"):
            terms.add(term, 1)
    return terms


@cache
def scam_domains() -> frozenset[str]:
    return frozenset(d.lower() for d in _lines("scam-domains.txt"))
