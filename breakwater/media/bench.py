"""How long the media library's work takes, beside the least Pillow can do for the same
result: ``python -m breakwater.media.bench [--runs N]`` (pure: no database, no files).

* ``inspect``: what an upload costs before it is stored (header only);
* ``check``: one rule over the metadata, and every rule (the media page);
* ``fix``: a 4000×3000 JPEG for an Instagram story (crop around the focal point, resize to
  1080×1920, metadata stripped), beside a baseline of plain Pillow decode + crop + Lanczos
  resize + JPEG save at the same quality; and a transparent 2000×2000 PNG for TikTok
  (flattened and converted), and a noisy PNG squeezed under Bluesky's 1,000,000 bytes.

Times are CPU milliseconds of this process (one core), the median of the runs.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
from collections.abc import Callable

from PIL import Image, ImageDraw


def _ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def _photo() -> bytes:
    img = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    ImageDraw.Draw(img).ellipse((2960, 1460, 3040, 1540), fill=(255, 0, 0))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (60.0, 10.0, 0.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def _png(noise: bool) -> bytes:
    if noise:
        img = Image.effect_noise((2000, 2000), 120).convert("RGB")
    else:
        img = Image.new("RGBA", (2000, 2000), (0, 0, 0, 0))
        ImageDraw.Draw(img).rectangle((500, 500, 1500, 1500), fill=(90, 50, 30, 255))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _baseline(data: bytes) -> bytes:
    img = Image.open(io.BytesIO(data))
    img.load()
    w, h = img.size
    cw = round(h * 1080 / 1920)
    left = min(max(round(0.75 * w - cw / 2), 0), w - cw)
    img = img.crop((left, 0, left + cw, h)).resize((1080, 1920), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def run(runs: int) -> dict[str, float]:
    from breakwater.media import images, rules

    photo, alpha, noisy = _photo(), _png(False), _png(True)
    meta = images.inspect(photo).meta
    story = rules.get_rule("instagram", "story")
    figures = {
        "inspect_jpeg_12mp_ms": _ms(lambda: images.inspect(photo), runs),
        "check_one_rule_ms": _ms(lambda: rules.check(meta, "instagram", "story"), runs),
        "check_every_rule_ms": _ms(
            lambda: [rules.check(meta, r.network, r.placement) for r in rules.RULES], runs),
        "fix_story_ms": _ms(lambda: images.fix(photo, story, (0.75, 0.5)), runs),
        "baseline_story_ms": _ms(lambda: _baseline(photo), runs),
        "fix_png_for_tiktok_ms": _ms(
            lambda: images.fix(alpha, rules.get_rule("tiktok", "feed")), runs),
        "fix_noise_for_bluesky_ms": _ms(
            lambda: images.fix(noisy, rules.get_rule("bluesky", "feed")), max(1, runs // 2)),
    }
    figures["ratio_fix_to_baseline"] = figures["fix_story_ms"] / figures["baseline_story_ms"]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m breakwater.media.bench")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    figures = run(max(1, args.runs))
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value:10.2f}")
    print(json.dumps({"bench": "media", "runs": args.runs, **figures}))
    return 0


if __name__ == "__main__":  # pragma: no cover
    import django

    django.setup()
    raise SystemExit(main())
