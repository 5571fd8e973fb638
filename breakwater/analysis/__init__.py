"""Text analysis: pure functions over batches of texts, no database, no Django models.

The public API (what ingest, listening, the worker and the CLI call)::

    analyze(texts, *, languages=None, authors=None) -> list[Analysis]   # fast, inline on ingest
    score_sentiment(texts, languages) -> list[Sentiment]                 # batched, in the worker

Submodules load their models on first use, so importing this package costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from breakwater.analysis.inline import Analysis, analyze, warm_up
    from breakwater.analysis.sentiment import Sentiment, score_sentiment

__all__ = ["Analysis", "Sentiment", "analyze", "score_sentiment", "warm_up"]

_EXPORTS = {
    "Analysis": "breakwater.analysis.inline",
    "analyze": "breakwater.analysis.inline",
    "warm_up": "breakwater.analysis.inline",
    "Sentiment": "breakwater.analysis.sentiment",
    "score_sentiment": "breakwater.analysis.sentiment",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
