"""The pure parts: rules.check and images.fix on generated images."""

import io
from unittest import TestCase

from PIL import Image

from breakwater.media import images, rules, video
from breakwater.media.tests.images import heic, jpeg, mp4, png_with_alpha, webm


def red(pixel) -> bool:
    r, g, b = pixel[:3]
    return r > 200 and g < 60 and b < 60


class EnglishTestCase(TestCase):
    """Messages are asserted in English, whatever another test left active."""

    def setUp(self) -> None:
        from django.utils import translation

        override = translation.override("en")
        override.__enter__()
        self.addCleanup(override.__exit__, None, None, None)


class RulesTestCase(EnglishTestCase):
    def test_it_flags_a_landscape_photo_for_an_instagram_story(self) -> None:
        meta = rules.MediaMeta(format="jpeg", bytes=2_000_000, width=4000, height=3000)
        result = rules.check(meta, "instagram", "story")
        self.assertFalse(result.ok)
        self.assertIn("aspect_ratio", result.codes)
        self.assertEqual(result.rule.recommended, (1080, 1920))
        self.assertTrue(all(p.message for p in result.problems))

    def test_it_passes_what_the_rule_recommends(self) -> None:
        for rule in rules.RULES:
            if rule.recommended and rule.image:
                w, h = rule.recommended
                meta = rules.MediaMeta(format=rule.formats[0], bytes=1000, width=w, height=h)
                result = rules.check(meta, rule.network, rule.placement)
                self.assertTrue(result.ok, (rule.key, result.codes))

    def test_it_refuses_transparency_and_formats_a_network_refuses(self) -> None:
        meta = rules.MediaMeta(format="png", bytes=1000, width=1080, height=1350, has_alpha=True)
        self.assertEqual(rules.check(meta, "instagram", "feed").codes, ["format", "transparency"])
        self.assertTrue(rules.check(meta, "mastodon", "feed").ok)

    def test_it_checks_bytes_sizes_and_video_length(self) -> None:
        big = rules.MediaMeta(format="jpeg", bytes=1_200_000, width=1000, height=1000)
        self.assertEqual(rules.check(big, "bluesky", "feed").codes, ["too_many_bytes"])
        small = rules.MediaMeta(format="jpeg", bytes=1000, width=100, height=125)
        self.assertIn("too_small", rules.check(small, "instagram", "feed").codes)
        clip = rules.MediaMeta(format="mp4", bytes=1000, width=1080, height=1920, kind="video",
                               duration=75)
        self.assertEqual(rules.check(clip, "instagram", "story").codes, ["too_long"])
        self.assertEqual(rules.check(clip, "youtube", "reel").codes, [])
        self.assertEqual(rules.check(big, "instagram", "reel").codes, ["kind"])

    def test_it_checks_how_many_a_post_may_carry(self) -> None:
        ok = rules.MediaMeta(format="jpeg", bytes=1000, width=1000, height=1000)
        wide = rules.MediaMeta(format="jpeg", bytes=1000, width=1200, height=400)
        result = rules.check_post([ok] * 5, "bluesky", "feed")
        self.assertEqual(result.codes, ["too_many_images"])
        result = rules.check_post([ok, wide], "instagram", "feed")
        self.assertEqual(result.codes, ["aspect_ratio"])
        self.assertTrue(result.problems[0].message.startswith("2: "))
        self.assertTrue(rules.check_post([ok], "x", "feed").ok)

    def test_it_names_the_known_networks_and_placements(self) -> None:
        with self.assertRaisesRegex(rules.UnknownRule, "known networks: .*instagram"):
            rules.get_rule("myspace", "feed")
        with self.assertRaisesRegex(rules.UnknownRule, "feed, story, reel"):
            rules.get_rule("instagram", "link")

    def test_every_rule_has_a_source_and_a_date(self) -> None:
        codes = set(rules.CODES)
        self.assertEqual(len(codes), len(rules.CODES))
        for rule in rules.RULES:
            self.assertTrue(rule.source and rule.checked, rule.key)
            self.assertRegex(rule.checked, r"^\d{4}-\d\d-\d\d$")
            self.assertIn(rule.basis, {"doc", "third-party", "unverified", "ours"})
        for network in ("instagram", "facebook", "x", "linkedin", "bluesky", "mastodon"):
            self.assertIn("feed", rules.placements(network))
        for network in ("instagram", "facebook"):
            self.assertIn("story", rules.placements(network))
            self.assertIn("reel", rules.placements(network))
        for network in ("facebook", "x", "linkedin", "bluesky"):
            self.assertIn("link", rules.placements(network))


