"""Spam and abuse flags, each with the reasons a moderator can read and check.

Nothing Finnish for spam is packaged (shared/design/TEXT-ANALYSIS.md), so these are rules:

* strong (one is enough): a link to a known scam domain or a look-alike "support"/"giveaway"
  domain; crypto-giveaway and get-rich wording; fake "your page will be disabled" notices;
  the same text with a link from several authors in one batch;
* weak (two are needed): the same text without a link from several authors, a link shortener, many
  links, many @mentions, "contact me on WhatsApp/Telegram" with a number;
* abuse (a separate flag, not spam): swear words and insults of the text's language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from breakwater.analysis import lexicons
from breakwater.analysis.text import Parts
from breakwater.analysis.words import Word

# The same normalised text from this many different authors in one batch is a campaign.
REPEAT_MIN_AUTHORS = 3
# Shorter texts repeat innocently ("Kiitos!", "Wow 😍").
REPEAT_MIN_CHARS = 20
MANY_LINKS = 3
MANY_MENTIONS = 5

# fmt: off
SHORTENERS = frozenset((
    "bit.ly", "tinyurl.com", "t.ly", "cutt.ly", "is.gd", "rebrand.ly", "shorturl.at", "ow.ly",
    "buff.ly", "rb.gy", "tiny.cc", "s.id", "v.gd", "shorte.st", "adf.ly", "linktr.ee",
))
SUSPICIOUS_TLDS = frozenset((
    "xyz", "top", "click", "icu", "buzz", "gq", "ml", "cf", "tk", "ga", "rest", "cam",
    "sbs", "cfd", "bond", "live", "club", "online", "site", "shop", "store", "info", "work",
    "support",
))
# fmt: on
PLATFORMS = {
    "meta": "meta.com",
    "facebook": "facebook.com",
    "instagram": "instagram.com",
    "whatsapp": "whatsapp.com",
    "tiktok": "tiktok.com",
    "paypal": "paypal.com",
}
_BAIT_IN_DOMAIN = re.compile(
    r"giveaway|airdrop|claim|bonus|reward|prize|winner|wallet|verify|appeal|support|helpcenter|"
    r"help-center|copyright|violation|invest|profit|crypto|btc|bitcoin|usdt|elon|musk|free|gift|"
    r"follower|promo|double|boost|lottery|cash"
)
_BARE_DOMAIN = re.compile(r"\b((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,12})\b", re.I)

_CRYPTO = re.compile(
    r"\b(?:free|ilmai\w*|gratis)\s+(?:btc|bitcoin\w*|eth|ethereum|crypto\w*|krypto\w*|usdt|nft\w*)"
    r"|\bairdrop|\bdouble your (?:btc|bitcoin|eth|crypto|money|investment)"
    r"|\b(?:seed|recovery) phrase|\bwallet (?:connect|validation|sync|recovery)"
    r"|\b(?:guaranteed|taattu\w*|garanterad\w*)\s+(?:profit|returns?|tuot\w*|vinst\w*)"
    r"|\b(?:earn|make|made|earned|tienaa|tienasin|ansaitse\w*|tjäna\w*)\s+[$€]?\s?\d[\d,. ]*\s*"
    r"(?:€|\$|eur\w*|dollars?|kr)?\s*(?:daily|a day|per day|every day|weekly|a week|this week|"
    r"today|päivässä|viikossa|kuukaudessa|per dag|om dagen|i veckan)"
    r"|\btrading (?:crypto|bitcoin|forex)"
    r"|\b(?:free|ilmai\w*|gratis)\s+(?:gift\s?cards?|lahjakort\w*|presentkort\w*|iphone\w*)"
    r"|\b(?:more|lisää|fler)\s+(?:followers|seuraaj\w*|följare)"
    r"|\bpromote your (?:page|account|profile)"
    r"|\bbuy (?:followers|likes)|\b\d+k?\s+(?:real\s+)?(?:followers|seuraajaa|följare)"
    r"|\bsend\s+\d+(?:[.,]\d+)?\s*(?:btc|eth|usdt)|\b(?:bitcoin|crypto|btc|eth)[\s-]giveaway"
    r"|\b(?:bitcoin|krypto)[\s-]?sijoitu\w*"
    r"|\b(?:crypto|bitcoin|forex|binary)\s+(?:trading|expert|mentor|signals?|account manager)"
    r"|\binvest(?:ed|ing)?\s+(?:with|via)\s+(?:mr|mrs|ms|expert)\b",
    re.I,
)
_PHISHING = re.compile(
    r"\b(?:your|sinun|teidän|din|er)\s+(?:page|account|sivu\w*|tili\w*|sida|sidan|konto\w*)\b"
    r".{0,80}?\b(?:will be |has been |is )?(?:disabled|suspended|deleted|restricted|"
    r"unpublished|poistetaan|suljetaan|jäädytetään|estetään|inaktiveras|stängs|raderas)"
    r"|\b(?:tilisi|sivusi|tilinne|sivunne|kontot|sidan|ditt konto)\b.{0,40}?\b(?:sul\w*aan|"
    r"poistetaan|jäädytetään|estetään|stängs|raderas|spärras)"
    r"|\b(?:vahvista tietosi|vahvista tilisi|verify your (?:details|information|account|identity)|"
    r"verifiera (?:dina uppgifter|ditt konto))"
    r"|\b(?:copyright|tekijänoikeus\w*|upphovsrätt\w*)\s+(?:infringement|violation|claim|"
    r"rikkomu\w*|loukkau\w*|intrång)"
    r"|\b(?:you(?:'ve| have)? won|olet voittanut|voitit|du har vunnit)\b.{0,80}?"
    r"\b(?:claim|lunasta|hämta|click|klikkaa|klicka|link|linkki|länk|dm)",
    re.I,
)
_OFF_PLATFORM = re.compile(
    r"\b(?:whatsapp|telegram|wa\.me|t\.me|signal)\b.{0,40}?\+?\d[\d\s-]{7,}", re.I
)
_NORMALISE = re.compile(r"[^\w]+|\d+|_")


@dataclass(frozen=True)
class Flags:
    spam: bool
    spam_reasons: tuple[str, ...]
    abusive: bool
    abuse_reasons: tuple[str, ...]


def domains(parts: Parts) -> list[str]:
    """Host names linked or written out in the text, without ``www.``."""
    hosts = []
    for url in parts.urls:
        host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
        hosts.append(host)
    hosts.extend(m.lower() for m in _BARE_DOMAIN.findall(parts.words) if not m[0].isdigit())
    return list(dict.fromkeys(h.lower().removeprefix("www.") for h in hosts if "." in h))


def _in_list(host: str, listed: frozenset[str]) -> bool:
    labels = host.split(".")
    return any(".".join(labels[i:]) in listed for i in range(len(labels) - 1))


def _domain_reasons(hosts: list[str]) -> tuple[list[str], list[str]]:
    strong, weak = [], []
    scam = lexicons.scam_domains()
    for host in hosts:
        tld = host.rsplit(".", 1)[-1]
        if _in_list(host, scam):
            strong.append(f"scam domain: {host}")
        elif (bait := len(set(_BAIT_IN_DOMAIN.findall(host)))) and (
            bait >= 2
            or tld in SUSPICIOUS_TLDS
            or any(
                name in host and not _in_list(host, frozenset([official]))
                for name, official in PLATFORMS.items()
            )
        ):
            strong.append(f"look-alike domain: {host}")
        elif host in SHORTENERS:
            weak.append(f"link shortener: {host}")
    return strong, weak


def _repeat_key(words: str) -> str:
    key = _NORMALISE.sub(" ", words.lower()).strip()
    return key if len(key) >= REPEAT_MIN_CHARS else ""


def repeated(words: Sequence[str], authors: Sequence[str] | None) -> list[int]:
    """How many different authors sent each text's normalised form within this batch."""
    keys = [_repeat_key(w) for w in words]
    by_key: dict[str, set[str]] = {}
    for i, key in enumerate(keys):
        if key:
            by_key.setdefault(key, set()).add(authors[i] if authors else str(i))
    return [len(by_key[key]) if key else 0 for key in keys]


