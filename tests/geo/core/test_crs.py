"""parse_source_crs and SourceCRS.to_storage."""

from __future__ import annotations

import dataclasses

import pytest
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import LineString, Point, Polygon

from geo.core.coords import wgs84_to_gcj02
from geo.core.crs import SourceCRS, UnknownCRSError, parse_source_crs
from geo.core.srid import STORAGE_SRID, WEB_MERCATOR_SRID

# A point in 如皋/南通, Jiangsu: GK 3-degree zone 40 (central meridian 120E).
LON, LAT = 120.55, 31.87


def project(lon: float, lat: float, epsg: int) -> tuple[float, float]:
    """Independent reference: pyproj from CGCS2000 lon/lat into ``epsg``."""
    return Transformer.from_crs(STORAGE_SRID, epsg, always_xy=True).transform(lon, lat)


# ---------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "label", "epsg"),
    [
        ("cgcs2000", "cgcs2000", 4490),
        ("CGCS2000", "cgcs2000", 4490),
        ("EPSG:4490", "cgcs2000", 4490),
        ("epsg:4490", "cgcs2000", 4490),
        ("4490", "cgcs2000", 4490),
        ("wgs84", "wgs84", 4326),
        ("EPSG:4326", "wgs84", 4326),
        ("WebMercator", "webmercator", 3857),
        ("EPSG:3857", "webmercator", 3857),
        ("gk3:25", "gk3:25", 4513),
        ("gk3:40", "gk3:40", 4528),
        ("GK3:45", "gk3:45", 4533),
        ("gk3cm:75", "gk3cm:75", 4534),
        ("gk3cm:120", "gk3cm:120", 4549),
        ("gk3cm:135", "gk3cm:135", 4554),
        ("EPSG:4528", "gk3:40", 4528),
        ("4549", "gk3cm:120", 4549),
        ("  gk3 : 40 ", "gk3:40", 4528),
        ("gcj02", "gcj02", None),
        ("GCJ02", "gcj02", None),
    ],
)
def test_parse_accepted_values(text, label, epsg):
    assert parse_source_crs(text) == SourceCRS(label, epsg)


@pytest.mark.parametrize("code", range(4513, 4555))
def test_every_gk3_epsg_code_matches_pyproj_and_round_trips_its_label(code):
    crs = parse_source_crs(str(code))
    assert crs.epsg == code
    assert parse_source_crs(crs.label) == crs
    # The label's zone / central meridian must agree with the EPSG definition.
    meridian = int(crs.label.split(":")[1]) * (3 if crs.label.startswith("gk3:") else 1)
    params = {p.name: p.value for p in CRS.from_epsg(code).coordinate_operation.params}
    assert params["Longitude of natural origin"] == meridian
    assert (params["False easting"] > 1_000_000) == crs.label.startswith("gk3:")


@pytest.mark.parametrize(
    "text",
    [
        "xyz",
        "",
        "   ",
        "bd09",
        "gk3:24",
        "gk3:46",
        "gk3:4O",
        "gk3cm:72",
        "gk3cm:121",
        "gk3cm:138",
        "EPSG:4512",
        "EPSG:4555",
        "EPSG:2000",
        "EPSG:",
        "utm50n",
    ],
)
def test_unknown_crs_raises_chinese_message(text):
    with pytest.raises(UnknownCRSError) as excinfo:
        parse_source_crs(text)
    message = str(excinfo.value)
    assert message.startswith(f"不支持的坐标系 {text!r}：")
    for accepted in ("cgcs2000", "wgs84", "webmercator", "gk3:<带号25-45>", "gk3cm:<中央经线>"):
        assert accepted in message
    assert "gcj02" in message and "EPSG 代码" in message
    assert excinfo.value.text == text


def test_unknown_crs_error_is_a_value_error():
    assert issubclass(UnknownCRSError, ValueError)
    with pytest.raises(ValueError):
        parse_source_crs("xyz")


