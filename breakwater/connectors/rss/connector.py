"""RSS and Atom feeds: news monitoring as a channel (and, later, as a listening source).

Each entry becomes one ``mention`` item, its own conversation, keyed by the entry's guid
(or link), so a feed that reorders or repeats entries never makes duplicates. Polls are
conditional GETs: the cursor keeps the feed's ``ETag`` and ``Last-Modified``, and an
unchanged feed answers 304 with no body.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import json
import time
from datetime import UTC, datetime
from typing import Any

import feedparser
import nh3

from breakwater.connectors.base import (
    Account,
    Author,
    Capability,
    Connector,
    ConnectorError,
    InboundItem,
    Page,
    Parameter,
)
from breakwater.lib import http

USER_AGENT = "Breakwater feed reader (+https://github.com/breakwater)"


def _when(entry: Any) -> datetime | None:
    parsed: time.struct_time | None = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None


def _plain(markup: str) -> str:
    return " ".join(html.unescape(nh3.clean(markup, tags=set())).split())


def entry_id(feed_url: str, entry: Any) -> str:
    """The entry's guid, else its link, else a hash of its title: stable across fetches."""
    raw = entry.get("id") or entry.get("link") or entry.get("title", "")
    if len(raw) <= 200:
        return raw
    return hashlib.sha256(f"{feed_url}\n{raw}".encode()).hexdigest()


class RssConnector(Connector):
    key = "rss"
    label = "RSS / Atom feed"
    capabilities = frozenset({Capability.INBOX_MENTIONS, Capability.LISTEN_SEARCH})
    parameters = (Parameter("url", "Feed URL", required=True, help="An RSS 2.0 or Atom feed"),)
    EVENT_TYPES = ("mention",)
    poll_interval = 300.0
    reconcile_window = 3 * 24 * 3600.0

    @classmethod
    def validate_config(cls, config: Any) -> dict[str, Any]:
        cleaned = super().validate_config(config)
        if not str(cleaned["url"]).startswith(("http://", "https://")):
            raise ValueError("url must be an http:// or https:// address of a feed")
        return cleaned

    def _fetch(self, cursor: dict[str, str]) -> tuple[feedparser.FeedParserDict | None, dict[str, str]]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/atom+xml, application/rss+xml, */*"}
        if cursor.get("etag"):
            headers["If-None-Match"] = cursor["etag"]
        if cursor.get("modified"):
            headers["If-Modified-Since"] = cursor["modified"]
        response = http.get(self.config["url"], headers=headers)
        if response.status_code == 304:
            return None, cursor
        feed = feedparser.parse(response.content)
        if not feed.entries and (feed.bozo or not feed.get("version")):
            problem = feed.get("bozo_exception") or "no entries and no feed header"
            raise ConnectorError(f"{self.config['url']} is not an RSS or Atom feed: {problem}",
                                 permanent=True)
        validators = {"etag": response.headers.get("ETag", ""),
                      "modified": response.headers.get("Last-Modified", "")}
        return feed, {k: v for k, v in validators.items() if v}

    def _items(self, feed: feedparser.FeedParserDict) -> list[InboundItem]:
        source = feed.feed.get("title") or self.config["url"]
        now = datetime.now(UTC)
        items = []
        for entry in feed.entries:
            body = entry.get("summary") or ""
            title = _plain(entry.get("title") or "")
            text = "\n\n".join(part for part in (title, _plain(body)) if part)
            external_id = entry_id(self.config["url"], entry)
            items.append(InboundItem(
                network=self.key, channel=self.channel, external_id=external_id, kind="mention",
                created_at=_when(entry) or now, thread_key=f"rss:{external_id}"[:255],
                author=Author(external_id=self.config["url"][:255], name=source[:255],
                              handle=(entry.get("author") or "")[:255]),
                text=text, html=nh3.clean(body) if body else None,
                url=(entry.get("link") or None), is_public=True,
                raw={"feed": source, "title": title},
            ))
        return items

    def test_connection(self) -> Account:
        feed, _ = self._fetch({})
        assert feed is not None  # no validators sent, so never 304
        return Account(external_id=self.config["url"], name=feed.feed.get("title", ""))

    def poll(self, cursor: str | None) -> Page:
        saved = json.loads(cursor) if cursor else {}
        feed, validators = self._fetch(saved)
        if feed is None:
            return Page(items=[], cursor=cursor)
        return Page(items=self._items(feed), cursor=json.dumps(validators, sort_keys=True))

    def reconcile(self, since: datetime) -> list[InboundItem]:
        feed, _ = self._fetch({})
        return [i for i in self._items(feed) if i.created_at >= since] if feed else []