def flags(
    text: str, parts: Parts, clauses: list[list[Word]], language: str, repeat_authors: int = 0
) -> Flags:
    """Spam and abuse flags of one text (``repeat_authors`` from ``repeated`` over its batch)."""
    hosts = domains(parts)
    strong, weak = _domain_reasons(hosts)
    if _CRYPTO.search(text):
        strong.append("crypto or get-rich wording")
    if _PHISHING.search(text):
        strong.append("fake account warning or prize claim")
    if repeat_authors >= REPEAT_MIN_AUTHORS:
        # Stock phrases ("Onko tähän tulossa vastausta?", "Kiitos, odotan vastausta.") repeat
        # innocently, even long ones; a campaign wants a click.
        reason = f"same text from {repeat_authors} authors in this batch"
        (strong if parts.urls else weak).append(reason)
    if len(parts.urls) >= MANY_LINKS:
        weak.append(f"{len(parts.urls)} links")
    if len(parts.mentions) >= MANY_MENTIONS:
        weak.append(f"{len(parts.mentions)} mentions")
    if _OFF_PLATFORM.search(text):
        weak.append("asks to move to WhatsApp/Telegram")
    spam = bool(strong) or len(weak) >= 2
    reasons = tuple(strong + weak) if spam else tuple(weak)
    swear = profanity(clauses, language)
    abuse = (f"profanity: {', '.join(swear)}",) if swear else ()
    return Flags(spam, reasons, bool(swear), abuse)


def profanity(clauses: list[list[Word]], language: str) -> list[str]:
    words = lexicons.profanity(language if language in lexicons.LANGUAGES else "")
    found = [w.surface for clause in clauses for w in clause if words.lookup(w.surface, w.lemma)]
    return list(dict.fromkeys(found))
