"""Training of the sentiment models (``breakwater train sentiment``): offline, regenerable.

Both models are a multinomial logistic regression fitted here with numpy (full-batch Adam on
the mean cross-entropy plus an L2 penalty), over the fast model's sparse features or over
e5 embeddings. Only the ``train`` split of the labelled set is read; the L2 strength is chosen
by 5-fold cross-validation inside it, so the ``test`` split stays unseen until evaluation.
"""

from __future__ import annotations

import json
import time
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from breakwater.analysis import dataset
from breakwater.analysis.metrics import macro_f1
from breakwater.analysis.sentiment import E5_WEIGHTS, FAST_WEIGHTS, LABELS, E5Model, features

L2_GRID = (0.3, 1.0, 3.0, 10.0)
FOLDS = 5
STEPS = 400
# A lemma seen in fewer training texts than this is noise, not a feature.
MIN_FEATURE_COUNT = 2


def fit(x: Any, y: Any, l2: float, steps: int = STEPS, rate: float = 0.05) -> tuple[Any, Any]:
    """Weights (d, k) and bias (k,) minimising mean cross-entropy + l2 / (2n) * |W|^2."""
    import numpy as np

    n, d = x.shape
    k = len(LABELS)
    onehot = np.eye(k)[y]
    w, b = np.zeros((d, k)), np.zeros(k)
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros(k), np.zeros(k)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        logits = x @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        err = (probs - onehot) / n
        g_w = x.T @ err + (l2 / n) * w
        g_b = err.sum(axis=0)
        m_w, v_w = beta1 * m_w + (1 - beta1) * g_w, beta2 * v_w + (1 - beta2) * g_w**2
        m_b, v_b = beta1 * m_b + (1 - beta1) * g_b, beta2 * v_b + (1 - beta2) * g_b**2
        corr1, corr2 = 1 - beta1**t, 1 - beta2**t
        w -= rate * (m_w / corr1) / (np.sqrt(v_w / corr2) + eps)
        b -= rate * (m_b / corr1) / (np.sqrt(v_b / corr2) + eps)
    return w, b


def _predict(x: Any, w: Any, b: Any) -> list[str]:
    return [LABELS[i] for i in (x @ w + b).argmax(axis=1)]


# -- the fast model --------------------------------------------------------------------------


class FastVectorizer:
    """Sparse feature dicts -> a dense matrix over the features common enough in training."""

    def __init__(self, rows: Sequence[dict[str, float]]):
        counts = Counter(name for row in rows for name in row)
        self.names = sorted(
            n for n, c in counts.items() if c >= MIN_FEATURE_COUNT or not n.startswith("w:")
        )
        self.index = {n: i for i, n in enumerate(self.names)}

    def matrix(self, rows: Sequence[dict[str, float]]) -> Any:
        import numpy as np

        x = np.zeros((len(rows), len(self.names)))
        for r, row in enumerate(rows):
            for name, value in row.items():
                if (c := self.index.get(name)) is not None:
                    x[r, c] = value
        return x


def _fold_of(ex: dataset.Example) -> int:
    return zlib.crc32(ex.group.encode()) // 10 % FOLDS


def cross_validate(
    examples: list[dataset.Example], train_predict: Callable[..., list[str]], l2: float
) -> dict[str, float]:
    """Macro-F1 per language over FOLDS group folds of ``examples`` (all from the train split)."""
    gold: dict[str, list[str]] = {}
    pred: dict[str, list[str]] = {}
    for fold in range(FOLDS):
        train = [ex for ex in examples if _fold_of(ex) != fold]
        held = [ex for ex in examples if _fold_of(ex) == fold]
        for ex, p in zip(held, train_predict(train, held, l2), strict=True):
            gold.setdefault(ex.language, []).append(ex.sentiment)
            pred.setdefault(ex.language, []).append(p)
    return {lang: round(macro_f1(gold[lang], pred[lang], LABELS), 4) for lang in sorted(gold)}


def _fast_rows(examples: Sequence[dataset.Example]) -> list[dict[str, float]]:
    return [features(ex.text, ex.language) for ex in examples]


def _fast_train_predict(
    train: list[dataset.Example], held: list[dataset.Example], l2: float
) -> list[str]:
    import numpy as np

    rows = _fast_rows(train)
    vec = FastVectorizer(rows)
    y = np.array([LABELS.index(ex.sentiment) for ex in train])
    w, b = fit(vec.matrix(rows), y, l2)
    return _predict(vec.matrix(_fast_rows(held)), w, b)


