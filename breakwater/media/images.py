"""Reading and fixing images with Pillow; pure (no models, no files: bytes in, bytes out).

:func:`inspect` says what a file is (format, pixel size as shown, i.e. after EXIF
orientation, transparency, whether it carries GPS location). :func:`fix` makes a copy that
meets a :class:`~breakwater.media.rules.Rule`: EXIF orientation applied first, cropped to
the nearest allowed aspect ratio around the focal point, resized to the rule's recommended
size (or into its limits), converted where the network refuses the format or transparency,
stripped of EXIF/GPS and other metadata, and compressed in quality steps to fit max bytes.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from breakwater.media import video
from breakwater.media.rules import ASPECT_TOLERANCE, MediaMeta, Rule


# Pillow's format name -> ours, and ours -> (Pillow save format, content type, extension).
_FORMATS = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif",
            "AVIF": "avif", "TIFF": "tiff", "BMP": "bmp"}
_SAVE = {
    "jpeg": ("JPEG", "image/jpeg", "jpg"),
    "png": ("PNG", "image/png", "png"),
    "webp": ("WEBP", "image/webp", "webp"),
    "gif": ("GIF", "image/gif", "gif"),
    "avif": ("AVIF", "image/avif", "avif"),
}
CONTENT_TYPES = {
    **{k: v[1] for k, v in _SAVE.items()},
    "tiff": "image/tiff", "bmp": "image/bmp", "heic": "image/heic",
    **video.CONTENT_TYPES,
}
EXTENSIONS = {**{k: v[2] for k, v in _SAVE.items()}, "tiff": "tif", "bmp": "bmp",
              "heic": "heic", **{k: k for k in video.CONTENT_TYPES}}
QUALITY_STEPS = (90, 85, 80, 72, 65, 58, 50, 42)
GPS_IFD = 0x8825


class NotMedia(ValueError):
    """The bytes are no image or video we can read; the message says what to do."""


@dataclass(frozen=True)
class Inspected:
    meta: MediaMeta
    content_type: str
    extension: str
    sha256: str
    had_gps: bool = False
    codec: str = ""


@dataclass(frozen=True)
class Fixed:
    data: bytes
    meta: MediaMeta
    content_type: str
    extension: str
    # What was done, in order: orient, crop, resize, upscale, first_frame, flatten,
    # convert, compress, strip_metadata.
    steps: list[str] = field(default_factory=list)
    # Where the focal point landed in the copy (fractions of its width and height).
    focal: tuple[float, float] = (0.5, 0.5)


def _real_alpha(img: Image.Image) -> bool:
    """Whether any pixel is see-through (an RGBA PNG that is fully opaque has none)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        alpha = img.convert("RGBA").getchannel("A")
        return alpha.getextrema()[0] < 255
    return "transparency" in img.info and img.mode in ("RGB", "L")


def _had_gps(img: Image.Image) -> bool:
    try:
        return bool(img.getexif().get_ifd(GPS_IFD))
    except Exception:  # noqa: BLE001 (a broken EXIF block carries no readable location)
        return False


def inspect(data: bytes) -> Inspected:
    """What ``data`` is; :class:`NotMedia` when it is neither a readable image nor a video."""
    sha = hashlib.sha256(data).hexdigest()
    found = video.inspect(data)
    if found is not None:
        if found.format == "heic":
            meta = MediaMeta(format="heic", bytes=len(data), width=found.width,
                             height=found.height, kind="image")
            return Inspected(meta, CONTENT_TYPES["heic"], "heic", sha)
        meta = MediaMeta(format=found.format, bytes=len(data), width=found.width,
                         height=found.height, kind="video", duration=found.duration)
        return Inspected(meta, CONTENT_TYPES[found.format], EXTENSIONS[found.format], sha,
                         codec=found.codec)
    try:
        # Pillow refuses more than 2 x MAX_IMAGE_PIXELS (about 179 MP) as a decompression bomb.
        # The header is enough for size and format; pixels are decoded only to look for
        # transparency (modes with alpha) or by a fix.
        img = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise NotMedia(_(
            "This is not an image or video Breakwater can read: upload JPEG, PNG, WebP, GIF, "
            "AVIF or HEIC images, or MP4, MOV or WebM videos."
        )) from exc
    except Image.DecompressionBombError as exc:
        raise NotMedia(_("The image has too many pixels; scale it down first.")) from exc
    fmt = _FORMATS.get(img.format or "")
    if fmt is None:
        raise NotMedia(_("%(format)s images are not supported; upload JPEG, PNG, WebP or GIF.")
                       % {"format": img.format})
    width, height = img.size
    if img.getexif().get(0x0112) in (5, 6, 7, 8):  # rotated a quarter turn
        width, height = height, width
    meta = MediaMeta(
        format=fmt, bytes=len(data), width=width, height=height, has_alpha=_real_alpha(img),
        kind="image", animated=bool(getattr(img, "is_animated", False)),
    )
    return Inspected(meta, CONTENT_TYPES[fmt], EXTENSIONS[fmt], sha, had_gps=_had_gps(img))


