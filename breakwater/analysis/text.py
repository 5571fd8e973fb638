"""What a social text is made of besides words: URLs, @mentions, #hashtags, emoji, emoticons.

Language detection, sentiment, spam and keywords each need the text with some of these taken
out (a URL or a handle is no evidence of a language) and some of them counted (an emoji is
strong evidence of a mood). One pass here gives every consumer what it needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,12}/[^\s<>\"']*", re.I
)
MENTION = re.compile(r"(?<![\w@])@[\w.]*\w")
HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
# Pictographs, dingbats, flags, keycaps and their modifiers (skin tones, variation selectors,
# zero-width joiners): one sequence is one emoji ("🤦‍♀️", "👍🏽", "❤️").
_EMOJI_CHARS = (
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, supplemental symbols
    "\u2600-\u27bf"  # miscellaneous symbols and dingbats (☕ ❤ ✅ ✨)
    "\u2b00-\u2bff"  # arrows and stars (⭐)
    "\u2300-\u23ff"  # technical (⌛ ⏰)
    "\u2190-\u21ff"  # arrows
    "\u3030\u303d\u3297\u3299\u00a9\u00ae\u203c\u2049\u2122\u2139"
)
_MODIFIERS = "\ufe0f\ufe0e\u200d\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
EMOJI = re.compile(f"[{_EMOJI_CHARS}][{_MODIFIERS}{_EMOJI_CHARS}]*")
_STRIP_MODIFIERS = re.compile(f"[{_MODIFIERS}]")
# Western emoticons, only where they stand alone (not "http://", not "a:b").
EMOTICON = re.compile(r"(?<!\S)(?:[:;=]-?[)(DPp/\\|]|:'\(|>:\(|:@|D:|<3)(?!\S)")
# Where a negation's reach ends: sentence punctuation and contrast words.
CLAUSE_BREAK = re.compile(
    r"[.!?;:,\n()\"”“]+|\s(?:mutta|but|men|vaan|though|however|kuitenkin)\s", re.I
)
_SPACES = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Parts:
    """A text taken apart: ``words`` is what is left for language and lemmas."""

    words: str
    urls: tuple[str, ...]
    mentions: tuple[str, ...]
    hashtags: tuple[str, ...]
    emoji: tuple[str, ...]


def split(text: str) -> Parts:
    """URLs, mentions and emoji out; a hashtag keeps its word (#kesäfestarit -> kesäfestarit)."""
    urls = tuple(URL.findall(text))
    rest = URL.sub(" ", text) if urls else text
    mentions = tuple(MENTION.findall(rest))
    if mentions:
        rest = MENTION.sub(" ", rest)
    hashtags = tuple(HASHTAG.findall(rest))
    if hashtags:
        rest = HASHTAG.sub(r"\1", rest)
    emoji = tuple(ch for run in EMOJI.findall(rest) for ch in single_emoji(run))
    if emoji:
        rest = EMOJI.sub(" ", rest)
    emoticons = tuple(EMOTICON.findall(rest))
    if emoticons:
        rest = EMOTICON.sub(" ", rest)
    return Parts(
        words=_SPACES.sub(" ", rest).strip(),
        urls=urls,
        mentions=mentions,
        hashtags=hashtags,
        emoji=emoji + emoticons,
    )


def has_letters(text: str) -> bool:
    return _LETTER.search(text) is not None


def clauses(text: str) -> list[str]:
    """The text cut where a negation stops reaching ("ei ollut hyvä, mutta..." -> two)."""
    return [c for c in CLAUSE_BREAK.split(text) if c.strip()]


def single_emoji(run: str) -> list[str]:
    """An emoji run ("🎉🎉🔥", "🤦‍♀️") as its separate pictographs, modifiers left out."""
    return [ch for ch in run if not _STRIP_MODIFIERS.match(ch)]
