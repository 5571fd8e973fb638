"""The reply checker: guidelines, confidential topics and the network's rules over one text.

Pure (no models): the inbox's reply action, the live checks of the composer and, later,
publishing all call :func:`check_text`. Each check carries character offsets into the text
(``start``/``end``, Python string indices) so that the UI can highlight it; the verdict says
what may happen to the text: ``ok`` and ``warn`` send, ``approve`` waits for a manager,
``block`` never leaves Breakwater.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

import regex
from django.utils.translation import gettext as _

from breakwater.analysis import lemmas
from breakwater.analysis.language import detect_languages
from breakwater.composer.guidelines import ConfidentialItem, GuidelineSet, compile_pattern
from breakwater.connectors.base import grapheme_length

Severity = Literal["warn", "approve", "block"]
Verdict = Literal["ok", "warn", "approve", "block"]
_ORDER: dict[str, int] = {"ok": 0, "warn": 1, "approve": 2, "block": 3}
# A pattern a manager wrote must not hang a reply: longer than this, and it counts as a hit.
PATTERN_TIMEOUT = 0.2
_LINK = regex.compile(r"(?:https?://|www\.)[^\s<>\"]+", regex.IGNORECASE)
_MENTION = regex.compile(r"(?<![\w@/])@([\w][\w.]*\w|\w)")
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class NetworkRules:
    """What a network allows: its length limit (counted its way), links, mentions."""

    label: str = ""
    max_length: int | None = None
    length: Callable[[str], int] = grapheme_length
    links: bool = True
    mentions: bool = True
    max_mentions: int | None = None


@dataclass(frozen=True)
class Check:
    """One finding; ``start``/``end`` point into the text (equal when nothing to highlight)."""

    kind: Literal["confidential", "avoid", "required", "length", "link", "mention"]
    message: str
    start: int
    end: int
    severity: Severity = "warn"
    term: str = ""
    suggestion: str = ""


@dataclass(frozen=True)
class Result:
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def verdict(self) -> Verdict:
        worst = max((_ORDER[c.severity] for c in self.checks), default=0)
        return next(v for v, rank in _ORDER.items() if rank == worst)  # type: ignore[return-value]

    def as_dict(self) -> dict[str, object]:
        return {"checks": [asdict(c) for c in self.checks], "verdict": self.verdict}


def check_text(guidelines: GuidelineSet, text: str, language: str | None = None,
               rules: NetworkRules | None = None) -> Result:
    """Every check of ``text`` against the guidelines and rules. ``language`` is detected
    when not given (it picks the required elements that apply)."""
    rules = rules or NetworkRules()
    if language is None:
        language = detect_languages([text])[0][0]
    tokens = _tokens(text, language)
    found = [
        *_confidential(guidelines, text, tokens),
        *_avoid(guidelines, tokens),
        *_required(guidelines, text, language),
        *_length(text, rules),
        *_links(text, rules),
        *_mentions(text, rules),
    ]
    return Result(tuple(sorted(found, key=lambda c: (c.start, c.end, c.kind))))


# -- terms -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    word: str
    terms: frozenset[str]


def _tokens(text: str, language: str | None) -> list[_Token]:
    """The words of the text with every base form they may have. The detected language only
    adds readings: a short Finnish reply taken for English must still meet its Finnish terms."""
    lang = lemmas.base_language(language)
    return [
        _Token(start, end, word,
               frozenset({word, *lemmas.word_terms(word, lang), *lemmas.word_terms(word, "")}))
        for start, end, word in lemmas.token_spans(text)
    ]


@dataclass(frozen=True)
class _Term:
    text: str
    exact: bool
    alternatives: tuple[frozenset[str], ...]


@lru_cache(maxsize=4096)
def parse_term(term: str) -> _Term:
    """``yt-neuvottelut`` -> one set of alternatives per word; ``"Aalto"`` (quoted) -> the
    words as written."""
    stripped = term.strip()
    exact = len(stripped) > 1 and stripped.startswith('"') and stripped.endswith('"')
    words = lemmas.tokenize(stripped.strip('"'))
    alternatives = tuple(
        frozenset({w}) if exact else frozenset(lemmas.query_word_terms(w)) for w in words
    )
    return _Term(stripped.strip('"'), exact, alternatives)


def find_term(term: str, tokens: list[_Token]) -> Iterator[tuple[int, int]]:
    """Where the term's words occur in a row, each in any inflection (unless exact)."""
    parsed = parse_term(term)
    n = len(parsed.alternatives)
    if not n:
        return
    for i in range(len(tokens) - n + 1):
        window = tokens[i : i + n]
        if all(
            (tok.word in alts) if parsed.exact else not tok.terms.isdisjoint(alts)
            for tok, alts in zip(window, parsed.alternatives, strict=True)
        ):
            yield window[0].start, window[-1].end


