"""Small template helpers."""

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """``{{ config|get_item:name }}``: a dict value by a key held in a variable."""
    return mapping.get(key) if mapping else None
