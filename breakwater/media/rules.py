"""Each network's media rules as data, and the one check every upload and post variant uses.

Pure (no models). A :class:`Rule` is what one network accepts for one placement (``feed``,
``story``, ``reel``, ``link`` ...): formats, pixel sizes, aspect ratios, bytes, transparency,
images per post and video length, with the page it comes from and the date it was read.
Networks change these; ``docs/media-rules.md`` is generated from this table
(:func:`rules_markdown`) and a test keeps the two equal.

``basis`` says how sure a row is, in NETWORKS.md's words: ``doc`` (the network's own
documentation), ``third-party`` (a guide that is not the vendor's) or ``unverified``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

MB = 1024 * 1024


@dataclass(frozen=True)
class Rule:
    network: str
    placement: str
    source: str
    checked: str  # ISO date the source was read
    basis: str = "doc"
    image: bool = True  # accepts images
    video: bool = False  # accepts videos
    formats: tuple[str, ...] = ("jpeg", "png")
    video_formats: tuple[str, ...] = ("mp4", "mov")
    min_width: int | None = None
    min_height: int | None = None
    max_width: int | None = None
    max_height: int | None = None
    max_pixels: int | None = None  # width x height
    max_side_sum: int | None = None  # width + height (Telegram)
    # Allowed width/height ratios as (w, h) pairs: None is unbounded on that side.
    aspect_min: tuple[float, float] | None = None
    aspect_max: tuple[float, float] | None = None
    recommended: tuple[int, int] | None = None
    max_bytes: int | None = None
    max_video_bytes: int | None = None
    transparency: bool = True
    max_images: int | None = None
    min_video_seconds: float | None = None
    max_video_seconds: float | None = None
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.network}/{self.placement}"

    @property
    def network_label(self) -> str:
        return label(self.network)

    @property
    def aspect_range(self) -> tuple[float | None, float | None]:
        lo = self.aspect_min[0] / self.aspect_min[1] if self.aspect_min else None
        hi = self.aspect_max[0] / self.aspect_max[1] if self.aspect_max else None
        return lo, hi

    def as_dict(self) -> dict[str, Any]:
        lo, hi = self.aspect_range
        return {
            "network": self.network,
            "label": self.network_label,
            "placement": self.placement,
            "image": self.image,
            "video": self.video,
            "formats": list(self.formats) if self.image else [],
            "video_formats": list(self.video_formats) if self.video else [],
            "min_width": self.min_width,
            "min_height": self.min_height,
            "max_width": self.max_width,
            "max_height": self.max_height,
            "max_pixels": self.max_pixels,
            "max_side_sum": self.max_side_sum,
            "aspect_min": lo,
            "aspect_max": hi,
            "aspect": aspect_text(self),
            "recommended": list(self.recommended) if self.recommended else None,
            "max_bytes": self.max_bytes,
            "max_video_bytes": self.max_video_bytes,
            "transparency": self.transparency,
            "max_images": self.max_images,
            "min_video_seconds": self.min_video_seconds,
            "max_video_seconds": self.max_video_seconds,
            "source": self.source,
            "checked": self.checked,
            "basis": self.basis,
            "note": self.note,
        }


@dataclass(frozen=True)
class MediaMeta:
    """What the check needs to know about a file (images: width/height; videos: duration)."""

    format: str
    bytes: int
    width: int | None = None
    height: int | None = None
    has_alpha: bool = False
    kind: str = "image"  # image | video
    duration: float | None = None
    animated: bool = False


@dataclass(frozen=True)
class Problem:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    rule: Rule
    problems: list[Problem] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": [p.as_dict() for p in self.problems],
            "rule": self.rule.as_dict(),
        }


class UnknownRule(LookupError):
    """No rule for this network or placement; the message lists the known ones."""


# Problem codes are stable: the API, the UI and the publishing checks rely on them.
CODES = (
    "kind",
    "format",
    "too_small",
    "too_large_pixels",
    "aspect_ratio",
    "too_many_bytes",
    "transparency",
    "too_short",
    "too_long",
    "animated",
    "too_many_images",
)
# Aspect ratios closer than this (relative) to a limit pass: 1080x1920 vs 9:16 rounding.
ASPECT_TOLERANCE = 0.01

_META = "https://developers.facebook.com/docs"
_IG_MEDIA = f"{_META}/instagram-platform/instagram-graph-api/reference/ig-user/media"
_IG_GUIDE = "https://docs.getlate.dev/resources/media-guidelines/instagram"
_IG_REELS = "https://www.ayrshare.com/docs/media-guidelines/instagram"
_FB_PAGES = "https://www.ayrshare.com/docs/media-guidelines/facebook_pages"
_FB_PHOTOS = f"{_META}/graph-api/reference/page/photos/"
_OG_IMAGES = "https://socialmediastandards.org/image-sizes/content/"
_X_MEDIA = "https://docs.x.com/x-api/media/quickstart/media-upload-chunked"
_LI_GUIDE = "https://www.ayrshare.com/docs/media-guidelines/linkedin"
_TT_PHOTO = "https://developers.tiktok.com/doc/content-posting-api-reference-photo-post"
_YT_UPLOAD = "https://support.google.com/youtube/answer/71673"
_YT_THUMB = "https://simonwebdesign.com/custom-youtube-thumbnail"
_YT_SHORTS = "https://support.google.com/youtube/answer/15424877"
_THREADS = f"{_META}/threads/overview#media-specifications"
_BSKY = "https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/images.json"
_BSKY_VIDEO = "https://publish.obsidian.md/debbieohi/images-and-video"
_BSKY_EXT = "https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/external.json"
_MASTODON = "https://docs.joinmastodon.org/entities/Instance/#media_attachments"
_MATRIX = ("https://element-hq.github.io/synapse/latest/usage/configuration/"
           "config_documentation.html#max_upload_size")
_TELEGRAM = "https://core.telegram.org/bots/api#sendphoto"
_WHATSAPP = "https://docs.aws.amazon.com/social-messaging/latest/userguide/supported-media-types.html"
_GMAIL = "https://support.google.com/mail/answer/6584"
# The date NETWORKS.md's sources were read.
_CHECKED = "2026-11-25"
# Third-party guides read on this date (through the project's stored copies of public
# pages), and rows entered that day from what the cited page is known to say without
# re-reading it (no network here): those have basis "unverified" until someone checks.
_ENTERED = "2026-12-02"

_NINE_SIXTEEN = {"aspect_min": (9, 16), "aspect_max": (9, 16), "recommended": (1080, 1920)}

RULES: tuple[Rule, ...] = (
    # -- Instagram (Graph API content publishing): JPEG only for images -------------------
    Rule("instagram", "feed", _IG_MEDIA, _CHECKED, formats=("jpeg",), video=True,
         min_width=320, max_width=1440, aspect_min=(4, 5), aspect_max=(1.91, 1),
         recommended=(1080, 1350), max_bytes=8 * MB, max_video_bytes=300 * MB,
         transparency=False, max_images=10, min_video_seconds=3, max_video_seconds=15 * 60,
         note="Wider images are scaled to 1440 px; carousels up to 10 items; feed videos "
              "are published as reels."),
    Rule("instagram", "story", _IG_GUIDE, _ENTERED, basis="third-party", formats=("jpeg",),
         video=True, min_width=320, max_width=1920, max_bytes=8 * MB,
         max_video_bytes=100 * MB, transparency=False, max_images=1, min_video_seconds=3,
         max_video_seconds=60,
         note="The guide lists PNG too; the Graph API's image_url takes JPEG only (doc).",
         **_NINE_SIXTEEN),
    Rule("instagram", "reel", _IG_REELS, _ENTERED, basis="third-party", image=False,
         video=True, min_width=540, min_height=960, max_width=1920, aspect_min=(9, 16),
         aspect_max=(9, 16), recommended=(1080, 1920), max_video_bytes=300 * MB,
         max_images=1, min_video_seconds=3, max_video_seconds=15 * 60,
         note="MP4 or MOV, moov atom first, H.264 or HEVC, 23-60 fps."),
    # -- Facebook Pages --------------------------------------------------------------
    Rule("facebook", "feed", _FB_PAGES, _ENTERED, basis="third-party",
         formats=("jpeg", "png", "gif", "bmp", "tiff"), video=True,
         video_formats=("mp4", "mov"), max_width=2048, max_height=2048, max_bytes=10 * MB,
         max_video_bytes=2048 * MB, max_images=10, max_video_seconds=4 * 60 * 60,
         note="NETWORKS.md has about 4 MB (unverified); the guide says 10 MB."),
    Rule("facebook", "story", _FB_PHOTOS, _ENTERED, basis="unverified",
         formats=("jpeg", "png"), video=True, min_width=500, max_bytes=4 * MB,
         max_video_bytes=1024 * MB, max_images=1, min_video_seconds=3, max_video_seconds=60,
         **_NINE_SIXTEEN),
    Rule("facebook", "reel", _FB_PAGES, _ENTERED, basis="third-party", image=False,
         video=True, min_width=540, min_height=960, aspect_min=(9, 16), aspect_max=(9, 16),
         recommended=(1080, 1920), max_video_bytes=1024 * MB, max_images=1,
         min_video_seconds=3, max_video_seconds=90, note="24-60 fps."),
    Rule("facebook", "link", _OG_IMAGES, _ENTERED, basis="third-party",
         formats=("jpeg", "png", "gif", "webp"), min_width=200, min_height=200,
         aspect_min=(1.91, 1), aspect_max=(1.91, 1), recommended=(1200, 630),
         max_bytes=8 * MB, max_images=1,
         note="The og:image of the linked page; 600×315 is the small card."),
    # -- X -------------------------------------------------------------------------------
    Rule("x", "feed", _X_MEDIA, _CHECKED, basis="unverified",
         formats=("jpeg", "png", "webp", "gif"), video=True, max_width=8192,
         max_height=8192, recommended=(1600, 900), max_bytes=5 * MB,
         max_video_bytes=512 * MB, max_images=4, min_video_seconds=0.5,
         max_video_seconds=140, note="GIF up to 15 MB."),
    Rule("x", "link", _OG_IMAGES, _ENTERED, basis="third-party",
         formats=("jpeg", "png", "webp", "gif"), min_width=300, min_height=157,
         max_width=4096, max_height=4096, aspect_min=(2, 1), aspect_max=(2, 1),
         recommended=(1200, 600), max_bytes=5 * MB, max_images=1,
         note="summary_large_image card; only the first frame of a GIF shows."),
    # -- LinkedIn ---------------------------------------------------------------------------
    Rule("linkedin", "feed", _LI_GUIDE, _ENTERED, basis="third-party",
         formats=("jpeg", "png", "gif"), video=True, video_formats=("mp4",),
         max_pixels=36_152_319, aspect_min=(2, 3), aspect_max=(3, 1),
         recommended=(1200, 627), max_bytes=5 * MB, max_video_bytes=200 * MB,
         max_images=20, min_video_seconds=3, max_video_seconds=30 * 60,
         note="Fewer than 36,152,320 pixels; outside 2:3 to 3:1 LinkedIn crops the centre "
              "(HubSpot's guide); multi-image posts take 2 to 20."),
    Rule("linkedin", "link", _LI_GUIDE, _ENTERED, basis="third-party",
         formats=("jpeg", "png", "gif"), aspect_min=(1.91, 1), aspect_max=(1.91, 1),
         recommended=(1200, 627), max_pixels=36_152_319, max_bytes=5 * MB, max_images=1),
    # -- TikTok: photo posts refuse PNG ------------------------------------------------------
    Rule("tiktok", "feed", _TT_PHOTO, _CHECKED, formats=("jpeg", "webp"), video=True,
         video_formats=("mp4", "webm", "mov"), max_width=1080, max_height=1920,
         recommended=(1080, 1920), max_bytes=20 * MB, max_video_bytes=4096 * MB,
         transparency=False, max_images=35, min_video_seconds=3, max_video_seconds=10 * 60,
         note="Photos at most 1080p; PNG refused by the photo endpoint (aggregator)."),
    # -- YouTube -------------------------------------------------------------------------------
    Rule("youtube", "feed", _YT_UPLOAD, _ENTERED, basis="unverified", image=False,
         video=True, video_formats=("mp4", "mov", "webm"), aspect_min=(16, 9),
         aspect_max=(16, 9), recommended=(1920, 1080), max_images=1,
         max_video_seconds=12 * 60 * 60, note="Over 15 minutes needs a verified account."),
    Rule("youtube", "reel", _YT_SHORTS, _ENTERED, basis="unverified", image=False,
         video=True, video_formats=("mp4", "mov", "webm"), aspect_min=(9, 16),
         aspect_max=(1, 1), recommended=(1080, 1920), max_images=1, max_video_seconds=180,
         note="Shorts: square or vertical, up to 3 minutes."),
    Rule("youtube", "thumbnail", _YT_THUMB, _ENTERED, basis="third-party",
         formats=("jpeg", "png", "gif", "bmp"), min_width=640, aspect_min=(16, 9),
         aspect_max=(16, 9), recommended=(1280, 720), max_bytes=2 * MB, max_images=1,
         note="Quotes YouTube's help page on custom thumbnails."),
    # -- Threads ---------------------------------------------------------------------------
    Rule("threads", "feed", _THREADS, _CHECKED, basis="unverified",
         formats=("jpeg", "png"), video=True, min_width=320, max_width=1440,
         aspect_max=(10, 1), aspect_min=(1, 10), recommended=(1080, 1350), max_bytes=8 * MB,
         max_video_bytes=1024 * MB, max_images=20, max_video_seconds=5 * 60),
    # -- Open networks ---------------------------------------------------------------------
    Rule("bluesky", "feed", _BSKY, _CHECKED, formats=("jpeg", "png", "webp", "gif"),
         video=True, video_formats=("mp4", "mov", "webm"), max_width=2000, max_height=2000,
         max_bytes=1_000_000, max_video_bytes=100 * MB, max_images=4, min_video_seconds=1,
         max_video_seconds=180,
         note="The PDS does not enforce 1,000,000 bytes (verified); we do. 2000 px is "
              f"what the app sends (unverified). One video per post, 3 min, 100 MB "
              f"({_BSKY_VIDEO}, third-party, quoting Bluesky's announcements)."),
    Rule("bluesky", "link", _BSKY_EXT, _ENTERED, basis="unverified",
         formats=("jpeg", "png", "webp"), aspect_min=(1.91, 1), aspect_max=(1.91, 1),
         recommended=(1200, 628), max_bytes=1_000_000, max_images=1,
         note="The thumb of an external embed."),
    Rule("mastodon", "feed", _MASTODON, _CHECKED,
         formats=("jpeg", "png", "webp", "gif", "heic", "avif"), video=True,
         video_formats=("mp4", "mov", "webm"), max_pixels=33_177_600, max_bytes=16 * MB,
         max_video_bytes=99 * MB, max_images=4,
         note="Defaults of mastodon.social; an instance publishes its own in /api/v2/instance."),
    Rule("matrix", "feed", _MATRIX, _ENTERED, basis="unverified",
         formats=("jpeg", "png", "webp", "gif"), video=True,
         video_formats=("mp4", "mov", "webm"), max_bytes=50 * MB, max_video_bytes=50 * MB,
         note="Synapse's default max_upload_size; a homeserver may set another."),
    Rule("email", "feed", _GMAIL, _ENTERED, basis="unverified",
         formats=("jpeg", "png", "webp", "gif"), video=True,
         video_formats=("mp4", "mov", "webm"), max_bytes=25 * MB, max_video_bytes=25 * MB,
         note="Gmail's attachment limit; other providers differ."),
    Rule("telegram", "feed", _TELEGRAM, _CHECKED, formats=("jpeg", "png", "webp"), video=True,
         video_formats=("mp4",), max_side_sum=10_000, aspect_min=(1, 20), aspect_max=(20, 1),
         max_bytes=10 * MB, max_video_bytes=50 * MB, max_images=10),
    Rule("whatsapp", "feed", _WHATSAPP, _CHECKED, formats=("jpeg", "png"), video=True,
         video_formats=("mp4",), max_bytes=5 * MB, max_video_bytes=16 * MB, max_images=1,
         note="A media message."),
    # -- Breakwater's own channels: whatever the receiving side takes ----------------------
    Rule("demo", "feed", "breakwater/connectors/demo", _ENTERED, basis="ours",
         formats=("jpeg", "png", "webp", "gif"), video=True, max_bytes=20 * MB,
         max_images=4),
    Rule("api", "feed", "docs/api.md", _ENTERED, basis="ours",
         formats=("jpeg", "png", "webp", "gif"), video=True),
)

_BY_KEY: dict[tuple[str, str], Rule] = {(r.network, r.placement): r for r in RULES}


NETWORK_LABELS = {
    "instagram": "Instagram", "facebook": "Facebook", "x": "X", "linkedin": "LinkedIn",
    "tiktok": "TikTok", "youtube": "YouTube", "threads": "Threads", "bluesky": "Bluesky",
    "mastodon": "Mastodon", "matrix": "Matrix", "email": "Email", "telegram": "Telegram",
    "whatsapp": "WhatsApp", "demo": "Demo", "api": "API",
}


def label(network: str) -> str:
    return NETWORK_LABELS.get(network, network.capitalize())


def networks() -> list[str]:
    return sorted({r.network for r in RULES})


def placements(network: str) -> list[str]:
    return [r.placement for r in RULES if r.network == network]


def get_rule(network: str, placement: str) -> Rule:
    """The rule for a network and placement; :class:`UnknownRule` names the known ones."""
    rule = _BY_KEY.get((network, placement))
    if rule is not None:
        return rule
    if network not in networks():
        raise UnknownRule(
            _("Unknown network %(network)s; known networks: %(known)s.")
            % {"network": network, "known": ", ".join(networks())}
        )
    raise UnknownRule(
        _("%(network)s has no placement %(placement)s; its placements: %(known)s.")
        % {"network": network, "placement": placement, "known": ", ".join(placements(network))}
    )


def aspect_text(rule: Rule) -> str:
    def ratio(pair: tuple[float, float]) -> str:
        return f"{pair[0]:g}:{pair[1]:g}"

    if rule.aspect_min and rule.aspect_max:
        if rule.aspect_min == rule.aspect_max:
            return ratio(rule.aspect_min)
        return f"{ratio(rule.aspect_min)} to {ratio(rule.aspect_max)}"
    if rule.aspect_min:
        return f"≥ {ratio(rule.aspect_min)}"
    if rule.aspect_max:
        return f"≤ {ratio(rule.aspect_max)}"
    return ""


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n < MB else f"{n / MB:.1f} MB".replace(".0 MB", " MB")


def check(meta: MediaMeta, network: str, placement: str) -> CheckResult:
    """Every way ``meta`` breaks the network's rule for the placement, each with what to do."""
    rule = get_rule(network, placement)
    where = f"{label(network)} {placement}"
    problems: list[Problem] = []

    def add(code: str, message: str) -> None:
        problems.append(Problem(code, message))

    if meta.kind == "video":
        if not rule.video:
            add("kind", _("%(where)s takes no video; use an image.") % {"where": where})
            return CheckResult(False, rule, problems)
        if meta.format not in rule.video_formats:
            add("format", _("%(where)s does not take %(format)s video; it takes %(formats)s. "
                            "Convert the video before uploading.")
                % {"where": where, "format": meta.format.upper(),
                   "formats": ", ".join(f.upper() for f in rule.video_formats)})
        if meta.duration is not None:
            if rule.min_video_seconds is not None and meta.duration < rule.min_video_seconds:
                add("too_short", _("The video lasts %(seconds)s s; %(where)s needs at least "
                                   "%(min)s s.")
                    % {"seconds": f"{meta.duration:g}", "where": where,
                       "min": f"{rule.min_video_seconds:g}"})
            if rule.max_video_seconds is not None and meta.duration > rule.max_video_seconds:
                add("too_long", _("The video lasts %(seconds)s s; %(where)s takes at most "
                                  "%(max)s s. Trim it.")
                    % {"seconds": f"{meta.duration:.0f}", "where": where,
                       "max": f"{rule.max_video_seconds:g}"})
        if rule.max_video_bytes is not None and meta.bytes > rule.max_video_bytes:
            add("too_many_bytes", _("The video is %(size)s; %(where)s takes at most %(max)s. "
                                    "Compress it.")
                % {"size": _mb(meta.bytes), "where": where, "max": _mb(rule.max_video_bytes)})
    else:
        if not rule.image:
            add("kind", _("%(where)s takes only video; use a video.") % {"where": where})
            return CheckResult(False, rule, problems)
        if meta.format not in rule.formats:
            add("format", _("%(where)s does not take %(format)s; it takes %(formats)s. "
                            "Fix converts it.")
                % {"where": where, "format": meta.format.upper(),
                   "formats": ", ".join(f.upper() for f in rule.formats)})
        if meta.has_alpha and not rule.transparency:
            add("transparency", _("The image has transparent parts and %(where)s does not "
                                  "allow transparency. Fix flattens it on white.")
                % {"where": where})
        if rule.max_bytes is not None and meta.bytes > rule.max_bytes:
            add("too_many_bytes", _("The image is %(size)s; %(where)s takes at most %(max)s. "
                                    "Fix compresses it.")
                % {"size": _mb(meta.bytes), "where": where, "max": _mb(rule.max_bytes)})
        if meta.animated and meta.format == "gif" and "gif" not in rule.formats:
            add("animated", _("%(where)s shows only the first frame of an animated image.")
                % {"where": where})
    w, h = meta.width, meta.height
    if w and h:
        size = {"width": w, "height": h, "where": where}
        small_w = rule.min_width is not None and w < rule.min_width
        small_h = rule.min_height is not None and h < rule.min_height
        if small_w or small_h:
            add("too_small", _("It is %(width)s×%(height)s pixels; %(where)s needs at least "
                               "%(min_width)s px wide and %(min_height)s px high. Use a larger "
                               "original.")
                % {**size, "min_width": rule.min_width or 0, "min_height": rule.min_height or 0})
        big = (
            (rule.max_width is not None and w > rule.max_width)
            or (rule.max_height is not None and h > rule.max_height)
            or (rule.max_pixels is not None and w * h > rule.max_pixels)
            or (rule.max_side_sum is not None and w + h > rule.max_side_sum)
        )
        if big:
            add("too_large_pixels", _("It is %(width)s×%(height)s pixels, more than %(where)s "
                                      "takes. Fix scales it down.") % size)
        lo, hi = rule.aspect_range
        ratio = w / h
        if (lo is not None and ratio < lo * (1 - ASPECT_TOLERANCE)) or (
            hi is not None and ratio > hi * (1 + ASPECT_TOLERANCE)
        ):
            add("aspect_ratio", _("Its aspect ratio is %(ratio)s; %(where)s takes %(allowed)s. "
                                  "Fix crops it around the focal point.")
                % {"ratio": f"{ratio:.2f}:1", "where": where, "allowed": aspect_text(rule)})
    return CheckResult(not problems, rule, problems)


