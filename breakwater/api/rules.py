"""Automation rules: list, create, change, reorder, enable or disable, delete; dry run."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from breakwater.automation import actions, queries
from breakwater.automation.rules import Action, Conditions

router = Router(tags=["rules"])


class RuleOut(Schema):
    id: int
    name: str
    position: int = Field(description="rules run in this order, lowest first")
    enabled: bool
    trigger: str = Field(description="message_received | conversation_changed")
    conditions: Conditions
    actions: list[Action]
    stop: bool = Field(description="when this rule matches, later rules do not run")
    created_by: int | None = Field(None, alias="created_by_id")
    created_at: datetime
    updated_at: datetime


class RuleIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    trigger: str = Field("message_received", description="message_received | conversation_changed")
    conditions: Conditions = Field(default_factory=Conditions)
    actions: list[Action] = Field(default_factory=list, max_length=20)
    stop: bool = False
    enabled: bool = True


class RulePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    trigger: str | None = None
    conditions: Conditions | None = None
    actions: list[Action] | None = None
    stop: bool | None = None
    enabled: bool | None = None

    model_config = {"extra": "forbid"}


def _dump(body: Schema) -> dict[str, Any]:
    data = {k: getattr(body, k) for k in body.model_fields_set if getattr(body, k) is not None}
    if "conditions" in data:
        data["conditions"] = data["conditions"].model_dump(mode="json")
    if "actions" in data:
        data["actions"] = [a.model_dump(mode="json") for a in data["actions"]]
    return data


@router.get("/rules", response=list[RuleOut], summary="List rules")
def list_rules(request: HttpRequest) -> Any:
    """In the order they run."""
    return list(queries.list_rules(request.member))  # type: ignore[attr-defined]


@router.post("/rules", response={201: RuleOut}, summary="Create a rule")
def create_rule(request: HttpRequest, body: RuleIn) -> Status[Any]:
    """Managers and up. The new rule runs after the existing ones. Every condition given must
    hold; `text` is a query with the inbox search's rules ("palaute" finds "palautteesta")."""
    data = _dump(body)
    rule = actions.do_create_rule(
        request.member, body.name, data.get("conditions", {}), data.get("actions", []),  # type: ignore[attr-defined]
        trigger=body.trigger, stop=body.stop, enabled=body.enabled,
    )
    return Status(201, rule)


@router.get("/rules/{int:rule_id}", response=RuleOut, summary="Get a rule")
def get_rule(request: HttpRequest, rule_id: int) -> Any:
    return actions.access_rule(request.member, rule_id)  # type: ignore[attr-defined]


@router.patch("/rules/{int:rule_id}", response=RuleOut, summary="Change a rule")
def patch_rule(request: HttpRequest, rule_id: int, body: RulePatch) -> Any:
    """Send only what changes; `{"enabled": false}` disables a rule."""
    return actions.do_update_rule(request.member, rule_id, **_dump(body))  # type: ignore[attr-defined]


@router.delete("/rules/{int:rule_id}", response={204: None}, summary="Delete a rule")
def delete_rule(request: HttpRequest, rule_id: int) -> Status[None]:
    actions.do_delete_rule(request.member, rule_id)  # type: ignore[attr-defined]
    return Status(204, None)


@router.post("/rules/{int:rule_id}/enable", response=RuleOut, summary="Enable a rule")
def enable_rule(request: HttpRequest, rule_id: int) -> Any:
    return actions.do_set_rule_enabled(request.member, rule_id, True)  # type: ignore[attr-defined]


@router.post("/rules/{int:rule_id}/disable", response=RuleOut, summary="Disable a rule")
def disable_rule(request: HttpRequest, rule_id: int) -> Any:
    return actions.do_set_rule_enabled(request.member, rule_id, False)  # type: ignore[attr-defined]


class ReorderIn(Schema):
    ids: list[int] = Field(..., min_length=1, description="every rule id, in the new order")


@router.post("/rules/reorder", response=list[RuleOut], summary="Reorder rules")
def reorder_rules(request: HttpRequest, body: ReorderIn) -> Any:
    return actions.do_reorder_rules(request.member, body.ids)  # type: ignore[attr-defined]


class DryRunIn(Schema):
    conditions: Conditions = Field(default_factory=Conditions)
    days: int = Field(30, ge=1, le=queries.MAX_DAYS, description="how far back to look")


class DryRunExample(Schema):
    message_id: int
    conversation_id: int
    text: str = Field(description="the message's text, cut at 160 characters")
    created_at: datetime
    network: str


class DryRunOut(Schema):
    matched: int = Field(description="inbound messages of the window the conditions match")
    examples: list[DryRunExample] = Field(description="up to 5, newest first")


@router.post("/rules/dry-run", response=DryRunOut, summary="Try conditions on history")
def dry_run(request: HttpRequest, body: DryRunIn) -> Any:
    """How many inbound messages of the last `days` days the conditions would have matched,
    with examples. Nothing changes. Managers and up."""
    result = queries.dry_run(
        request.member, body.conditions.model_dump(mode="json"), body.days  # type: ignore[attr-defined]
    )
    return {"matched": result.matched, "examples": result.examples}
