"""Reads of the media library, always within the member's workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from breakwater.core.models import Membership
from breakwater.media import rules
from breakwater.media.actions import access_media, rule_for
from breakwater.media.models import MediaAsset

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def media_list(member: Membership, *, originals: bool = False, original: int | None = None,
               limit: int = DEFAULT_LIMIT, before: int | None = None) -> QuerySet[MediaAsset]:
    """Newest first; ``originals`` leaves out fixed copies, ``original`` lists one's copies."""
    qs = MediaAsset.objects.filter(workspace_id=member.workspace_id)
    if originals:
        qs = qs.filter(original__isnull=True)
    if original is not None:
        qs = qs.filter(original_id=original)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return qs.order_by("-pk")[: max(1, min(limit, MAX_LIMIT))]


def media_asset(member: Membership, media_id: int) -> MediaAsset:
    return access_media(member, media_id)


def meta_of(asset: MediaAsset) -> rules.MediaMeta:
    return rules.MediaMeta(
        format=asset.format, bytes=asset.bytes, width=asset.width, height=asset.height,
        has_alpha=asset.has_alpha, kind=asset.kind, duration=asset.duration,
        animated=asset.animated,
    )


def check_media(member: Membership, media_id: int, network: str, placement: str
                ) -> rules.CheckResult:
    asset = access_media(member, media_id)
    rule_for(network, placement)  # a clear 422 for an unknown network or placement
    return rules.check(meta_of(asset), network, placement)


def check_all(asset: MediaAsset) -> list[rules.CheckResult]:
    """The asset against every rule that takes its kind (the media page's table)."""
    meta = meta_of(asset)
    return [
        rules.check(meta, r.network, r.placement) for r in rules.RULES
        if (r.video if asset.kind == "video" else r.image)
    ]


def check_post_media(member: Membership, media_ids: list[int], network: str, placement: str
                     ) -> rules.CheckResult:
    """A post variant's media (ids in the member's workspace) against one rule, in order."""
    rule_for(network, placement)
    assets = [access_media(member, pk) for pk in media_ids]
    return rules.check_post([meta_of(a) for a in assets], network, placement)


THUMB_SIDE = 480


def thumbnail(asset: MediaAsset) -> bytes | None:
    """The asset's thumbnail (WebP), made once and kept beside the files; None for what
    cannot be shown (video, HEIC)."""
    if asset.kind != "image" or asset.format == "heic":
        return None
    from django.core.files.base import ContentFile

    from breakwater.media import images
    from breakwater.media.models import media_storage

    storage = media_storage()
    name = f"{asset.workspace_id}/thumbs/{asset.sha256}-{THUMB_SIDE}.webp"
    if storage.exists(name):
        with storage.open(name, "rb") as fh:
            return fh.read()
    with asset.file.open("rb") as fh:
        data = images.thumbnail(fh.read(), THUMB_SIDE)
    storage.save(name, ContentFile(data))
    return data
