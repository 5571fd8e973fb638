"""Images generated for the media tests (no fixture files)."""

import io

from PIL import Image, ImageDraw


def jpeg(size=(4000, 3000), dot=None, gps=False, orientation=None, color=(0, 120, 200)) -> bytes:
    """A JPEG of one colour, with a red dot of radius 40 at ``dot`` (pixels) if given."""
    img = Image.new("RGB", size, color)
    if dot:
        x, y = dot
        ImageDraw.Draw(img).ellipse((x - 40, y - 40, x + 40, y + 40), fill=(255, 0, 0))
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (60.0, 10.0, 0.0), 3: "E", 4: (24.0, 56.0, 0.0)}
    if orientation:
        exif[0x0112] = orientation
    exif[0x010F] = "Test Camera"
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def png_with_alpha(size=(1080, 1350)) -> bytes:
    """A PNG: transparent background, an opaque black square in the middle."""
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    w, h = size
    ImageDraw.Draw(img).rectangle((w // 4, h // 4, 3 * w // 4, 3 * h // 4), fill=(0, 0, 0, 255))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def mp4(duration_s=12.5, size=(1080, 1920), codec=b"avc1") -> bytes:
    """A minimal ISO-BMFF file with the boxes a player reads metadata from (no frames)."""
    import struct

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(payload), kind) + payload

    timescale = 1000
    mvhd = box(b"mvhd", bytes(4) + bytes(8) + struct.pack(">II", timescale,
                                                           int(duration_s * timescale)) + bytes(80))
    tkhd = box(b"tkhd", bytes(4) + bytes(72) + struct.pack(">II", size[0] << 16, size[1] << 16))
    hdlr = box(b"hdlr", bytes(4) + bytes(4) + b"vide" + bytes(12) + b"\0")
    stsd = box(b"stsd", bytes(4) + struct.pack(">I", 1) + box(codec, bytes(78)))
    stbl = box(b"stbl", stsd)
    minf = box(b"minf", stbl)
    mdia = box(b"mdia", hdlr + minf)
    trak = box(b"trak", tkhd + mdia)
    moov = box(b"moov", mvhd + trak)
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    return ftyp + moov + box(b"mdat", bytes(64))


def _ebml(eid: int, payload: bytes) -> bytes:
    """One Matroska element: its id bytes, an 8-byte size, the payload."""
    ident = eid.to_bytes((eid.bit_length() + 7) // 8, "big")
    return ident + (0x01 << 56 | len(payload)).to_bytes(8, "big") + payload


def webm(duration_s=8.25, size=(1280, 720), codec=b"V_VP9") -> bytes:
    """A minimal WebM header: EBML, then a segment with Info and one video track."""
    import struct

    header = _ebml(0x1A45DFA3, _ebml(0x4282, b"webm"))
    info = _ebml(0x1549A966, _ebml(0x2AD7B1, (1_000_000).to_bytes(3, "big"))
                 + _ebml(0x4489, struct.pack(">d", duration_s * 1000)))
    video = _ebml(0xE0, _ebml(0xB0, size[0].to_bytes(2, "big"))
                  + _ebml(0xBA, size[1].to_bytes(2, "big")))
    audio_track = _ebml(0xAE, _ebml(0x83, b"\x02") + _ebml(0x86, b"A_OPUS"))
    video_track = _ebml(0xAE, _ebml(0x83, b"\x01") + _ebml(0x86, codec) + video)
    tracks = _ebml(0x1654AE6B, audio_track + video_track)
    return header + _ebml(0x18538067, info + tracks + _ebml(0x1F43B675, bytes(32)))


def heic(size=(4032, 3024)) -> bytes:
    """The start of a HEIC file: ftyp and a meta box holding the image's ispe property."""
    import struct

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(payload), kind) + payload

    ftyp = box(b"ftyp", b"heic" + bytes(4) + b"mif1heic")
    ispe = box(b"ispe", bytes(4) + struct.pack(">II", *size))
    meta = box(b"meta", bytes(4) + box(b"iprp", box(b"ipco", ispe)))
    return ftyp + meta + box(b"mdat", bytes(64))
