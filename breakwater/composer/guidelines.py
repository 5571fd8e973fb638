"""A workspace's guideline set (brand voice and confidentiality), as data: pure, no models.

The shape is the API's contract (``GET/PUT /api/v1/guidelines``, docs/guidelines.md)::

    {
      "avoid": {"halpa": "edullinen", "\\"ilmainen\\"": "maksuton"},
      "confidential": [
        {"term": "yt-neuvottelut", "action": "block"},
        {"term": "fuusio", "action": "approve"},
        {"pattern": "\\\\b\\\\d{6}[-+A]\\\\d{3}[0-9A-Y]\\\\b", "action": "block",
         "label": "personal identity code"}
      ],
      "required": [{"name": "greeting", "pattern": "^(hei|moi|hi)\\\\b", "language": "fi"}],
      "notes": "We say 'me', never 'yritys'. Friendly, short, no exclamation marks."
    }

A term matches every inflected form of its words (Finnish through Voikko, see
``analysis/lemmas.py``); a term written in double quotes matches only as written.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import regex
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_TERMS = 500
MAX_PATTERN = 500


def compile_pattern(pattern: str) -> regex.Pattern[str]:
    """A guideline pattern: a regular expression, case-insensitive. ``ValueError`` if broken."""
    try:
        return regex.compile(pattern, regex.IGNORECASE | regex.MULTILINE)
    except regex.error as exc:
        raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from None


def _pattern(value: str | None) -> str | None:
    if value is not None:
        compile_pattern(value)
    return value


Pattern = Annotated[str, Field(min_length=1, max_length=MAX_PATTERN)]


class ConfidentialItem(BaseModel):
    """A confidential topic: a ``term`` (inflections match) or a ``pattern`` (a regular
    expression), and what a reply that mentions it does: ``block`` it or send it to ``approve``."""

    model_config = ConfigDict(extra="forbid")

    term: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    pattern: Pattern | None = None
    action: Literal["block", "approve"] = "block"
    label: Annotated[str, Field(max_length=200)] = Field(
        "", description="what to call a pattern's match in messages, e.g. 'personal identity code'"
    )

    _check_pattern = field_validator("pattern")(_pattern)

    @model_validator(mode="after")
    def _one_of(self) -> ConfidentialItem:
        if (self.term is None) == (self.pattern is None):
            raise ValueError("a confidential item needs either a term or a pattern")
        return self


class RequiredItem(BaseModel):
    """An element every reply should have (a greeting, a signature): a regular expression that
    must match somewhere. Missing ones warn; they never block."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=80)]
    pattern: Pattern
    language: Annotated[str, Field(max_length=8)] = Field(
        "", description='only for replies in this language, e.g. "fi"; "" for every reply'
    )
    message: Annotated[str, Field(max_length=300)] = Field(
        "", description="what to tell the agent when it is missing"
    )

    _check_pattern = field_validator("pattern")(_pattern)


class GuidelineSet(BaseModel):
    """A workspace's guidelines."""

    model_config = ConfigDict(extra="forbid")

    avoid: dict[str, str] = Field(
        default_factory=dict,
        description="term -> suggested alternative; a term in double quotes matches only "
        'as written. [{"term", "suggestion"}] is accepted too.',
    )
    confidential: list[ConfidentialItem] = Field(
        default_factory=list,
        description='terms or patterns; "action": "block" | "approve". A plain string is a term '
        'that blocks; {"terms": [...], "action": ...} gives several terms one action.',
    )
    required: list[RequiredItem] = Field(
        default_factory=list,
        description='greeting, signature...: {"name", "pattern", "language", "message"}; '
        '{"greeting": "^(hei|moi)"} (name -> pattern) is accepted too',
    )
    notes: Annotated[str, Field(max_length=5000)] = Field(
        "", description="tone of voice, shown beside the composer"
    )

    @field_validator("confidential", mode="before")
    @classmethod
    def _expand_shorthands(cls, value: Any) -> Any:
        """Accept ``["term", ...]`` and ``{"terms": [...], "action": ...}`` as well."""
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            return value
        items: list[Any] = []
        for item in value:
            if isinstance(item, str):
                items.append({"term": item})
            elif isinstance(item, dict) and "terms" in item:
                rest = {k: v for k, v in item.items() if k != "terms"}
                items.extend({**rest, "term": term} for term in item["terms"])
            else:
                items.append(item)
        return items

    @field_validator("avoid", mode="before")
    @classmethod
    def _avoid_from_list(cls, value: Any) -> Any:
        """Accept ``[{"term": ..., "suggestion": ...}]`` and plain terms as well."""
        if not isinstance(value, list):
            return value
        return {
            (item if isinstance(item, str) else item.get("term", "")):
            ("" if isinstance(item, str) else item.get("suggestion", "") or "")
            for item in value
        }

    @field_validator("required", mode="before")
    @classmethod
    def _required_from_mapping(cls, value: Any) -> Any:
        """Accept ``{"greeting": "^hei", ...}`` (name -> pattern) and plain patterns as well."""
        if isinstance(value, dict):
            return [{"name": name, "pattern": pattern} for name, pattern in value.items()]
        if isinstance(value, list):
            return [{"name": v, "pattern": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("notes", mode="before")
    @classmethod
    def _notes_from_list(cls, value: Any) -> Any:
        return "\n".join(map(str, value)) if isinstance(value, list) else value

    @model_validator(mode="after")
    def _sizes(self) -> GuidelineSet:
        if len(self.avoid) + len(self.confidential) > MAX_TERMS:
            raise ValueError(f"at most {MAX_TERMS} avoided and confidential terms together")
        if any(not term.strip(' "') for term in self.avoid):
            raise ValueError("an avoided term needs some letters")
        return self
