"""``analyze``: the fast, inline part of text analysis (language, lemmas, keywords, spam).

Ingest calls it on every batch before storing, so it has a budget: <= 1 ms median per message
on one core (``breakwater bench analysis`` measures it). Sentiment is separate
(``score_sentiment``): the worker fills it in after the message is visible.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from breakwater.analysis import keywords as keywords_lib
from breakwater.analysis import spam as spam_lib
from breakwater.analysis.language import UNDETERMINED, detect
from breakwater.analysis.lemmas import lemmas as index_terms
from breakwater.analysis.text import has_letters, split
from breakwater.analysis.words import clause_words


@dataclass(frozen=True)
class Analysis:
    """What ingest stores on a message (sentiment comes later, from the worker).

    ``lemmas`` are the search index terms (``Message.search_text`` is them joined by spaces);
    ``keywords`` are base forms and two-word phrases for trends.
    """

    language: str
    language_confidence: float
    lemmas: tuple[str, ...]
    keywords: tuple[str, ...]
    spam: bool
    spam_reasons: tuple[str, ...]
    abusive: bool = False
    abuse_reasons: tuple[str, ...] = ()

    @property
    def search_text(self) -> str:
        return " ".join(self.lemmas)


def analyze(
    texts: Sequence[str],
    *,
    languages: Sequence[str] | None = None,
    authors: Sequence[str] | None = None,
) -> list[Analysis]:
    """Analyse a batch. ``languages`` restricts language detection to a workspace's languages;
    ``authors`` (one per text) lets "the same text from several authors" be seen as spam."""
    allowed = frozenset(lang.lower() for lang in languages) if languages else None
    parts = [split(text or "") for text in texts]
    repeats = spam_lib.repeated([p.words for p in parts], authors)
    out = []
    for text, part, repeat in zip(texts, parts, repeats, strict=True):
        text = text or ""
        if has_letters(part.words):
            language, confidence = detect(part.words, allowed)
        else:
            language, confidence = UNDETERMINED, 0.0
        lang = "" if language == UNDETERMINED else language
        clauses = clause_words(part.words, lang)
        flags = spam_lib.flags(text, part, clauses, lang, repeat)
        out.append(
            Analysis(
                language=language,
                language_confidence=confidence,
                lemmas=tuple(index_terms(part.words, lang)),
                keywords=tuple(keywords_lib.keywords(clauses, part.hashtags, lang)),
                spam=flags.spam,
                spam_reasons=flags.spam_reasons,
                abusive=flags.abusive,
                abuse_reasons=flags.abuse_reasons,
            )
        )
    return out


def warm_up(sentiment_model: str = "fast") -> float:
    """Load every model and word list now, not on the first message; returns the seconds.

    The loads cost about 6 s once per process (simplemma's dictionaries most of it, then
    py3langid's model, Voikko, the lexicons and the sentiment weights): a process that
    ingests calls this at start, in the background (``ingest.enrich.warm_up_in_background``).
    """
    from breakwater.analysis import lemmas, lexicons
    from breakwater.analysis.language import _base_identifier
    from breakwater.analysis.sentiment import get_model

    started = time.perf_counter()
    _base_identifier()
    lemmas.preload()
    for language in lexicons.LANGUAGES:
        lexicons.sentiment_lexicon(language)
        lexicons.negators(language)
        lexicons.stopwords(language)
        lexicons.profanity(language)
    lexicons.emoji_polarity()
    lexicons.scam_domains()
    get_model(sentiment_model)
    analyze(["Kiitos!", "Thanks!", "Tack!"])
    return time.perf_counter() - started