def focal_box(size: tuple[int, int], crop: tuple[int, int],
              focal: tuple[float, float]) -> tuple[int, int, int, int]:
    """The ``crop``-sized window in ``size`` centred on the focal point (fractions 0..1) as
    far as the edges allow: the point stays inside, as central as it can be."""
    (w, h), (cw, ch) = size, crop
    fx, fy = (min(max(v, 0.0), 1.0) for v in focal)
    left = min(max(round(fx * w - cw / 2), 0), w - cw)
    top = min(max(round(fy * h - ch / 2), 0), h - ch)
    return left, top, left + cw, top + ch


def _target_aspect(rule: Rule, ratio: float) -> float | None:
    """The nearest allowed width/height ratio, or None when ``ratio`` is allowed."""
    lo, hi = rule.aspect_range
    if rule.recommended and lo is not None and lo == hi:
        exact = rule.recommended[0] / rule.recommended[1]
        return None if abs(ratio - exact) / exact < 0.001 else exact
    if lo is not None and ratio < lo * (1 - ASPECT_TOLERANCE):
        return lo
    if hi is not None and ratio > hi * (1 + ASPECT_TOLERANCE):
        return hi
    return None


def _resize_scale(rule: Rule, w: int, h: int) -> float:
    """How much to scale ``w``×``h`` to meet the rule: below 1 shrinks, above 1 enlarges."""
    if rule.recommended:
        rw, rh = rule.recommended
        if abs(w / h - rw / rh) / (rw / rh) < 0.01 and (w > rw or h > rh):
            return rw / w
    scale = 1.0
    if rule.max_width and w > rule.max_width:
        scale = min(scale, rule.max_width / w)
    if rule.max_height and h > rule.max_height:
        scale = min(scale, rule.max_height / h)
    if rule.max_pixels and w * h > rule.max_pixels:
        scale = min(scale, math.sqrt(rule.max_pixels / (w * h)))
    if rule.max_side_sum and w + h > rule.max_side_sum:
        scale = min(scale, rule.max_side_sum / (w + h))
    if scale < 1:
        return scale
    grow = max((rule.min_width or 0) / w, (rule.min_height or 0) / h, 1.0)
    return grow


def _encode(img: Image.Image, fmt: str, quality: int) -> bytes:
    save_as = _SAVE[fmt][0]
    out = io.BytesIO()
    icc = img.info.get("icc_profile")
    kwargs: dict[str, object] = {"icc_profile": icc} if icc else {}
    if fmt == "jpeg":
        kwargs.update(quality=quality, optimize=True, progressive=True)
    elif fmt in ("webp", "avif"):
        kwargs.update(quality=quality)
    # PNG keeps zlib's default level: optimize=True costs seconds on a large photo for a few
    # per cent.
    # No exif= and no pnginfo: EXIF (GPS included), XMP and text chunks stay behind.
    img.save(out, save_as, **kwargs)
    return out.getvalue()


def fix(data: bytes, rule: Rule, focal: tuple[float, float] = (0.5, 0.5)) -> Fixed:
    """A copy of the image ``data`` that meets ``rule``; :class:`NotMedia` if it cannot be."""
    found = inspect(data)
    if found.meta.kind != "image":
        raise NotMedia(_("Only images can be fixed here; trim and convert videos before "
                         "uploading."))
    if found.meta.format == "heic":
        raise NotMedia(_("HEIC images cannot be decoded here; export the photo as JPEG first."))
    if not rule.image:
        raise NotMedia(_("%(where)s takes only video; use a video.")
                       % {"where": f"{rule.network_label} {rule.placement}"})
    try:
        return _fix(data, rule, focal, found.meta.format)
    except (OSError, SyntaxError, ValueError) as exc:  # damaged past its header
        raise NotMedia(_("The image is damaged and cannot be read; upload it again.")) from exc


