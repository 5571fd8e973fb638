"""Tokens and search terms ("lemmas") for the inbox index and the user's query.

Pure functions: no database, no Django. Ingest stores ``" ".join(lemmas(text, language))`` in
``Message.search_text``; search runs the user's query through :func:`query_terms`, which applies
the same normalisation, so a query for "palaute" finds "palautteesta" and "palautteen".

How a word becomes index terms (measured choices in shared/design/TEXT-ANALYSIS.md, section 2):

- Finnish: every base form Voikko gives (ambiguous words index each reading: "tuli" is both
  *tuli* and *tulla*), plus the base forms of a compound's parts ("asiakaspalvelusta" also
  indexes *asiakas* and *palvelu*). A word Voikko does not know (brand names, typos such as
  "kommenteihin") gets simplemma's lemma and its Snowball stem instead; the query side always
  adds the stem too, so the typo still meets "kommentti". Without Voikko (no Debian package),
  simplemma + stem is used for every word, and searching still works, only less precisely.
- English and Swedish: the Snowball stem ("replies" and "reply" both become *repli*).
- Any other language: the lower-cased word.
- Unknown language: Finnish when Voikko knows the word; else the word, its English stem and
  the Finnish fallback (simplemma + stem).

The query side does not know the language, so each query word becomes the union of its terms
in every language above: a set of alternatives of which one must match.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Letters and digits; "_" and every other symbol separate words, exactly as SQLite FTS5's
# unicode61 tokenizer and PostgreSQL's parser split them, so our terms survive both unchanged.
_WORD = re.compile(r"[^\W_]+")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|fi|se|net|org|io|ly)/\S*", re.I)
# Longest term we index: longer "words" are hashes, base64 or keyboard mashing.
MAX_WORD = 64
CACHE_SIZE = 200_000
MIN_PART = 3

_STEM_LANGUAGES = {"en": "english", "sv": "swedish", "fi": "finnish"}


def tokenize(text: str) -> list[str]:
    """Words of ``text``, lower-cased, URLs dropped, ``#tag`` and ``@name`` kept without the sign."""
    return [w for w in _WORD.findall(_URL.sub(" ", text.lower())) if len(w) <= MAX_WORD]


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, word)`` for each word of ``text`` (outside URLs), for highlighting."""
    spans = []
    urls = [m.span() for m in _URL.finditer(text)]
    for m in _WORD.finditer(text):
        if len(m.group()) > MAX_WORD or any(a <= m.start() < b for a, b in urls):
            continue
        spans.append((m.start(), m.end(), m.group().lower()))
    return spans


def base_language(language: str | None) -> str:
    """"fi-FI", "FI", "fin" -> "fi"; "", None and "und" -> ""."""
    if not language:
        return ""
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return {"fin": "fi", "swe": "sv", "eng": "en", "und": ""}.get(code, code)


def lemmas(text: str, language: str | None = None) -> list[str]:
    """Index terms of ``text``: each once, in the order first seen."""
    lang = base_language(language)
    seen: dict[str, None] = {}
    for word in tokenize(text):
        for term in word_terms(word, lang):
            seen[term] = None
    return list(seen)


def lemma(word: str, language: str | None = None) -> str:
    """The one most likely base form of ``word`` (for keywords and display, not the index)."""
    lang = base_language(language)
    word = word.lower()
    if lang in ("fi", "") and (forms := _voikko_baseforms(word)):
        return forms[0]
    if lang in ("fi", "en", "sv"):
        return _simplemma_lemma(word, lang) or word
    return word


@lru_cache(maxsize=CACHE_SIZE)
def word_terms(word: str, lang: str) -> tuple[str, ...]:
    """Index terms of one lower-cased word in a base language code ("" when unknown)."""
    if word.isdigit() or len(word) == 1:
        return (word,)
    if lang == "fi":
        return _finnish_terms(word) or _fallback_finnish(word)
    if lang in ("en", "sv"):
        return (_stem(word, lang),)
    if lang == "":
        return _finnish_terms(word) or _unique((word, _stem(word, "en"), *_fallback_finnish(word)))
    return (word,)


@lru_cache(maxsize=CACHE_SIZE)
def query_word_terms(word: str) -> tuple[str, ...]:
    """Alternatives for one query word: its terms in every language we index, and the word.

    Compound parts are left out on this side: "palvelu" should find "asiakaspalvelusta"
    (its parts are indexed), but "asiakaspalvelu" should not find every "palvelu". So are
    simplemma's guesses for a word it does not know: it reads the brand "Kuvavox" as "kuva"
    and "Mikähel" as "mikä", and a topic for either would match every post with that word.
    """
    terms = [word]
    if not (word.isdigit() or len(word) == 1):
        terms.extend(_finnish_terms(word, parts=False))
        terms.extend(_stem(word, lang) for lang in ("en", "sv"))
        terms.extend(_fallback_finnish(word, guesses=False))
    return _unique(terms)


def _unique(terms: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in terms if t))


# -- Finnish -----------------------------------------------------------------------------------


def _finnish_terms(word: str, parts: bool = True) -> tuple[str, ...]:
    """Voikko's base forms of the word (and of its compound parts); () if Voikko can't tell."""
    analyses = _voikko_analyze(word)
    if not analyses:
        return ()
    terms: list[str] = []
    for base, structure in analyses:
        terms.extend(_WORD.findall(base))
        if not parts:
            continue
        parts_found = _compound_parts(word, structure)
        if len(parts_found) > 1:
            for part in parts_found:
                part_forms = _voikko_baseforms(part)
                terms.extend(_WORD.findall(part_forms[0] if part_forms else part))
    return _unique(terms)


def _compound_parts(word: str, structure: str) -> list[str]:
    """Split the surface word where Voikko's STRUCTURE marks a new part ("=")."""
    parts, current, i = [], [], 0
    for mark in structure:
        if mark == "=":
            if current:
                parts.append("".join(current))
                current = []
            continue
        if i < len(word):
            current.append(word[i])
        i += 1
    if current:
        parts.append("".join(current))
    # Hyphens show up in the structure. Parts under three letters are rarely words of their
    # own (Voikko splits "espresso" into "es" + "presso") and would match too much.
    return [p for p in (p.strip("-") for p in parts) if len(p) >= MIN_PART]