def test_exact_message_for_xyz():
    with pytest.raises(UnknownCRSError) as excinfo:
        parse_source_crs("xyz")
    assert str(excinfo.value) == (
        "不支持的坐标系 'xyz'：可用 cgcs2000、wgs84、webmercator、gk3:<带号25-45>、"
        "gk3cm:<中央经线>、gcj02 或对应的 EPSG 代码"
    )


def test_non_string_is_rejected():
    with pytest.raises(UnknownCRSError):
        parse_source_crs(4490)  # type: ignore[arg-type]


def test_source_crs_is_frozen_and_hashable():
    crs = parse_source_crs("gk3:40")
    with pytest.raises(dataclasses.FrozenInstanceError):
        crs.label = "other"  # type: ignore[misc]
    assert {crs, parse_source_crs("EPSG:4528")} == {crs}


# ------------------------------------------------------------------------ to_storage


@pytest.mark.parametrize(
    ("text", "epsg"),
    [
        ("gk3:40", 4528),
        ("gk3cm:120", 4549),
        ("webmercator", WEB_MERCATOR_SRID),
        ("EPSG:4528", 4528),
        ("4549", 4549),
    ],
)
def test_projected_point_returns_to_original(text, epsg):
    x, y = project(LON, LAT, epsg)
    stored = parse_source_crs(text).to_storage(Point(x, y))
    assert stored.x == pytest.approx(LON, abs=1e-7)
    assert stored.y == pytest.approx(LAT, abs=1e-7)


def test_zone_and_central_meridian_forms_differ_only_by_zone_prefix():
    zone_x, zone_y = project(LON, LAT, 4528)
    cm_x, cm_y = project(LON, LAT, 4549)
    assert zone_x - cm_x == pytest.approx(40_000_000, abs=1e-6)
    assert zone_y == pytest.approx(cm_y, abs=1e-6)


def test_polygon_keeps_shape_and_validity():
    ring = [(LON, LAT), (LON + 0.01, LAT), (LON + 0.01, LAT + 0.01), (LON, LAT + 0.01)]
    projected = Polygon([project(lon, lat, 4528) for lon, lat in ring])
    stored = parse_source_crs("gk3:40").to_storage(projected)
    assert stored.is_valid
    assert shapely.equals_exact(stored, Polygon(ring), tolerance=1e-7)


@pytest.mark.parametrize("text", ["cgcs2000", "EPSG:4490", "wgs84", "4326"])
def test_geographic_input_is_unchanged(text):
    geom = LineString([(LON, LAT), (LON + 0.5, LAT + 0.5)])
    stored = parse_source_crs(text).to_storage(geom)
    assert shapely.equals_exact(stored, geom, tolerance=0)


def test_gcj02_input_becomes_wgs84():
    # eviltransform's Shanghai pair (googollee/eviltransform python/test.py), lon first.
    wgs, gcj = (121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)
    crs = parse_source_crs("gcj02")
    assert crs.is_gcj02
    stored = crs.to_storage(Point(gcj))
    assert stored.x == pytest.approx(wgs[0], abs=1e-7)
    assert stored.y == pytest.approx(wgs[1], abs=1e-7)


def test_gcj02_polygon_becomes_wgs84():
    ring = [(LON, LAT), (LON + 0.02, LAT), (LON + 0.02, LAT + 0.02), (LON, LAT)]
    gcj = Polygon([wgs84_to_gcj02(lon, lat) for lon, lat in ring])
    stored = parse_source_crs("gcj02").to_storage(gcj)
    assert shapely.equals_exact(stored, Polygon(ring), tolerance=1e-7)


def test_z_is_kept_and_2d_stays_2d():
    x, y = project(LON, LAT, 4528)
    crs = parse_source_crs("gk3:40")
    stored_3d = crs.to_storage(Point(x, y, 42.0))
    assert stored_3d.has_z and stored_3d.z == 42.0
    assert stored_3d.x == pytest.approx(LON, abs=1e-7)
    assert not crs.to_storage(Point(x, y)).has_z
    assert not parse_source_crs("gcj02").to_storage(Point(LON, LAT)).has_z


def test_empty_geometry_passes_through():
    assert parse_source_crs("gk3:40").to_storage(Polygon()).is_empty
