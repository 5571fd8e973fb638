"""Video (and HEIC) metadata read from the container itself, without ffmpeg; pure.

MP4 and QuickTime (ISO base media) files: duration from ``mvhd``, pixel size from the video
track's ``tkhd``, codec from its ``stsd`` entry (``avc1``, ``hvc1``, ``av01``...). WebM
(Matroska): duration from the segment's ``Info``, size and codec from the first video track
(a live recording without a duration keeps it unknown). HEIC photos share the ISO
container: their size comes from the ``ispe`` property.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

CONTENT_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"hevx", b"mif1", b"msf1"}
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}


@dataclass(frozen=True)
class VideoInfo:
    format: str  # mp4 | mov | webm | heic
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    codec: str = ""


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of each box between ``start`` and ``end``."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        header = 8
        if size == 1:
            if pos + 16 > end:
                return
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            return
        yield kind, pos + header, pos + size
        pos += size


def _walk(data: bytes, start: int, end: int, info: dict) -> None:
    for kind, a, b in _boxes(data, start, end):
        if kind in _CONTAINERS:
            if kind == b"trak":
                track: dict = {}
                _walk(data, a, b, track)
                if track.get("handler") == b"vide" and "width" not in info:
                    info.update({k: v for k, v in track.items() if k != "handler"})
            else:
                _walk(data, a, b, info)
        elif kind == b"mvhd" and b - a >= 20:
            version = data[a]
            if version == 1 and b - a >= 32:
                timescale, duration = struct.unpack(">IQ", data[a + 20:a + 32])
            else:
                timescale, duration = struct.unpack(">II", data[a + 12:a + 20])
            if timescale:
                info["duration"] = round(duration / timescale, 3)
        elif kind == b"tkhd" and b - a >= 84:
            w, h = struct.unpack(">II", data[b - 8:b])
            info["width"], info["height"] = w >> 16, h >> 16
        elif kind == b"hdlr" and b - a >= 12:
            info["handler"] = data[a + 8:a + 12]
        elif kind == b"stsd" and b - a >= 16:
            info["codec"] = data[a + 12:a + 16].decode("latin-1").strip()


# Matroska element ids (with their length marker bits, as written in the file).
_EBML, _SEGMENT, _INFO, _TRACKS, _TRACK = 0x1A45DFA3, 0x18538067, 0x1549A966, 0x1654AE6B, 0xAE
_SCALE, _DURATION, _CODEC, _VIDEO, _TRACK_TYPE = 0x2AD7B1, 0x4489, 0x86, 0xE0, 0x83
_PIXEL_W, _PIXEL_H = 0xB0, 0xBA


def _vint(data: bytes, pos: int, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-size integer at ``pos``: (value, its length in bytes)."""
    first = data[pos]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or pos + length > len(data):
        raise ValueError("bad EBML integer")
    value = first if keep_marker else first & (0xFF >> length)
    for b in data[pos + 1:pos + length]:
        value = (value << 8) | b
    return value, length


def _elements(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    pos = start
    while pos < end:
        eid, n = _vint(data, pos, keep_marker=True)
        size, m = _vint(data, pos + n, keep_marker=False)
        body = pos + n + m
        if size == (1 << (7 * m)) - 1:  # unknown size: runs to the end of the parent
            size = end - body
        yield eid, body, min(body + size, end)
        pos = body + size


def _uint(data: bytes, a: int, b: int) -> int:
    return int.from_bytes(data[a:b], "big")


def _webm(data: bytes) -> VideoInfo:
    scale, duration, width, height, codec = 1_000_000, None, None, None, ""
    try:
        for eid, a, b in _elements(data, 0, len(data)):
            if eid != _SEGMENT:
                continue
            for sid, sa, sb in _elements(data, a, b):
                if sid == _INFO:
                    for iid, ia, ib in _elements(data, sa, sb):
                        if iid == _SCALE:
                            scale = _uint(data, ia, ib)
                        elif iid == _DURATION and ib - ia in (4, 8):
                            duration = struct.unpack(">f" if ib - ia == 4 else ">d",
                                                     data[ia:ib])[0]
                elif sid == _TRACKS and width is None:
                    for tid, ta, tb in _elements(data, sa, sb):
                        if tid != _TRACK:
                            continue
                        fields = {fid: (fa, fb) for fid, fa, fb in _elements(data, ta, tb)}
                        if _TRACK_TYPE in fields and _uint(data, *fields[_TRACK_TYPE]) != 1:
                            continue  # 1 is video
                        if _CODEC in fields:
                            codec = data[slice(*fields[_CODEC])].decode("ascii", "replace")
                        if _VIDEO in fields:
                            for vid, va, vb in _elements(data, *fields[_VIDEO]):
                                if vid == _PIXEL_W:
                                    width = _uint(data, va, vb)
                                elif vid == _PIXEL_H:
                                    height = _uint(data, va, vb)
                        break
                if duration is not None and width is not None:
                    break
            break
    except (ValueError, IndexError, struct.error):
        pass  # a truncated or odd file keeps what was read
    seconds = round(duration * scale / 1e9, 3) if duration else None
    return VideoInfo("webm", width, height, seconds, codec)


def inspect(data: bytes) -> VideoInfo | None:
    """The container's metadata, or None when ``data`` is no video or HEIC we recognise."""
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return _webm(data)
    if len(data) < 12 or data[4:8] != b"ftyp":
        return None
    brand = data[8:12]
    compatible = {data[i:i + 4] for i in range(16, min(struct.unpack(">I", data[:4])[0],
                                                         len(data)), 4)}
    if brand in (b"avif", b"avis") or (b"avif" in compatible
                                        and not compatible & {b"heic", b"heix"}):
        return None  # AVIF stills are Pillow's
    if brand in _HEIC_BRANDS or compatible & {b"heic", b"heix"}:
        at = data.find(b"ispe")
        if at >= 4 and at + 16 <= len(data):
            w, h = struct.unpack(">II", data[at + 8:at + 16])
            return VideoInfo("heic", w, h)
        return VideoInfo("heic")
    info: dict = {}
    try:
        _walk(data, 0, len(data), info)
    except struct.error:
        pass
    return VideoInfo(
        "mov" if brand == b"qt  " else "mp4",
        info.get("width") or None, info.get("height") or None, info.get("duration"),
        info.get("codec", ""),
    )