def _fallback_finnish(word: str, guesses: bool = True) -> tuple[str, ...]:
    """For words Voikko does not know (or no Voikko): simplemma's lemma and the Snowball stem;
    with ``guesses`` False, simplemma's lemma only for a word its dictionary has."""
    lemma = _simplemma_lemma(word) if guesses or _simplemma_knows(word) else ""
    return _unique((lemma or word, _stem(word, "fi")))


def _voikko_baseforms(word: str) -> list[str]:
    return [base for base, _ in _voikko_analyze(word)]


_voikko_lock = threading.Lock()
_voikko: Any = None
_voikko_loaded = False


def _voikko_handle() -> Any:
    global _voikko, _voikko_loaded  # noqa: PLW0603 -- one lazily opened dictionary per process
    if not _voikko_loaded:
        _voikko_loaded = True
        try:
            import libvoikko  # noqa: PLC0415 -- optional: Debian's libvoikko1 may be missing

            _voikko = libvoikko.Voikko("fi")
        except Exception:  # noqa: BLE001 -- no library, no libvoikko1, or no dictionary
            _voikko = None
    return _voikko


def voikko_available() -> bool:
    with _voikko_lock:
        return _voikko_handle() is not None


@lru_cache(maxsize=CACHE_SIZE)
def _voikko_analyze(word: str) -> tuple[tuple[str, str], ...]:
    """``(base form, structure)`` for each reading, lower-cased; () if unknown or no Voikko."""
    # A Voikko handle is not thread-safe, and ingest runs in worker threads.
    with _voikko_lock:
        handle = _voikko_handle()
        if handle is None:
            return ()
        analyses = handle.analyze(word)
    out = []
    for a in analyses:
        base = (a.get("BASEFORM") or "").lower()
        if base:
            out.append((base, a.get("STRUCTURE", "")))
    return tuple(dict.fromkeys(out))


# -- simplemma and Snowball ------------------------------------------------------------------


_simplemma_module: Any = None
_simplemma_loaded = False


def _simplemma() -> Any:
    global _simplemma_module, _simplemma_loaded  # noqa: PLW0603 -- lazy optional import
    if not _simplemma_loaded:
        _simplemma_loaded = True
        try:
            import simplemma  # noqa: PLC0415

            _simplemma_module = simplemma
        except ImportError:
            _simplemma_module = None
    return _simplemma_module