def _search(pattern: str, text: str) -> Iterator[tuple[int, int]]:
    try:
        for m in compile_pattern(pattern).finditer(text, timeout=PATTERN_TIMEOUT):
            if m.end() > m.start():
                yield m.span()
    except TimeoutError:
        yield 0, len(text)


def _confidential(guidelines: GuidelineSet, text: str, tokens: list[_Token]) -> Iterator[Check]:
    for item in guidelines.confidential:
        spans = find_term(item.term, tokens) if item.term else _search(item.pattern or "", text)
        for start, end in spans:
            yield Check("confidential", _confidential_message(item, text[start:end]), start, end,
                        severity=item.action, term=item.term or item.label)


def _confidential_message(item: ConfidentialItem, found: str) -> str:
    name = item.term or item.label or found
    if item.action == "approve":
        return _("“%(term)s” is a confidential topic: a manager must approve this reply.") % {
            "term": name}
    return _("“%(term)s” is confidential: a reply that mentions it is not sent.") % {"term": name}


def _avoid(guidelines: GuidelineSet, tokens: list[_Token]) -> Iterator[Check]:
    for term, suggestion in guidelines.avoid.items():
        for start, end in find_term(term, tokens):
            message = (
                _("Avoid “%(term)s”: say “%(suggestion)s” instead.")
                if suggestion
                else _("Avoid “%(term)s”.")
            ) % {"term": term.strip('"'), "suggestion": suggestion}
            yield Check("avoid", message, start, end, term=term.strip('"'), suggestion=suggestion)


def _required(guidelines: GuidelineSet, text: str, language: str | None) -> Iterator[Check]:
    lang = lemmas.base_language(language)
    for item in guidelines.required:
        if item.language and lemmas.base_language(item.language) != lang:
            continue
        if next(_search(item.pattern, text), None) is None:
            message = item.message or _("Missing: %(name)s.") % {"name": item.name}
            yield Check("required", message, 0, 0, term=item.name)


# -- the network's rules -----------------------------------------------------------------------


def _length(text: str, rules: NetworkRules) -> Iterator[Check]:
    if rules.max_length is None:
        return
    count = rules.length(text)
    if count <= rules.max_length:
        return
    # The first index past the limit, by the network's own count (any monotone counter).
    low, high = 0, len(text)
    while low < high:
        mid = (low + high) // 2
        if rules.length(text[: mid + 1]) > rules.max_length:
            high = mid
        else:
            low = mid + 1
    yield Check(
        "length",
        _("Too long for %(network)s: %(count)d characters, at most %(limit)d.")
        % {"network": rules.label or _("this network"), "count": count, "limit": rules.max_length},
        low, len(text), severity="block",
    )


def _links(text: str, rules: NetworkRules) -> Iterator[Check]:
    for m in _LINK.finditer(text):
        url = m.group().rstrip(_TRAILING)
        start, end = m.start(), m.start() + len(url)
        parts = urlsplit(url if "://" in url else f"https://{url}")
        host = parts.hostname or ""
        if "." not in host.strip(".") or "{" in url:
            yield Check("link", _("This link looks incomplete: check the address."), start, end)
        elif not rules.links:
            yield Check("link", _("Links are not clickable on %(network)s.")
                        % {"network": rules.label or _("this network")}, start, end)


def _mentions(text: str, rules: NetworkRules) -> Iterator[Check]:
    found = list(_MENTION.finditer(text))
    for i, m in enumerate(found):
        if not rules.mentions:
            yield Check("mention", _("Mentions do not notify anyone on %(network)s.")
                        % {"network": rules.label or _("this network")}, m.start(), m.end())
        elif rules.max_mentions is not None and i >= rules.max_mentions:
            yield Check("mention", _("At most %(n)d mentions in one reply on %(network)s.")
                        % {"n": rules.max_mentions, "network": rules.label}, m.start(), m.end())
