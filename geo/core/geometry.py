"""Validation of every geometry that enters the platform (imports, forms, the API).

``validate_geometry`` turns whatever arrived into exactly the stored shape of a layer
(``Point``, ``LineString`` or ``MultiPolygon``, 2D, in lon/lat) or raises
:class:`GeometryError` with a short machine code and a Chinese message a clerk can act
on. It never repairs a geometry silently: an invalid polygon is reported with the reason
and place GEOS gives, because "fixing" a bow-tie usually produces something nobody drew.

The geometry must already be in the storage CRS (EPSG:4490 lon/lat); transform first
(``geo.core.crs.parse_source_crs(text).to_storage``), then validate.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import shapely
from shapely.geometry import (
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.errors import DomainError

# The stored geometry types of geo/layers.py and their Chinese names.
STORED_TYPES = ("Point", "LineString", "MultiPolygon")
_TYPE_LABELS = {
    "Point": "点",
    "MultiPoint": "多点",
    "LineString": "线",
    "LinearRing": "闭合线",
    "MultiLineString": "多线",
    "Polygon": "面",
    "MultiPolygon": "面",
    "GeometryCollection": "几何集合",
}
# For each stored type: the single-part type and the multi-part type that may wrap it.
_FAMILIES = {
    "Point": ("Point", "MultiPoint"),
    "LineString": ("LineString", "MultiLineString"),
    "MultiPolygon": ("Polygon", "MultiPolygon"),
}

_MULTI_CLASSES = {"Point": MultiPoint, "LineString": MultiLineString, "MultiPolygon": MultiPolygon}

# Mainland China's rough box (with Hainan and the South China Sea islands), used to spot
# swapped coordinates when no governed area is known. Longitudes here are all > 73 and
# latitudes all < 54, so a swapped point can never fall in the box by accident.
CHINA_BOX = shapely.box(73.0, 3.0, 136.0, 54.0)

# GEOS validity reasons (TopologyValidationError) in Chinese.
_REASONS_ZH = {
    "Self-intersection": "自相交",
    "Ring Self-intersection": "环自相交",
    "Too few points in geometry component": "顶点数过少",
    "Too few distinct points in geometry component": "不重复的顶点数过少",
    "Hole lies outside shell": "内环位于外环之外",
    "Nested holes": "内环相互嵌套",
    "Interior is disconnected": "内部不连通（内环将面切断）",
    "Nested shells": "外环相互嵌套",
    "Duplicate Rings": "存在重复的环",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环未闭合",
    "Repeated Point": "重复的顶点",
}
_VALIDITY_RE = re.compile(r"^(?P<reason>[^\[]+?)\s*\[(?P<x>\S+)\s+(?P<y>\S+)\]\s*$")


class GeometryError(ValueError):
    """A geometry that cannot be stored; ``code`` is stable, the message is Chinese.

    Codes: empty, invalid, wrong_type, too_many_parts, not_lonlat, swapped_lonlat,
    outside_area.
    """

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


def validate_geometry(
    geom: BaseGeometry | None, *, expected: str, governed_area: Any = None
) -> BaseGeometry:
    """Return ``geom`` as the stored type ``expected`` (2D), or raise GeometryError.

    * Polygon becomes MultiPolygon; a MultiPoint / MultiLineString with exactly one part
      becomes that part (more parts: ``too_many_parts``); a GeometryCollection of one
      kind is treated as the matching multi-geometry. Z / M values are dropped.
    * Coordinates must be finite lon/lat (``not_lonlat``); a geometry whose lon/lat
      swapped twin is where the data should be is ``swapped_lonlat``.
    * Invalid geometries are refused with the GEOS reason and place (``invalid``).
    * With ``governed_area`` (a shapely geometry, prepared or not, or a
      ``shapely.prepared.PreparedGeometry``) the geometry must be covered by it
      (boundary included), else ``outside_area``.
    """
    if expected not in _FAMILIES:
        raise ValueError(f"expected must be one of {STORED_TYPES}, not {expected!r}")
    if geom is None or geom.is_empty:
        raise GeometryError("empty", "几何为空：没有任何坐标")
    area = _as_prepared(governed_area)
    geom = _as_expected_type(shapely.force_2d(geom), expected)
    _check_lonlat(geom, area)
    _check_valid(geom)
    _check_location(geom, area)
    return geom


def load_governed_area(session: Session) -> BaseGeometry | None:
    """The union of all district polygons, prepared for fast ``covers`` tests.

    Read once per import / request, not per feature. None when no district exists yet.
    """
    wkb = session.execute(
        text("SELECT ST_AsBinary(ST_Union(geom)) FROM region WHERE level = 'district'")
    ).scalar()
    if wkb is None:
        return None
    area = shapely.from_wkb(bytes(wkb))
    shapely.prepare(area)
    return area


def checked_point(
    session: Session, lon: float, lat: float, *, error: type[DomainError], prefix: str
) -> BaseGeometry:
    """A position sent as lon/lat, validated like any geometry at the door (in range, not
    swapped, inside the governed district); else the domain's `error`, worded
    "`prefix`：why"."""
    try:
        return validate_geometry(
            Point(lon, lat), expected="Point", governed_area=load_governed_area(session)
        )
    except GeometryError as e:
        raise error(f"{prefix}：{e.message}") from None


# ------------------------------------------------------------------------------ types


def _label(type_name: str) -> str:
    return f"{_TYPE_LABELS.get(type_name, type_name)}（{type_name}）"


def _as_expected_type(geom: BaseGeometry, expected: str) -> BaseGeometry:
    single, multi = _FAMILIES[expected]
    if geom.geom_type == "GeometryCollection":
        geom = _collection_as_multi(geom, expected)
    if geom.geom_type == "LinearRing" and single == "LineString":
        geom = LineString(geom.coords)
    if geom.geom_type not in (single, multi):
        raise GeometryError(
            "wrong_type", f"几何类型错误：应为{_label(expected)}，实际为{_label(geom.geom_type)}"
        )
    if expected == "MultiPolygon":
        return MultiPolygon([geom]) if isinstance(geom, Polygon) else geom
    if geom.geom_type == multi:
        parts = list(geom.geoms)
        if len(parts) != 1:
            raise GeometryError(
                "too_many_parts",
                f"几何包含 {len(parts)} 个部分，应为单个{_label(expected)}；请拆分为多个要素",
            )
        return parts[0]
    return geom


def _collection_as_multi(geom: BaseGeometry, expected: str) -> BaseGeometry:
    """A collection whose parts are all of the expected family, as a multi-geometry."""
    single, _ = _FAMILIES[expected]
    parts = [p for p in shapely.get_parts(geom) if not p.is_empty]
    flat: list[BaseGeometry] = []
    for part in parts:
        flat.extend(shapely.get_parts(part) if part.geom_type.startswith("Multi") else [part])
    if not flat or any(p.geom_type != single for p in flat):
        kinds = "、".join(sorted({_TYPE_LABELS.get(p.geom_type, p.geom_type) for p in flat}))
        raise GeometryError(
            "wrong_type", f"几何类型错误：应为{_label(expected)}，实际为几何集合（含{kinds}）"
        )
    return _MULTI_CLASSES[expected](flat)


# ---------------------------------------------------------------------- coordinates


def _swap(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda c: c[:, ::-1])


def _in_lonlat_range(geom: BaseGeometry) -> bool:
    xy = shapely.get_coordinates(geom)
    return bool(np.all(np.abs(xy[:, 0]) <= 180.0) and np.all(np.abs(xy[:, 1]) <= 90.0))


def _looks_swapped(geom: BaseGeometry, area: BaseGeometry | None) -> bool:
    swapped = _swap(geom)
    return _in_lonlat_range(swapped) and shapely.covers(
        area if area is not None else CHINA_BOX, swapped
    )


_SWAPPED_MESSAGE = "经纬度顺序颠倒：看起来是（纬度, 经度），请按（经度, 纬度）提供"


def _check_lonlat(geom: BaseGeometry, area: BaseGeometry | None) -> None:
    xy = shapely.get_coordinates(geom)
    if not np.all(np.isfinite(xy)):
        raise GeometryError("invalid", "几何无效：坐标中含有非数值（NaN 或无穷大）")
    if _in_lonlat_range(geom):
        return
    if _looks_swapped(geom, area):
        raise GeometryError("swapped_lonlat", _SWAPPED_MESSAGE)
    x, y = xy[0]
    raise GeometryError(
        "not_lonlat",
        f"坐标不是经纬度，请确认坐标系（首个坐标为 {_fmt(x)} {_fmt(y)}，"
        "经度应在 -180~180、纬度应在 -90~90 之间）",
    )


def _check_valid(geom: BaseGeometry) -> None:
    if geom.is_valid:
        return
    explanation = explain_validity(geom)
    match = _VALIDITY_RE.match(explanation)
    if match is None:
        raise GeometryError("invalid", f"几何无效：{explanation}")
    reason = match["reason"]
    zh = _REASONS_ZH.get(reason, "拓扑错误")
    where = f"{_fmt(float(match['x']))} {_fmt(float(match['y']))}"
    raise GeometryError("invalid", f"几何无效：{zh}（{reason}）于 {where}")


def _check_location(geom: BaseGeometry, area: BaseGeometry | None) -> None:
    if shapely.covers(area if area is not None else CHINA_BOX, geom):
        return
    if _looks_swapped(geom, area):
        raise GeometryError("swapped_lonlat", _SWAPPED_MESSAGE)
    if area is None:
        return  # no governed area known: nothing else to hold it to
    raise GeometryError("outside_area", f"位置不在辖区范围内{_first_outside(geom, area)}")


def _first_outside(geom: BaseGeometry, area: BaseGeometry) -> str:
    points = shapely.points(shapely.get_coordinates(geom))
    outside = points[~shapely.covers(area, points)]
    if len(outside) == 0:  # every vertex inside, an edge crosses out (concave area)
        return ""
    return f"（{_fmt(outside[0].x)} {_fmt(outside[0].y)}）"


def _as_prepared(area: Any) -> BaseGeometry | None:
    if area is None:
        return None
    area = getattr(area, "context", area)  # shapely.prepared.PreparedGeometry
    shapely.prepare(area)  # in place; a no-op when already prepared
    return area  # type: ignore[no-any-return]


def _fmt(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


__all__ = [
    "CHINA_BOX",
    "STORED_TYPES",
    "GeometryError",
    "load_governed_area",
    "validate_geometry",
]
