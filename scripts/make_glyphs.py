"""Render the SDF glyph ranges MapLibre fetches for map labels (`{fontstack}/{range}.pbf`).

MapLibre draws CJK ideographs itself (`localIdeographFontFamily`), so the server only has
to provide the few 256-code-point ranges of everything else in our Chinese labels:
digits and Latin letters, general punctuation, and so on. The output is committed under
`tiles/glyphs/<font stack>/<start>-<end>.pbf`, so a fresh machine needs neither this font
nor FreeType; re-run this script only to change fonts or ranges:

    .venv/bin/python scripts/make_glyphs.py            # all stacks, default ranges
    .venv/bin/python scripts/make_glyphs.py --ranges 0 8192 9216

The glyphs follow node-fontnik / TinySDF: 24 px font size, 3 px buffer, an 8 px distance
radius, cutoff 0.25 (the edge is the value 191). Each glyph is drawn with FreeType at 8x
the size, the exact signed distance of the 8x bitmap comes from an Euclidean distance
transform (scipy), and each output pixel is the mean of its 8x8 block. The protobuf is
written by hand (the glyphs .proto is five fields, see `encode_range`).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import freetype
import numpy as np
from scipy.ndimage import distance_transform_edt

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "tiles" / "glyphs"

FONT_SIZE = 24  # px: the size MapLibre's glyph atlas is laid out for
BUFFER = 3  # px of distance field around each glyph
RADIUS = 8  # px covered by the 0..255 distance scale
CUTOFF = 0.25  # share of the scale for the inside (the edge is at 255 * (1 - CUTOFF))
OVERSAMPLE = 8  # glyphs are rasterised at 8x and the distance field averaged back down

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
# Font stack name (as a style's `text-font` names it) -> (font file, face family in a .ttc).
# Noto Sans CJK SC (Debian's fonts-noto-cjk, SIL OFL 1.1) has proportional Latin, digits
# and punctuation drawn to match its ideographs, which MapLibre draws locally from the
# browser's CJK font: mixed labels such as "梁丰社区第03网格" stay of one piece.
STACKS: dict[str, tuple[Path, str]] = {
    "Noto Sans Regular": (NOTO_DIR / "NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    "Noto Sans Bold": (NOTO_DIR / "NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
}

# Range starts (multiples of 256) that Chinese labels need from the server. MapLibre GL JS
# (src/render/glyph_manager.ts, `_doesCharSupportLocalGlyph`, 5.1 and later) draws locally
# every \p{Ideo}, Hangul, Hiragana and Katakana character plus the blocks "CJK Symbols and
# Punctuation" (U+3000-303F: 、。《》「」) and "Halfwidth and Fullwidth Forms" (U+FF00-FFEF:
# （），：０-９), so 12288-12543 and 65280-65535 are never requested for our labels
# (65280-65535 would only be asked for U+FFF0-FFFF, "Specials", which labels don't hold).
DEFAULT_RANGES = (
    0,  # Basic Latin + Latin-1 Supplement: digits, letters, - ( ) · × °
    8192,  # General Punctuation: — ‘ ’ “ ” … ‧ ※ ‰
    8448,  # Letterlike Symbols and Number Forms: ℃ № Ⅰ Ⅱ Ⅲ
    9216,  # Enclosed Alphanumerics: ① ② ③ ⑴ ⒈
)


@dataclass(frozen=True)
class Glyph:
    id: int
    width: int
    height: int
    left: int
    top: int
    advance: int
    bitmap: bytes  # (width + 2 * BUFFER) * (height + 2 * BUFFER) bytes, empty if no ink


# --- protobuf, by hand -------------------------------------------------------------------


def _varint(value: int) -> bytes:
    if value < 0:
        raise ValueError("varints here are unsigned")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _zigzag(value: int) -> int:
    return value << 1 if value >= 0 else ((-value) << 1) - 1


def _uint_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)  # wire type 0


def _bytes_field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def encode_glyph(g: Glyph) -> bytes:
    """message glyph { id = 1; bitmap = 2; width = 3; height = 4; left = 5 (sint32);
    top = 6 (sint32); advance = 7 }"""
    out = _uint_field(1, g.id)
    if g.bitmap:
        out += _bytes_field(2, g.bitmap)
    out += _uint_field(3, g.width) + _uint_field(4, g.height)
    out += _uint_field(5, _zigzag(g.left)) + _uint_field(6, _zigzag(g.top))
    return out + _uint_field(7, g.advance)


def encode_range(stack: str, start: int, glyphs: list[Glyph]) -> bytes:
    """message glyphs { repeated fontstack stacks = 1; }
    message fontstack { name = 1; range = 2; repeated glyph glyphs = 3; }"""
    fontstack = _bytes_field(1, stack.encode()) + _bytes_field(2, f"{start}-{start + 255}".encode())
    for g in glyphs:
        fontstack += _bytes_field(3, encode_glyph(g))
    return _bytes_field(1, fontstack)


# --- rendering ---------------------------------------------------------------------------


def open_face(path: Path, family: str) -> freetype.Face:
    first = freetype.Face(str(path))
    for index in range(first.num_faces):
        face = freetype.Face(str(path), index)
        if face.family_name.decode() == family:
            return face
    raise SystemExit(f"{path} has no face {family!r}")


def render_glyph(face: freetype.Face, char: int, baseline: int) -> Glyph | None:
    """One glyph at FONT_SIZE px, or None when the font lacks the character."""
    index = face.get_char_index(char)
    if not index:
        return None
    s = OVERSAMPLE
    face.load_glyph(index, freetype.FT_LOAD_NO_HINTING | freetype.FT_LOAD_NO_BITMAP)
    slot = face.glyph
    advance = round(slot.metrics.horiAdvance / 64 / s)
    bbox = slot.outline.get_bbox()  # exact box of the outline, 26.6 at the oversampled size
    # Like sdf-glyph-foundry: the box rounded to whole pixels at FONT_SIZE.
    x0, x1 = round(bbox.xMin / 64 / s), round(bbox.xMax / 64 / s)
    y0, y1 = round(bbox.yMin / 64 / s), round(bbox.yMax / 64 / s)
    width, height = x1 - x0, y1 - y0
    if slot.outline.n_points == 0 or width <= 0 or height <= 0:  # space and the like
        return Glyph(char, 0, 0, 0, 0, advance, b"")

    slot.render(freetype.FT_RENDER_MODE_NORMAL)
    bm = slot.bitmap
    coverage = np.zeros((bm.rows, bm.width), dtype=np.uint8)
    if bm.rows and bm.width:
        raw = np.frombuffer(bytes(bm.buffer), dtype=np.uint8).reshape(bm.rows, abs(bm.pitch))
        coverage = raw[:, : bm.width]
        if bm.pitch < 0:
            coverage = coverage[::-1]

    # The oversampled canvas: the glyph box plus BUFFER, top row first.
    bw, bh = width + 2 * BUFFER, height + 2 * BUFFER
    inside = np.zeros((bh * s, bw * s), dtype=bool)
    col = slot.bitmap_left - (x0 - BUFFER) * s
    row = (y1 + BUFFER) * s - slot.bitmap_top
    r0, c0 = max(row, 0), max(col, 0)
    r1, c1 = min(row + coverage.shape[0], inside.shape[0]), min(col + coverage.shape[1], bw * s)
    if r1 > r0 and c1 > c0:
        inside[r0:r1, c0:c1] = coverage[r0 - row : r1 - row, c0 - col : c1 - col] >= 128
    if not inside.any():
        return Glyph(char, 0, 0, 0, 0, advance, b"")

    # Signed distance to the outline in output pixels, positive outside: the outline runs
    # half an oversampled pixel from the centre of the nearest pixel on the other side.
    outside_d = distance_transform_edt(~inside) - 0.5
    inside_d = distance_transform_edt(inside) - 0.5
    signed = np.where(inside, -inside_d, outside_d) / s
    signed = signed.reshape(bh, s, bw, s).mean(axis=(1, 3))
    values = np.clip(np.rint(255 - 255 * (signed / RADIUS + CUTOFF)), 0, 255).astype(np.uint8)
    return Glyph(char, width, height, x0, y1 - baseline, advance, values.tobytes())


def render_range(face: freetype.Face, start: int) -> list[Glyph]:
    face.set_char_size(0, FONT_SIZE * OVERSAMPLE * 64, 72, 72)
    # node-fontnik's "top" is the glyph's top minus the ascender in whole pixels (27 for
    # Noto Sans CJK, which also matches the 27.5 MapLibre subtracts from local CJK glyphs).
    baseline = int(face.ascender * FONT_SIZE / face.units_per_EM)
    glyphs = []
    for char in range(start, start + 256):
        if char < 0x20 or 0x7F <= char < 0xA0:  # control characters
            continue
        g = render_glyph(face, char, baseline)
        if g is not None:
            glyphs.append(g)
    return glyphs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ranges", type=int, nargs="+", default=list(DEFAULT_RANGES))
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    for start in args.ranges:
        if start % 256 or not 0 <= start <= 65280:
            parser.error(f"range start {start} is not a multiple of 256 in 0..65280")
    for stack, (path, family) in STACKS.items():
        face = open_face(path, family)
        folder = args.out / stack
        folder.mkdir(parents=True, exist_ok=True)
        for start in args.ranges:
            glyphs = render_range(face, start)
            data = encode_range(stack, start, glyphs)
            (folder / f"{start}-{start + 255}.pbf").write_bytes(data)
            print(f"{stack}/{start}-{start + 255}.pbf: {len(glyphs)} glyphs, {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
