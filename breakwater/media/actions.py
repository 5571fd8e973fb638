"""Every change of the media library: uploads, alt text and focal point, and fixed copies.

Originals are never modified: :func:`do_fix_media` writes a new asset that points back to
the original. Uploading and fixing need the agent role; viewers may only look.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from breakwater.core import events
from breakwater.core.actions import audit, check_role, in_workspace
from breakwater.core.errors import ActionError, Invalid
from breakwater.core.models import Membership, Role
from breakwater.media import images, rules
from breakwater.media.models import MediaAsset, MediaKind, media_storage

MAX_ALT = 2000
MAX_NAME = 255


class TooLarge(ActionError):
    status = 413
    code = "too_large"


class Unsupported(ActionError):
    status = 415
    code = "unsupported_media_type"


def max_upload_bytes() -> int:
    return int(getattr(settings, "BREAKWATER_MEDIA_MAX_UPLOAD_BYTES", 200 * 1024 * 1024))


def access_media(member: Membership, media_id: int) -> MediaAsset:
    return in_workspace(member, MediaAsset, media_id, "media", hint="see GET /api/v1/media")


def rule_for(network: str, placement: str) -> rules.Rule:
    """The rule, or ``Invalid`` naming the known networks or placements."""
    try:
        return rules.get_rule(network, placement)
    except rules.UnknownRule as exc:
        known = {n: rules.placements(n) for n in rules.networks()}
        raise Invalid(str(exc), {"known": known}) from exc


def _focal(focal: tuple[float, float] | list[float] | None) -> tuple[float, float] | None:
    if focal is None:
        return None
    if len(focal) != 2 or not all(0 <= float(v) <= 1 for v in focal):
        raise Invalid(_("The focal point must be [x, y] with both between 0 and 1 (fractions "
                        "of the width and height)."))
    return float(focal[0]), float(focal[1])


def _store(member: Membership, found: images.Inspected, data: bytes, **fields: object
           ) -> MediaAsset:
    meta = found.meta
    asset = MediaAsset(
        workspace_id=member.workspace_id,
        kind=MediaKind.VIDEO if meta.kind == "video" else MediaKind.IMAGE,
        format=meta.format, content_type=found.content_type, width=meta.width,
        height=meta.height, bytes=meta.bytes, has_alpha=meta.has_alpha,
        animated=meta.animated, had_gps=found.had_gps, sha256=found.sha256,
        duration=meta.duration, codec=found.codec, created_by_id=member.user_id, **fields,
    )
    # Content-addressed: the same bytes in a workspace share one file.
    name = asset.file.field.generate_filename(asset, f"upload.{found.extension}")
    storage = media_storage()
    if not storage.exists(name):
        name = storage.save(name, ContentFile(data))
    asset.file.name = name
    with transaction.atomic():
        asset.save()
        audit(member, member.workspace_id, "media.created", asset, format=meta.format,
              bytes=meta.bytes, fixed_for=asset.fixed_for)
        events.publish(member.workspace_id, "media.created", media=asset.pk)
    return asset


def do_upload_media(member: Membership, data: bytes, name: str = "", alt: str = "",
                    focal: tuple[float, float] | list[float] | None = None) -> MediaAsset:
    check_role(member, Role.AGENT)
    limit = max_upload_bytes()
    if len(data) > limit:
        raise TooLarge(
            _("The file is %(size)s bytes; uploads may be at most %(limit)s bytes "
              "(BREAKWATER_MEDIA_MAX_UPLOAD_BYTES).")
            % {"size": f"{len(data):,}", "limit": f"{limit:,}"}
        )
    if not data:
        raise Invalid(_("The file is empty; send it as the multipart field “file”."))
    if len(alt) > MAX_ALT:
        raise Invalid(_("Alt text may be at most %(n)s characters.") % {"n": MAX_ALT})
    point = _focal(focal)
    try:
        found = images.inspect(data)
    except images.NotMedia as exc:
        raise Unsupported(str(exc)) from exc
    return _store(
        member, found, data, name=(name or "")[:MAX_NAME], alt=alt.strip(),
        focal_x=point[0] if point else None, focal_y=point[1] if point else None,
    )


def do_update_media(member: Membership, media_id: int, *, alt: str | None = None,
                    focal: tuple[float, float] | list[float] | None = None) -> MediaAsset:
    """Alt text and focal point are descriptions, not pixels: they may change on any asset."""
    check_role(member, Role.AGENT)
    point = _focal(focal)
    if alt is not None and len(alt) > MAX_ALT:
        raise Invalid(_("Alt text may be at most %(n)s characters.") % {"n": MAX_ALT})
    with transaction.atomic():
        asset = in_workspace(member, MediaAsset, media_id, "media", lock=True)
        changed = []
        if alt is not None:
            asset.alt = alt.strip()
            changed.append("alt")
        if point is not None:
            asset.focal_x, asset.focal_y = point
            changed += ["focal_x", "focal_y"]
        if changed:
            asset.save(update_fields=changed)
            audit(member, member.workspace_id, "media.updated", asset, fields=changed)
            events.publish(member.workspace_id, "media.updated", media=asset.pk)
    return asset


def do_fix_media(member: Membership, media_id: int, network: str, placement: str,
                 focal: tuple[float, float] | list[float] | None = None) -> MediaAsset:
    """A new asset made from ``media_id``'s original that meets the network's rule.

    Fixing a copy starts again from its original, so quality is lost only once; the focal
    point (fractions 0..1) is then a point of the original. Without one, the original's
    stored focal point is used, else the centre. The copy stores where the point landed.
    """
    check_role(member, Role.AGENT)
    rule = rule_for(network, placement)
    asset = access_media(member, media_id)
    source = asset.original or asset
    point = _focal(focal)
    if point is None:
        point = (source.focal_x, source.focal_y) if source.focal_x is not None else (0.5, 0.5)
    with source.file.open("rb") as fh:
        data = fh.read()
    try:
        fixed = images.fix(data, rule, point)
    except images.NotMedia as exc:
        raise Invalid(str(exc)) from exc
    found = images.Inspected(fixed.meta, fixed.content_type, fixed.extension,
                             hashlib.sha256(fixed.data).hexdigest())
    return _store(
        member, found, fixed.data, original=source, fixed_for=rule.key,
        name=source.name, alt=asset.alt or source.alt, focal_x=fixed.focal[0],
        focal_y=fixed.focal[1],
    )
