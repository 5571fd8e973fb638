"""Accuracy, macro-F1 and confusion matrices: small enough to own rather than depend on."""

from __future__ import annotations

from collections.abc import Sequence


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    if not gold:
        return 0.0
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    """Unweighted mean of each label's F1 (a label never predicted nor present scores 0)."""
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def confusion(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, dict[str, int]]:
    """``matrix[gold][predicted]``; predictions outside ``labels`` count as ``other``."""
    columns = [*labels, "other"]
    matrix = {g: dict.fromkeys(columns, 0) for g in labels}
    for g, p in zip(gold, predicted, strict=True):
        if g in matrix:
            matrix[g][p if p in labels else "other"] += 1
    return matrix


def format_confusion(matrix: dict[str, dict[str, int]]) -> str:
    """Rows are the gold labels, columns what was predicted."""
    columns = list(next(iter(matrix.values()))) if matrix else []
    if columns and not any(row["other"] for row in matrix.values()):
        columns.remove("other")
    width = max([len(c) for c in columns] + [5])
    corner = "gold \\ predicted"
    first = max([len(r) for r in matrix] + [len(corner)]) + 2
    lines = [corner.ljust(first) + " ".join(c.rjust(width) for c in columns)]
    for gold, row in matrix.items():
        lines.append(gold.ljust(first) + " ".join(str(row[c]).rjust(width) for c in columns))
    return "\n".join(lines)