def _simplemma_knows(word: str, lang: str = "fi") -> bool:
    module = _simplemma()
    return module is not None and module.is_known(word, lang=lang)


def _simplemma_lemma(word: str, lang: str = "fi") -> str:
    module = _simplemma()
    if module is None:
        return ""
    found = _WORD.findall(module.lemmatize(word, lang=lang).lower())
    return found[0] if len(found) == 1 else ""


def preload() -> None:
    """Open Voikko and load simplemma's and Snowball's data for fi, en and sv now."""
    voikko_available()
    for lang in _STEM_LANGUAGES:
        _simplemma_lemma("tervetuloa", lang)
        _stem("tervetuloa", lang)


_stemmers: dict[str, Any] = {}


def _stem(word: str, lang: str) -> str:
    stemmer = _stemmers.get(lang)
    if stemmer is None:
        try:
            import Stemmer  # noqa: PLC0415 -- PyStemmer, C Snowball

            stemmer = Stemmer.Stemmer(_STEM_LANGUAGES[lang]).stemWord
        except ImportError:
            import snowballstemmer  # noqa: PLC0415 -- pure-Python Snowball, same output

            stemmer = snowballstemmer.stemmer(_STEM_LANGUAGES[lang]).stemWord
        _stemmers[lang] = stemmer
    return stemmer(word)


# -- the query side --------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One query word: any of ``alternatives`` matches, or with ``prefix``, any term starting so."""

    word: str
    alternatives: tuple[str, ...] = ()
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    """Words that must appear in this order, as written (case aside)."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class Query:
    """Every clause must match (AND). Empty when the text had no words."""

    clauses: tuple[Term | Phrase, ...]

    def __bool__(self) -> bool:
        return bool(self.clauses)

    def highlight_terms(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """Terms whose words to highlight, and prefixes whose words to highlight."""
        terms: set[str] = set()
        prefixes: list[str] = []
        for clause in self.clauses:
            if isinstance(clause, Phrase):
                terms.update(clause.words)
            elif clause.prefix:
                prefixes.append(clause.word)
            else:
                terms.update(clause.alternatives)
        return frozenset(terms), tuple(prefixes)


_QUERY_PART = re.compile(r'"([^"]*)"?|(\S+)')
MAX_CLAUSES = 16
MIN_PREFIX = 2


def query_terms(q: str) -> Query:
    """Parse a search box: words (all must match, any inflection), ``"exact phrase"``, ``kahvi*``."""
    clauses: list[Term | Phrase] = []
    for m in _QUERY_PART.finditer(q or ""):
        phrase, bare = m.group(1), m.group(2)
        if phrase is not None:
            words = tuple(tokenize(phrase))
            if len(words) == 1:
                clauses.append(Term(words[0], query_word_terms(words[0])))
            elif words:
                clauses.append(Phrase(words))
            continue
        is_prefix = bare.endswith("*")
        words = tokenize(bare)
        for i, word in enumerate(words):
            if is_prefix and i == len(words) - 1 and len(word) >= MIN_PREFIX:
                clauses.append(Term(word, (), prefix=True))
            else:
                clauses.append(Term(word, query_word_terms(word)))
    return Query(tuple(dict.fromkeys(clauses))[:MAX_CLAUSES])


def matches(query: Query, text: str, language: str | None = None) -> bool:
    """Whether ``text`` matches ``query``, by the same rules as the database indexes."""
    words = tokenize(text)
    terms = set(words)
    lang = base_language(language)
    for word in words:
        terms.update(word_terms(word, lang))
    return satisfies(query, words, terms)


def satisfies(query: Query, words: list[str], terms: set[str]) -> bool:
    """Whether a text's ``words`` (in order, for phrases) and its index ``terms`` (words and
    lemmas) meet every clause of ``query``."""
    for clause in query.clauses:
        if isinstance(clause, Phrase):
            n = len(clause.words)
            if not any(tuple(words[i : i + n]) == clause.words for i in range(len(words))):
                return False
        elif clause.prefix:
            if not any(t.startswith(clause.word) for t in terms):
                return False
        elif terms.isdisjoint(clause.alternatives):
            return False
    return True