def train_fast(examples: list[dataset.Example], l2: float) -> dict[str, Any]:
    """The fast model's JSON: weights of every kept feature (rounded; zero rows dropped)."""
    import numpy as np

    rows = _fast_rows(examples)
    vec = FastVectorizer(rows)
    y = np.array([LABELS.index(ex.sentiment) for ex in examples])
    w, b = fit(vec.matrix(rows), y, l2)
    weights = {
        name: [round(float(v), 4) for v in w[i]]
        for i, name in enumerate(vec.names)
        if np.abs(w[i]).max() >= 1e-3
    }
    return {"labels": list(LABELS), "bias": [round(float(v), 4) for v in b], "weights": weights}


# -- the e5 model ----------------------------------------------------------------------------


class _Embeddings:
    """Each text embedded once per run (cross-validation reuses them)."""

    def __init__(self, examples: Sequence[dataset.Example]):
        import numpy as np

        self.rows = {ex.text: i for i, ex in enumerate(examples)}
        self.x = np.asarray(E5Model.embed([ex.text for ex in examples]), dtype=np.float64)

    def matrix(self, examples: Sequence[dataset.Example]) -> Any:
        return self.x[[self.rows[ex.text] for ex in examples]]


def _e5_train_predict(emb: _Embeddings) -> Callable[..., list[str]]:
    def train_predict(
        train: list[dataset.Example], held: list[dataset.Example], l2: float
    ) -> list[str]:
        import numpy as np

        y = np.array([LABELS.index(ex.sentiment) for ex in train])
        w, b = fit(emb.matrix(train), y, l2, rate=0.02, steps=600)
        return _predict(emb.matrix(held), w, b)

    return train_predict


def train_e5(emb: _Embeddings, examples: list[dataset.Example], l2: float) -> dict[str, Any]:
    import numpy as np

    y = np.array([LABELS.index(ex.sentiment) for ex in examples])
    w, b = fit(emb.matrix(examples), y, l2, rate=0.02, steps=600)
    return {
        "labels": list(LABELS),
        "prefix": "query: ",
        "bias": [round(float(v), 5) for v in b],
        "weights": [[round(float(v), 5) for v in row] for row in w],
    }


# -- the command -----------------------------------------------------------------------------


def _choose_l2(
    examples: list[dataset.Example],
    train_predict: Callable[..., list[str]],
    log: Callable[[str], None],
) -> tuple[float, dict[str, float]]:
    best: tuple[float, float, dict[str, float]] | None = None
    for l2 in L2_GRID:
        scores = cross_validate(examples, train_predict, l2)
        mean = sum(scores.values()) / len(scores)
        log(f"  l2={l2:<5} {FOLDS}-fold CV macro-F1 on train split: {scores} (mean {mean:.3f})")
        if best is None or mean > best[1]:
            best = (l2, mean, scores)
    assert best is not None
    return best[0], best[2]


def train(model: str = "fast", out: Path | None = None, log: Callable[[str], None] = print) -> Path:
    """Fit ``model`` on the train split, choose L2 by CV, write its JSON; returns the path."""
    examples = dataset.split_examples(dataset.sentiment_examples(), "train")
    started = time.perf_counter()
    log(f"training the {model} sentiment model on {len(examples)} texts (train split)")
    if model == "fast":
        l2, cv = _choose_l2(examples, _fast_train_predict, log)
        data = train_fast(examples, l2)
        path = out or FAST_WEIGHTS
    elif model == "e5":
        emb = _Embeddings(examples)
        l2, cv = _choose_l2(examples, _e5_train_predict(emb), log)
        data = train_e5(emb, examples, l2)
        path = out or E5_WEIGHTS
    else:
        raise ValueError(f"unknown sentiment model {model!r}; one of fast, e5")
    data["meta"] = {
        "trained_on": "analysis/tests/data, train split",
        "texts": len(examples),
        "by_language": dict(Counter(ex.language for ex in examples)),
        "l2": l2,
        "cv_macro_f1": cv,
        "regenerate": f"breakwater train sentiment --model {model}",
    }
    path.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    log(
        f"chose l2={l2}; wrote {path} ({path.stat().st_size // 1024} KiB) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return path