def _fix(data: bytes, rule: Rule, focal: tuple[float, float], source_format: str) -> Fixed:
    img = Image.open(io.BytesIO(data))
    steps: list[str] = []
    if getattr(img, "is_animated", False):
        img.seek(0)
        steps.append("first_frame")
    icc = img.info.get("icc_profile")
    if img.getexif().get(0x0112, 1) != 1:
        steps.append("orient")
        img = ImageOps.exif_transpose(img)
    alpha = _real_alpha(img)
    mode = "RGBA" if alpha else "RGB"
    img = img if img.mode == mode else img.convert(mode)
    # Only the colour profile travels: EXIF, XMP (which can hold GPS too), comments and text
    # chunks stay behind, whatever the encoder would pick up from ``info``.
    img.info = {"icc_profile": icc} if icc else {}

    w, h = img.size
    fx, fy = (min(max(v, 0.0), 1.0) for v in focal)
    landed = (fx, fy)
    target = _target_aspect(rule, w / h)
    if target is not None:
        crop = (round(h * target), h) if target < w / h else (w, round(w / target))
        box = focal_box((w, h), crop, (fx, fy))
        img = img.crop(box)
        landed = ((fx * w - box[0]) / crop[0], (fy * h - box[1]) / crop[1])
        steps.append("crop")

    scale = _resize_scale(rule, *img.size)
    if scale != 1:
        w, h = img.size
        if rule.recommended and abs(scale - rule.recommended[0] / w) < 1e-9:
            new = rule.recommended
        else:
            new = (max(1, round(w * scale)), max(1, round(h * scale)))
        # reducing_gap: a box pre-shrink, then Lanczos; about 3x faster when shrinking a lot.
        img = img.resize(new, Image.Resampling.LANCZOS, reducing_gap=3.0)
        steps.append("resize" if scale < 1 else "upscale")

    fmt = source_format if source_format in _SAVE else "jpeg"
    if fmt not in rule.formats:
        fmt = "jpeg" if "jpeg" in rule.formats else next(f for f in rule.formats if f in _SAVE)
    if alpha and (not rule.transparency or fmt == "jpeg"):
        flat = Image.new("RGB", img.size, (255, 255, 255))
        flat.paste(img, mask=img.getchannel("A"))
        if icc:
            flat.info["icc_profile"] = icc
        img, alpha = flat, False
        steps.append("flatten")
        if "jpeg" in rule.formats and fmt != "jpeg" and not rule.transparency:
            fmt = "jpeg"
    if fmt != source_format:
        steps.append("convert")

    out = _encode(img, fmt, QUALITY_STEPS[0])
    if rule.max_bytes and len(out) > rule.max_bytes:
        if fmt in ("png", "gif") and not alpha and "jpeg" in rule.formats:
            fmt = "jpeg"
            steps.append("convert")
        for quality in QUALITY_STEPS:
            out = _encode(img, fmt, quality)
            if len(out) <= rule.max_bytes:
                break
            if quality <= 72 and len(out) > 2 * rule.max_bytes:
                break  # quality alone will not get there: shrink instead
        while len(out) > rule.max_bytes and min(img.size) > 64:
            # Bytes follow pixels roughly: aim a little under the limit, never above 0.85.
            scale = min(0.85, math.sqrt(rule.max_bytes / len(out)) * 0.95)
            img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                             Image.Resampling.LANCZOS)
            out = _encode(img, fmt, QUALITY_STEPS[-2])
            if "resize" not in steps:
                steps.append("resize")
        steps.append("compress")
    steps.append("strip_metadata")
    meta = MediaMeta(format=fmt, bytes=len(out), width=img.width, height=img.height,
                     has_alpha=alpha, kind="image")
    landed = (round(min(max(landed[0], 0.0), 1.0), 4), round(min(max(landed[1], 0.0), 1.0), 4))
    return Fixed(out, meta, _SAVE[fmt][1], _SAVE[fmt][2], steps, landed)


def thumbnail(data: bytes, max_side: int = 480) -> bytes:
    """A small WebP of the image for the library page (orientation applied, no metadata)."""
    img = Image.open(io.BytesIO(data))
    img = ImageOps.exif_transpose(img)
    img = img.convert("RGBA" if _real_alpha(img) else "RGB")
    img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, "WEBP", quality=80)
    return out.getvalue()
