"""What each network allows in a post beyond text length (which the connectors count) and
media (the media rule table, media/rules.py, which also says how many images a post takes):
a first comment, how links and mentions work. Data, not code: networks
change these, so each row says where it comes from (checked 2026-12).

| network | first comment | links | mentions | source |
|---|---|---|---|---|
| mastodon | a reply to the post | clickable, 23 chars | @user@server | docs.joinmastodon.org/api/entities/Instance |
| bluesky | a reply to the post | facets, clickable | @handle.bsky.social | docs.bsky.app/docs/advanced-guides/posts |
| x | a reply to the post | t.co, 23 chars | @handle | docs.x.com/x-api/posts/creation-of-a-post |
| instagram | yes (a comment) | not clickable in captions | @handle | developers.facebook.com/docs/instagram-platform/content-publishing |
| facebook | yes (a comment) | clickable, link card | page tags | developers.facebook.com/docs/pages-api/posts |
| linkedin | yes (a comment) | clickable, link card | @ by organisation URN | learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api |
| threads | a reply to the post | clickable, 1 per post | @handle | developers.facebook.com/docs/threads/posts |
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PostRules:
    first_comment: bool = False
    links: str = "clickable"
    mentions: str = "@handle"


RULES: dict[str, PostRules] = {
    "mastodon": PostRules(True, "clickable; every link counts as 23 characters", "@user@server"),
    "bluesky": PostRules(True, "clickable (facets)", "@handle.bsky.social"),
    "x": PostRules(True, "shortened to t.co; every link counts as 23 characters", "@handle"),
    "instagram": PostRules(True, "not clickable in a caption: put it in the bio", "@handle"),
    "facebook": PostRules(True, "clickable; the first link makes a link card", "page tags"),
    "linkedin": PostRules(True, "clickable; the first link makes a link card", "@organisation"),
    "threads": PostRules(True, "clickable; one link card per post", "@handle"),
    "demo": PostRules(True, "clickable", "@handle"),
}


def rules_for(network: str) -> PostRules:
    return RULES.get(network, PostRules())
