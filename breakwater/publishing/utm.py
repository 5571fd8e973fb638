"""Campaign tags on links: UTM parameters added to a post's link (pure)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def tag_link(url: str, *, source: str = "", medium: str = "", campaign: str = "",
             network: str = "") -> str:
    """``url`` with utm_source/utm_medium/utm_campaign set; the source is the network's key
    when the campaign gives none (so each network's traffic is told apart). Tags the link
    already has are kept: someone chose them on purpose."""
    if not url or not (campaign or source or medium):
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in query}
    wanted = {"utm_source": source or network, "utm_medium": medium or "social",
              "utm_campaign": campaign}
    query += [(k, v) for k, v in wanted.items() if v and k not in present]
    return urlunsplit(parts._replace(query=urlencode(query)))
