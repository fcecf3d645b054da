"""The map's SDF glyph ranges: decoded with a reader of our own, not with the encoder's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.routes import glyphs

BUFFER = 3


@pytest.fixture(scope="module")
def glyph_client() -> Iterator[TestClient]:
    """The real application (its error handlers included); no database is needed."""
    app = create_app()
    if not any(getattr(r, "path", "").startswith("/map/glyphs/") for r in app.routes):
        app.include_router(glyphs.router)  # until api/main.py includes it
    with TestClient(app) as c:
        yield c


# --- a minimal protobuf reader -----------------------------------------------------------


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
            yield number, value
        elif wire == 2:
            size, i = _varint(data, i)
            if i + size > len(data):
                raise ValueError("truncated field")
            yield number, data[i : i + size]
            i += size
        else:
            raise ValueError(f"unexpected wire type {wire}")


def _unzigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def decode(data: bytes) -> list[dict]:
    """glyphs -> [{name, range, glyphs: {id: {...}}}]"""
    stacks = []
    for number, payload in _fields(data):
        assert number == 1 and isinstance(payload, bytes)
        stack: dict = {"glyphs": {}}
        for f, v in _fields(payload):
            if f == 1:
                stack["name"] = v.decode()  # type: ignore[union-attr]
            elif f == 2:
                stack["range"] = v.decode()  # type: ignore[union-attr]
            elif f == 3:
                raw = dict(_fields(v))  # type: ignore[arg-type]
                glyph = {
                    "id": raw[1],
                    "bitmap": raw.get(2, b""),
                    "width": raw[3],
                    "height": raw[4],
                    "left": _unzigzag(raw[5]),  # type: ignore[arg-type]
                    "top": _unzigzag(raw[6]),  # type: ignore[arg-type]
                    "advance": raw[7],
                }
                stack["glyphs"][glyph["id"]] = glyph
        stacks.append(stack)
    return stacks


# --- the served ranges -------------------------------------------------------------------


def test_digits_have_signed_distance_bitmaps(glyph_client: TestClient) -> None:
    r = glyph_client.get("/map/glyphs/Noto Sans Regular/0-255.pbf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/x-protobuf"
    assert "max-age=" in r.headers["cache-control"]
    [stack] = decode(r.content)
    assert (stack["name"], stack["range"]) == ("Noto Sans Regular", "0-255")
    for char in "0123456789":
        g = stack["glyphs"][ord(char)]
        assert g["width"] > 0 and g["height"] > 0, char
        assert len(g["bitmap"]) == (g["width"] + 2 * BUFFER) * (g["height"] + 2 * BUFFER), char
        # A distance field: fully inside (>= 191, the edge), fading out to 0 at the border.
        assert max(g["bitmap"]) >= 191 and min(g["bitmap"]) < 64, char
        # Digits stand on the baseline, below the ascender line MapLibre measures from.
        assert -16 < g["top"] < 0 and 8 <= g["advance"] <= 20, char
    # Proportional Latin: "1" is no wider than "M"; the space has an advance but no ink.
    assert stack["glyphs"][ord("M")]["advance"] > stack["glyphs"][ord("i")]["advance"]
    space = stack["glyphs"][ord(" ")]
    assert space["bitmap"] == b"" and space["advance"] > 0


def test_punctuation_range_and_bold_stack(glyph_client: TestClient) -> None:
    r = glyph_client.get("/map/glyphs/Noto Sans Bold/8192-8447.pbf")
    assert r.status_code == 200
    [stack] = decode(r.content)
    assert (stack["name"], stack["range"]) == ("Noto Sans Bold", "8192-8447")
    for char in "—“”…":
        g = stack["glyphs"][ord(char)]
        assert len(g["bitmap"]) == (g["width"] + 6) * (g["height"] + 6) > 36


def test_first_shipped_stack_of_a_list_is_served(glyph_client: TestClient) -> None:
    r = glyph_client.get("/map/glyphs/Open Sans Semibold,Noto Sans Bold/0-255.pbf")
    assert r.status_code == 200
    assert decode(r.content)[0]["name"] == "Noto Sans Bold"
    assert r.content == (glyphs.GLYPHS_DIR / "Noto Sans Bold" / "0-255.pbf").read_bytes()
    # None shipped: our regular (or bold) stack rather than labels without digits.
    r = glyph_client.get("/map/glyphs/Open Sans Regular,Arial Unicode MS Regular/0-255.pbf")
    assert decode(r.content)[0]["name"] == "Noto Sans Regular"
    r = glyph_client.get("/map/glyphs/Open Sans Bold/0-255.pbf")
    assert decode(r.content)[0]["name"] == "Noto Sans Bold"


def test_range_without_file_is_a_valid_empty_message(glyph_client: TestClient) -> None:
    r = glyph_client.get("/map/glyphs/Noto Sans Regular/19968-20223.pbf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/x-protobuf"
    assert decode(r.content) == [
        {"name": "Noto Sans Regular", "range": "19968-20223", "glyphs": {}}
    ]
    r = glyph_client.get("/map/glyphs/Noto Sans Regular/65280-65535.pbf")
    assert r.status_code == 200 and decode(r.content)[0]["range"] == "65280-65535"


@pytest.mark.parametrize(
    "glyph_range", ["0-256", "1-256", "256-511x", "abc", "0-255-511", "65536-65791", "-0-255"]
)
def test_malformed_range_is_refused(glyph_client: TestClient, glyph_range: str) -> None:
    r = glyph_client.get(f"/map/glyphs/Noto Sans Regular/{glyph_range}.pbf")
    assert r.status_code == 400
    assert "字形范围" in r.json()["detail"]


@pytest.mark.parametrize(
    "fontstack",
    ["..", "..%2F..%2Fapi", "Noto Sans Regular%2F..", "%2E%2E", "Noto Sans Regular,..", "a\\b"],
)
def test_path_traversal_is_impossible(glyph_client: TestClient, fontstack: str) -> None:
    r = glyph_client.get(f"/map/glyphs/{fontstack}/0-255.pbf")
    assert r.status_code in (400, 404)
    assert r.headers["content-type"].startswith("application/json")