class FixTestCase(EnglishTestCase):
    def test_it_crops_a_story_around_the_focal_point(self) -> None:
        # The dot sits three quarters across: the 9:16 window centres on it.
        data = jpeg((4000, 3000), dot=(3000, 1500))
        fixed = images.fix(data, rules.get_rule("instagram", "story"), (0.75, 0.5))
        out = Image.open(io.BytesIO(fixed.data))
        self.assertEqual(out.size, (1080, 1920))
        self.assertEqual(out.format, "JPEG")
        self.assertTrue(red(out.getpixel((540, 960))), out.getpixel((540, 960)))
        self.assertFalse(red(out.getpixel((540, 900))))  # the dot is small: ~26 px at this scale
        self.assertEqual(rules.check(fixed.meta, "instagram", "story").codes, [])
        self.assertEqual(fixed.steps[:2], ["crop", "resize"])
        self.assertAlmostEqual(fixed.focal[0], 0.5, places=2)
        self.assertAlmostEqual(fixed.focal[1], 0.5, places=2)

    def test_a_focal_point_near_the_edge_stays_inside(self) -> None:
        # At x=150 the window cannot be centred: it starts at the left edge instead.
        data = jpeg((4000, 3000), dot=(150, 2900))
        fixed = images.fix(data, rules.get_rule("instagram", "story"), (150 / 4000, 2900 / 3000))
        out = Image.open(io.BytesIO(fixed.data))
        scale = 1920 / 3000
        self.assertTrue(red(out.getpixel((round(150 * scale), round(2900 * scale)))))
        self.assertAlmostEqual(fixed.focal[0], 150 / 1688, places=3)

    def test_it_flattens_transparency_where_a_network_refuses_it(self) -> None:
        fixed = images.fix(png_with_alpha(), rules.get_rule("instagram", "feed"))
        out = Image.open(io.BytesIO(fixed.data))
        self.assertEqual((out.format, out.mode, out.size), ("JPEG", "RGB", (1080, 1350)))
        self.assertGreater(min(out.getpixel((5, 5))), 245)  # white, not black
        self.assertLess(max(out.getpixel((540, 675))), 10)
        self.assertIn("flatten", fixed.steps)
        self.assertEqual(rules.check(fixed.meta, "instagram", "feed").codes, [])

    def test_it_keeps_transparency_where_a_network_allows_it(self) -> None:
        fixed = images.fix(png_with_alpha(), rules.get_rule("mastodon", "feed"))
        out = Image.open(io.BytesIO(fixed.data))
        self.assertEqual(out.format, "PNG")
        self.assertEqual(out.getpixel((5, 5))[3], 0)

    def test_it_strips_gps_and_all_exif(self) -> None:
        data = jpeg((2000, 1000), gps=True)
        found = images.inspect(data)
        self.assertTrue(found.had_gps)
        fixed = images.fix(data, rules.get_rule("x", "feed"))
        self.assertFalse(images.inspect(fixed.data).had_gps)
        self.assertEqual(dict(Image.open(io.BytesIO(fixed.data)).getexif()), {})

    def test_it_strips_xmp_and_comments_too(self) -> None:
        xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/'
               b'1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/'
               b'exif/1.0/" exif:GPSLatitude="60,10.2N"/></rdf:RDF></x:xmpmeta>')
        buf = io.BytesIO()
        Image.new("RGB", (1200, 1200), (10, 20, 30)).save(buf, "JPEG", xmp=xmp,
                                                          comment=b"shot at home")
        self.assertIn(b"GPSLatitude", buf.getvalue())
        fixed = images.fix(buf.getvalue(), rules.get_rule("instagram", "feed"))
        self.assertNotIn(b"GPSLatitude", fixed.data)
        self.assertNotIn(b"shot at home", fixed.data)

    def test_it_applies_exif_orientation_first(self) -> None:
        # Stored 4000x3000; orientation 6 (a quarter turn) shows it 3000 wide, 4000 high.
        data = jpeg((4000, 3000), orientation=6)
        self.assertEqual(images.inspect(data).meta.width, 3000)
        fixed = images.fix(data, rules.get_rule("instagram", "feed"))
        self.assertEqual((fixed.meta.width, fixed.meta.height), (1080, 1350))
        self.assertIn("orient", fixed.steps)

    def test_it_compresses_to_max_bytes(self) -> None:
        noise = Image.effect_noise((2000, 2000), 120).convert("RGB")
        buf = io.BytesIO()
        noise.save(buf, "PNG")
        rule = rules.get_rule("bluesky", "feed")
        self.assertGreater(len(buf.getvalue()), rule.max_bytes)
        fixed = images.fix(buf.getvalue(), rule)
        self.assertLessEqual(len(fixed.data), rule.max_bytes)
        self.assertEqual(rules.check(fixed.meta, "bluesky", "feed").codes, [])
        self.assertIn("compress", fixed.steps)

    def test_it_refuses_a_decompression_bomb_from_its_header(self) -> None:
        import struct
        import zlib

        def chunk(kind: bytes, data: bytes) -> bytes:
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

        ihdr = struct.pack(">IIBBBBB", 20_000, 20_000, 1, 0, 0, 0, 0)  # 400 MP, 1 bit
        bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")
        with self.assertRaisesRegex(images.NotMedia, "too many pixels"):
            images.inspect(bomb)

    def test_it_refuses_what_is_not_an_image(self) -> None:
        with self.assertRaises(images.NotMedia):
            images.inspect(b"hello, this is text")


