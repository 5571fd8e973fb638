"""POST /api/v1/ingest: normalized items as a JSON array or JSON Lines."""

import json
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from breakwater.core.actions import check_role
from breakwater.core.errors import ActionError
from breakwater.core.models import Role
from breakwater.ingest.pipeline import IngestResult, ingest_items

router = Router(tags=["ingest"])
MAX_ITEMS = 10_000
TRANSACTION_SIZE = 1000


class BadBody(ActionError):
    status = 400
    code = "bad_request"


class ItemErrorOut(Schema):
    index: int
    error: str


class IngestOut(Schema):
    received: int
    created: int
    duplicates: int
    errors: list[ItemErrorOut]


def parse_body(body: bytes) -> tuple[list[Any], list[tuple[int, str]]]:
    """Items from a JSON array, a single object or JSON Lines; unparseable lines are per-index errors."""
    text = body.decode("utf-8-sig", errors="strict").strip() if body else ""
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
    bad = dict(parse_errors)
    result = IngestResult()
    for start in range(0, len(items), TRANSACTION_SIZE):
        chunk = items[start : start + TRANSACTION_SIZE]
        # Lines that were not JSON stay in place as None, so indexes match the input.
        result.merge(ingest_items(workspace_id, chunk), offset=start)
    for error in result.errors:
        if error.index in bad:
            error.error = bad[error.index]
    return result


@router.post("/ingest", response=IngestOut, summary="Ingest normalized items")
def ingest(request: HttpRequest) -> dict[str, Any]:
    """Accepts a JSON array or JSON Lines of normalized items for channels of the token's
    workspace. Idempotent on (channel, external_id). One bad item never drops the good ones."""
    member = request.member  # type: ignore[attr-defined]
    check_role(member, Role.AGENT)
    try:
        items, parse_errors = parse_body(request.body)
    except UnicodeDecodeError:
        raise BadBody("body is not UTF-8") from None
    if len(items) > MAX_ITEMS:
        raise BadBody(f"at most {MAX_ITEMS} items per request; got {len(items)}: split the batch")
    return ingest_in_chunks(member.workspace_id, items, parse_errors).as_dict()
