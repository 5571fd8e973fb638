"""POST /api/v1/ingest: normalized items as a JSON array or JSON Lines."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from breakwater.core.actions import check_role
from breakwater.core.models import Role
from breakwater.ingest.batch import BadBody, ingest_in_chunks, parse_body

router = Router(tags=["ingest"])
MAX_ITEMS = 10_000


class ItemErrorOut(Schema):
    index: int
    error: str


class IngestOut(Schema):
    received: int
    created: int
    duplicates: int
    errors: list[ItemErrorOut]


@router.post("/ingest", response=IngestOut, summary="Ingest normalized items")
def ingest(request: HttpRequest) -> dict[str, Any]:
    """Accepts a JSON array or JSON Lines of normalized items for channels of the token's
    workspace. Idempotent on (channel, external_id). One bad item never drops the good ones."""
    member = request.member  # type: ignore[attr-defined]
    check_role(member, Role.AGENT)
    items, parse_errors = parse_body(request.body)
    if len(items) > MAX_ITEMS:
        raise BadBody(f"at most {MAX_ITEMS} items per request; got {len(items)}: split the batch")
    return ingest_in_chunks(member.workspace_id, items, parse_errors).as_dict()