class VideoTestCase(TestCase):
    def test_it_reads_duration_size_and_codec_without_ffmpeg(self) -> None:
        info = video.inspect(mp4(12.5, (1080, 1920)))
        self.assertEqual((info.format, info.width, info.height, info.duration, info.codec),
                         ("mp4", 1080, 1920, 12.5, "avc1"))
        found = images.inspect(mp4())
        self.assertEqual((found.meta.kind, found.content_type), ("video", "video/mp4"))

    def test_it_reads_webm_too(self) -> None:
        info = video.inspect(webm(8.25, (1280, 720)))
        self.assertEqual((info.format, info.width, info.height, info.duration, info.codec),
                         ("webm", 1280, 720, 8.25, "V_VP9"))
        self.assertEqual(video.inspect(webm()[:60]).format, "webm")  # truncated: what it can

    def test_it_knows_a_heic_photo_it_cannot_decode(self) -> None:
        found = images.inspect(heic((4032, 3024)))
        self.assertEqual((found.meta.format, found.meta.kind, found.meta.width,
                          found.meta.height), ("heic", "image", 4032, 3024))
        self.assertTrue(rules.check(found.meta, "mastodon", "feed").ok)
        self.assertIn("format", rules.check(found.meta, "instagram", "feed").codes)
        with self.assertRaisesRegex(images.NotMedia, "export the photo as JPEG"):
            images.fix(heic(), rules.get_rule("instagram", "feed"))


class PurityTestCase(TestCase):
    def test_rules_images_and_video_stay_pure(self) -> None:
        import ast
        from pathlib import Path

        here = Path(__file__).resolve().parents[1]
        for name in ("rules.py", "images.py", "video.py"):
            tree = ast.parse((here / name).read_text())
            found = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
            found |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            forbidden = ("django.db", "breakwater.web", "breakwater.api")
            bad = [m for m in found if m and (m.startswith(forbidden) or m.endswith(".models"))]
            self.assertEqual(bad, [], name)

    def test_the_domain_app_imports_no_interface(self) -> None:
        import ast
        from pathlib import Path

        for path in Path(__file__).resolve().parents[1].glob("*.py"):
            tree = ast.parse(path.read_text())
            found = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
            bad = [m for m in found if m.startswith(("breakwater.web", "breakwater.api"))]
            self.assertEqual(bad, [], path.name)

    def test_problems_speak_finnish(self) -> None:
        from django.utils import translation

        meta = rules.MediaMeta(format="jpeg", bytes=1000, width=4000, height=3000)
        with translation.override("fi"):
            result = rules.check(meta, "instagram", "story")
        self.assertIn("Kuvasuhde", " ".join(p.message for p in result.problems))


class BenchSmokeTestCase(EnglishTestCase):
    def test_the_bench_runs_and_prints_every_figure(self) -> None:
        import contextlib
        import json

        from breakwater.media import bench

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(bench.main(["--runs", "1"]), 0)
        figures = json.loads(out.getvalue().strip().splitlines()[-1])
        self.assertEqual(figures["bench"], "media")
        for key in ("inspect_jpeg_12mp_ms", "fix_story_ms", "baseline_story_ms",
                    "ratio_fix_to_baseline"):
            self.assertGreater(figures[key], 0, key)
