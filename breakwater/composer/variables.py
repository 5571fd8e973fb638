"""Variables in saved replies (and auto-replies): ``{{contact.first_name}}``, ``{{link URL}}``.

Pure: :func:`render` takes the text and a plain context; :func:`context_for` builds that
context from a conversation and the member who answers (any objects with the same
attributes will do, so the rules engine can pass its own). Placeholders:

* ``{{contact.name}}``, ``{{contact.first_name}}``, ``{{agent.name}}``, ``{{agent.first_name}}``,
  ``{{workspace.name}}``; ``{{contact.first_name|there}}`` gives "there" when the value is empty;
* ``{{link https://example.com/x}}``: the link with campaign tags (``utm_source`` = the network,
  ``utm_medium=social``, ``utm_campaign`` = the saved reply's shortcut, or
  ``{{link https://example.com/x campaign=spring}}``); tags already in the link are kept.

An unknown placeholder stays as written, so the agent sees it before sending.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_VARIABLE = re.compile(r"^([a-z_]+)\.([a-z_]+)(?:\|(.*))?$")
_LINK = re.compile(r"^link\s+(\S+)(?:\s+campaign=(\S+))?$")

VARIABLES = ("contact.name", "contact.first_name", "agent.name", "agent.first_name",
             "workspace.name")


def first_name(name: str) -> str:
    return name.split()[0] if name.strip() else ""


def tag_link(url: str, source: str, campaign: str) -> str:
    """``url`` with ``utm_source``, ``utm_medium=social`` and ``utm_campaign`` added."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    have = {key for key, _ in query}
    tags = {"utm_source": source, "utm_medium": "social", "utm_campaign": campaign}
    query += [(k, v) for k, v in tags.items() if v and k not in have]
    return urlunsplit(parts._replace(query=urlencode(query)))


def render(text: str, context: dict[str, Any]) -> str:
    """``text`` with every known placeholder replaced from ``context`` (see :func:`context_for`)."""

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        if link := _LINK.match(inner):
            campaign = link.group(2) or context.get("campaign", "")
            return tag_link(link.group(1), context.get("network", ""), campaign)
        variable = _VARIABLE.match(inner)
        if variable is None or f"{variable.group(1)}.{variable.group(2)}" not in VARIABLES:
            return match.group(0)
        value = str(context.get(variable.group(1), {}).get(variable.group(2), "") or "")
        return value or (variable.group(3) or "")

    return _PLACEHOLDER.sub(replace, text)


def context_for(conversation: Any, agent: Any | None, campaign: str = "") -> dict[str, Any]:
    """The context of a reply in ``conversation`` written by ``agent`` (a membership; None
    when the system answers, e.g. an auto-reply: then the workspace signs)."""
    contact_name = conversation.contact.name if conversation.contact else ""
    workspace = agent.workspace if agent is not None else conversation.workspace
    agent_name = agent.user.display_name if agent is not None else workspace.name
    return {
        "contact": {"name": contact_name, "first_name": first_name(contact_name)},
        "agent": {"name": agent_name, "first_name": first_name(agent_name)},
        "workspace": {"name": workspace.name},
        "network": conversation.network,
        "campaign": campaign,
    }
