"""validate_geometry: every error code, the type promotions, swapped and area checks."""

from __future__ import annotations

import math

import pytest
import shapely
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)
from shapely.prepared import prep

from geo.core.geometry import GeometryError, validate_geometry

AREA = shapely.box(119.0, 29.0, 119.2, 29.2)  # a governed area near Jinhua
SQUARE = Polygon([(119.01, 29.01), (119.02, 29.01), (119.02, 29.02), (119.01, 29.02)])
# A bow-tie: its two edges cross at (119.015, 29.015).
BOW_TIE = Polygon([(119.01, 29.01), (119.02, 29.02), (119.02, 29.01), (119.01, 29.02)])


def error(geom: object, expected: str, area: object = AREA) -> GeometryError:
    with pytest.raises(GeometryError) as caught:
        validate_geometry(geom, expected=expected, governed_area=area)  # type: ignore[arg-type]
    return caught.value


# ----------------------------------------------------------------------- error codes


@pytest.mark.parametrize(
    "geom", [None, Point(), Polygon(), GeometryCollection(), MultiPoint()], ids=repr
)
def test_empty(geom: object) -> None:
    err = error(geom, "Point")
    assert err.code == "empty"
    assert "为空" in str(err)


def test_invalid_bow_tie_reports_reason_and_place_in_chinese() -> None:
    err = error(BOW_TIE, "MultiPolygon")
    assert err.code == "invalid"
    assert str(err) == "几何无效：自相交（Self-intersection）于 119.015 29.015"


def test_invalid_is_not_repaired_silently() -> None:
    spike = Polygon([(119.01, 29.01), (119.02, 29.01), (119.01, 29.01)])  # zero area
    assert error(spike, "MultiPolygon").code == "invalid"


def test_non_finite_coordinates_are_invalid() -> None:
    assert error(Point(math.nan, 29.1), "Point").code == "invalid"


@pytest.mark.parametrize(
    ("geom", "expected", "actual"),
    [
        (LineString([(119.01, 29.01), (119.02, 29.02)]), "Point", "线（LineString）"),
        (Point(119.01, 29.01), "MultiPolygon", "点（Point）"),
        (SQUARE, "LineString", "面（Polygon）"),
        (MultiPoint([(119.01, 29.01)]), "LineString", "多点（MultiPoint）"),
    ],
)
def test_wrong_type(geom: object, expected: str, actual: str) -> None:
    err = error(geom, expected)
    assert err.code == "wrong_type"
    assert actual in str(err)


def test_mixed_collection_is_wrong_type() -> None:
    mixed = GeometryCollection([Point(119.01, 29.01), SQUARE])
    assert error(mixed, "MultiPolygon").code == "wrong_type"


@pytest.mark.parametrize(
    ("geom", "expected"),
    [
        (MultiPoint([(119.01, 29.01), (119.02, 29.02)]), "Point"),
        (
            MultiLineString([[(119.01, 29.01), (119.02, 29.02)], [(119.03, 29.0), (119.04, 29.1)]]),
            "LineString",
        ),
    ],
)
def test_several_parts_for_a_single_type(geom: object, expected: str) -> None:
    err = error(geom, expected)
    assert err.code == "too_many_parts"
    assert "2 个部分" in str(err)


@pytest.mark.parametrize(
    "geom",
    [
        Point(40_493_000.0, 3_209_000.0),  # Gauss-Krüger metres with the zone prefix
        Point(13_250_000.0, 3_380_000.0),  # Web Mercator metres
        Point(119.1, 95.0),  # latitude beyond the pole, and no swap explains it
    ],
)
def test_not_lonlat(geom: object) -> None:
    err = error(geom, "Point")
    assert err.code == "not_lonlat"
    assert "坐标不是经纬度，请确认坐标系" in str(err)


def test_swapped_lonlat_with_governed_area() -> None:
    err = error(Point(29.1, 119.1), "Point")  # (lat, lon) of a point inside AREA
    assert err.code == "swapped_lonlat"
    assert str(err) == "经纬度顺序颠倒：看起来是（纬度, 经度），请按（经度, 纬度）提供"