def check_post(metas: list[MediaMeta], network: str, placement: str) -> CheckResult:
    """A post's media together: each one's problems (prefixed "1: ", "2: " when there are
    several) and whether the network takes that many in one post."""
    rule = get_rule(network, placement)
    problems: list[Problem] = []
    if rule.max_images is not None and len(metas) > rule.max_images:
        problems.append(Problem("too_many_images", _(
            "%(where)s takes at most %(max)s images or videos in one post; this one has "
            "%(count)s. Remove some or split the post.")
            % {"where": f"{label(network)} {placement}", "max": rule.max_images,
               "count": len(metas)}))
    for n, meta in enumerate(metas, 1):
        for p in check(meta, network, placement).problems:
            text = f"{n}: {p.message}" if len(metas) > 1 else p.message
            problems.append(Problem(p.code, text))
    return CheckResult(not problems, rule, problems)


# -- the documented table ---------------------------------------------------------------------


def _cell(value: Any) -> str:
    return "" if value in (None, "", ()) else str(value)


def rules_markdown() -> str:
    """The rule table of ``docs/media-rules.md`` (between its generated-table markers)."""
    head = ("| network | placement | images | video | pixels | aspect | recommended | max bytes "
            "| transparency | per post | video length | basis | source (read) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in RULES:
        pixels = []
        if r.min_width or r.min_height:
            pixels.append(f"min {r.min_width or '–'}×{r.min_height or '–'}")
        if r.max_width or r.max_height:
            pixels.append(f"max {r.max_width or '–'}×{r.max_height or '–'}")
        if r.max_pixels:
            pixels.append(f"≤ {r.max_pixels:,} px")
        if r.max_side_sum:
            pixels.append(f"w+h ≤ {r.max_side_sum:,}")
        sizes = []
        if r.image and r.max_bytes:
            sizes.append(_mb(r.max_bytes))
        if r.video and r.max_video_bytes:
            sizes.append(f"video {_mb(r.max_video_bytes)}")
        length = ""
        if r.video and (r.min_video_seconds or r.max_video_seconds):
            length = f"{r.min_video_seconds or 0:g}–{r.max_video_seconds or 0:g} s"
        cells = [
            r.network, r.placement,
            ", ".join(r.formats) if r.image else "no",
            ", ".join(r.video_formats) if r.video else "no",
            "; ".join(pixels), aspect_text(r),
            f"{r.recommended[0]}×{r.recommended[1]}" if r.recommended else "",
            ", ".join(sizes), ("yes" if r.transparency else "no") if r.image else "",
            _cell(r.max_images), length,
            r.basis, f"{r.source} ({r.checked})" + (f". {r.note}" if r.note else ""),
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


DOC_START = "<!-- rules table: generated by `python -m breakwater.media.rules`; do not edit -->"
DOC_END = "<!-- end of rules table -->"


def update_doc(text: str) -> str:
    """``text`` (docs/media-rules.md) with the table between the markers regenerated."""
    head, _sep, rest = text.partition(DOC_START)
    _old, _sep2, tail = rest.partition(DOC_END)
    return f"{head}{DOC_START}\n{rules_markdown()}{DOC_END}{tail}"


if __name__ == "__main__":  # pragma: no cover (a maintainer's tool)
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "media-rules.md"
    doc.write_text(update_doc(doc.read_text()))
    print(f"wrote {doc}")
