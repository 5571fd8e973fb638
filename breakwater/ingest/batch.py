"""Bodies of many items (a JSON array or JSON Lines), ingested in transaction-sized chunks.

Shared by ``POST /api/v1/ingest`` and ``breakwater ingest FILE``.
"""

from __future__ import annotations

import json
from typing import Any

from breakwater.core.errors import ActionError
from breakwater.ingest.pipeline import IngestResult, ingest_items

TRANSACTION_SIZE = 1000


class BadBody(ActionError):
    status = 400
    code = "bad_request"


def parse_body(body: bytes) -> tuple[list[Any], list[tuple[int, str]]]:
    """Items from a JSON array, a single object or JSON Lines.

    A JSON Lines line that does not parse stays in place as ``None`` and is reported by its
    index, so one broken line never drops the others; a body that is not JSON at all is a
    ``BadBody``.
    """
    try:
        text = body.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise BadBody("body is not UTF-8") from None
    if not text:
        raise BadBody("empty body: send a JSON array or JSON Lines of normalized items")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if text[0] == "[":
            raise BadBody(f"body is not valid JSON: {exc}") from None
    else:
        return (data if isinstance(data, list) else [data]), []
    items: list[Any] = []
    errors: list[tuple[int, str]] = []
    for line in (ln for ln in text.splitlines() if ln.strip()):
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            errors.append((len(items), f"line is not valid JSON: {exc}"))
            items.append(None)
    if len(errors) == len(items):
        raise BadBody("body is neither a JSON array nor JSON Lines")
    return items, errors


def ingest_in_chunks(workspace_id: int, items: list[Any],
                     parse_errors: list[tuple[int, str]]) -> IngestResult:
    """Ingest in chunks of ``TRANSACTION_SIZE``, one transaction each; indexes match the input."""
    bad = dict(parse_errors)
    result = IngestResult()
    for start in range(0, len(items), TRANSACTION_SIZE):
        result.merge(ingest_items(workspace_id, items[start : start + TRANSACTION_SIZE]), offset=start)
    for error in result.errors:
        if error.index in bad:
            error.error = bad[error.index]
    return result