def test_swapped_polygon_is_recognised() -> None:
    swapped = shapely.transform(SQUARE, lambda c: c[:, ::-1])
    assert error(swapped, "MultiPolygon").code == "swapped_lonlat"


def test_swapped_lonlat_within_lonlat_range() -> None:
    # West of 90E a swapped point is still a legal lon/lat; only the area gives it away.
    xinjiang = shapely.box(80.0, 40.0, 81.0, 41.0)
    assert error(Point(40.5, 80.5), "Point", xinjiang).code == "swapped_lonlat"


def test_swapped_lonlat_without_area_uses_china_box() -> None:
    assert error(Point(29.1, 119.1), "Point", None).code == "swapped_lonlat"
    assert error(Point(40.5, 80.5), "Point", None).code == "swapped_lonlat"


def test_outside_area_names_the_place() -> None:
    err = error(Point(105.0, 35.0), "Point")
    assert err.code == "outside_area"
    assert str(err).startswith("位置不在辖区范围内")
    assert "105 35" in str(err)


def test_polygon_partly_outside_area() -> None:
    straddling = shapely.box(119.15, 29.15, 119.25, 29.18)
    assert error(straddling, "MultiPolygon").code == "outside_area"


# ------------------------------------------------------------------ accepted shapes


def test_point_inside_area_is_returned_unchanged() -> None:
    assert validate_geometry(Point(119.1, 29.1), expected="Point", governed_area=AREA).equals(
        Point(119.1, 29.1)
    )


def test_boundary_counts_as_inside() -> None:
    assert validate_geometry(Point(119.0, 29.1), expected="Point", governed_area=AREA)


@pytest.mark.parametrize("area", [prep(AREA), shapely.box(119.0, 29.0, 119.2, 29.2)])
def test_prepared_and_plain_areas_both_work(area: object) -> None:
    assert validate_geometry(Point(119.1, 29.1), expected="Point", governed_area=area)
    assert error(Point(105.0, 35.0), "Point", area).code == "outside_area"


def test_polygon_is_promoted_to_multipolygon() -> None:
    out = validate_geometry(SQUARE, expected="MultiPolygon", governed_area=AREA)
    assert out.geom_type == "MultiPolygon"
    assert out.equals(MultiPolygon([SQUARE]))


def test_single_part_multis_become_their_part() -> None:
    line = LineString([(119.01, 29.01), (119.02, 29.02)])
    point = validate_geometry(MultiPoint([(119.1, 29.1)]), expected="Point", governed_area=AREA)
    assert point.geom_type == "Point"
    out = validate_geometry(MultiLineString([line]), expected="LineString", governed_area=AREA)
    assert out.geom_type == "LineString"
    assert out.equals(line)


def test_collection_of_polygons_becomes_multipolygon() -> None:
    other = shapely.box(119.05, 29.05, 119.06, 29.06)
    out = validate_geometry(
        GeometryCollection([SQUARE, other]), expected="MultiPolygon", governed_area=AREA
    )
    assert out.geom_type == "MultiPolygon"
    assert len(out.geoms) == 2


def test_z_is_dropped() -> None:
    out = validate_geometry(Point(119.1, 29.1, 35.0), expected="Point", governed_area=AREA)
    assert not out.has_z
    square_z = Polygon([(x, y, 5.0) for x, y in SQUARE.exterior.coords])
    assert not validate_geometry(square_z, expected="MultiPolygon").has_z


def test_without_area_anything_in_lonlat_is_accepted() -> None:
    assert validate_geometry(Point(2.35, 48.85), expected="Point")  # Paris: no area to hold to


def test_unknown_expected_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="expected"):
        validate_geometry(SQUARE, expected="Polygon")


def test_geometry_error_is_a_value_error_with_code() -> None:
    err = error(BOW_TIE, "MultiPolygon")
    assert isinstance(err, ValueError)
    assert err.message == str(err)
