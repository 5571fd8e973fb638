"""The demo workspace's media library: three generated pictures of Aalto Kahvi (no files
shipped), chosen to show the checks: a wide photo with GPS location that no story takes as
is, a transparent logo that Instagram refuses, and a portrait that fits an Instagram feed."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from breakwater.core.models import Membership
from breakwater.media import actions
from breakwater.media.models import MediaAsset

ROAST = (92, 56, 33)
CREAM = (238, 224, 200)


def _backdrop(size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]
              ) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _cup(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(250, 250, 250))  # saucer
    draw.ellipse((cx - r * 0.62, cy - r * 0.62, cx + r * 0.62, cy + r * 0.62), fill=ROAST)
    draw.ellipse((cx - r * 0.3, cy - r * 0.2, cx + r * 0.15, cy + r * 0.25), fill=CREAM)


def _jpeg(img: Image.Image, gps: bool = False) -> bytes:
    exif = Image.Exif()
    if gps:  # Helsinki, where the roastery would be
        exif[0x8825] = {1: "N", 2: (60.0, 10.0, 12.0), 3: "E", 4: (24.0, 56.0, 30.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88, exif=exif)
    return out.getvalue()


def pictures() -> list[tuple[str, bytes, str, tuple[float, float] | None]]:
    wide = _backdrop((3000, 2000), (201, 170, 130), (120, 84, 56))
    _cup(ImageDraw.Draw(wide), 2200, 1100, 420)
    logo = Image.new("RGBA", (800, 800), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.ellipse((80, 80, 720, 720), fill=ROAST + (255,))
    draw.ellipse((250, 250, 550, 550), fill=CREAM + (255,))
    logo_png = io.BytesIO()
    logo.save(logo_png, "PNG")
    portrait = _backdrop((1080, 1350), (236, 228, 214), (180, 150, 118))
    _cup(ImageDraw.Draw(portrait), 540, 700, 300)
    return [
        ("paahtimo.jpg", _jpeg(wide, gps=True),
         "Kahvikuppi paahtimon puupöydällä, taustalla säkkejä", (2200 / 3000, 1100 / 2000)),
        ("logo.png", logo_png.getvalue(), "Aalto Kahvin logo: ruskea ympyrä", None),
        ("cappuccino.jpg", _jpeg(portrait), "Cappuccino ylhäältä kuvattuna", None),
    ]


def seed(member: Membership) -> None:
    if MediaAsset.objects.filter(workspace_id=member.workspace_id).exists():
        return
    for name, data, alt, focal in pictures():
        actions.do_upload_media(member, data, name, alt, focal)
