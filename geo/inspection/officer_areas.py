"""An officer's enforcement area (DR-3, GIS-6): drawn, or the union of picked regions.

A drawn area is validated at the door — GeoJSON, a polygon, valid, lon/lat in that order
— and must lie inside the officer's own region: it is refused (never clipped) with the
part outside in m² and as GeoJSON for the map. Picked regions (grids, communities,
towns) must lie in the actor's scope and inside the officer's region; the area stored is
their union as one MultiPolygon, and their ids are kept to show what was picked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.errors import NotFound
from geo.core.geometry import GeometryError, validate_geometry
from geo.core.scope import path_within
from geo.inspection import officer_repository as repo
from geo.inspection.register_rules import AreaRefused
from geo.region.service import SLIVER_M2

__all__ = ["OfficerRegion", "drawn_area", "picked_area", "resolve_area"]


class OfficerRegion:
    """The region an officer belongs to (their user's): the area must lie inside it."""

    def __init__(self, region_id: int, name: str, path: str) -> None:
        self.id, self.name, self.path = region_id, name, path


def resolve_area(
    session: Session,
    *,
    actor: Actor,
    region: OfficerRegion,
    drawn: dict[str, Any] | None,
    region_ids: Sequence[int] | None,
) -> tuple[BaseGeometry, list[int] | None]:
    """The area to store and the picked region ids (None when drawn)."""
    if (drawn is None) == (region_ids is None):
        raise AreaRefused("请在地图上绘制执法区域，或选择网格、社区、镇（街道），二者选其一")
    if drawn is not None:
        return drawn_area(session, drawn, region=region), None
    ids = sorted(set(region_ids or ()))
    return picked_area(session, actor=actor, region_ids=ids, region=region), ids


def drawn_area(session: Session, geojson: dict[str, Any], *, region: OfficerRegion) -> BaseGeometry:
    try:
        geom = shape(geojson)
    except Exception:  # shapely raises KeyError, TypeError, ValueError or GEOSException
        raise AreaRefused(
            "执法区域不是有效的 GeoJSON 几何（应为 Polygon 或 MultiPolygon）"
        ) from None
    try:
        # The officer's region is inside the governed area, so it is the tighter test
        # (done below in m²); here: type, validity, lon/lat order.
        geom = validate_geometry(geom, expected="MultiPolygon")
    except GeometryError as e:
        raise AreaRefused(f"执法区域{e.message}") from None
    m2, outside = repo.outside_part(session, geom, region_id=region.id)
    if m2 > SLIVER_M2:
        raise AreaRefused(
            f"执法区域超出该执法人员所属区划“{region.name}”约 {_square_metres(m2)} 平方米，"
            "请将区域收回辖区之内（红色为超出部分）",
            area_m2=m2,
            geometry=outside,
        )
    return geom


def picked_area(
    session: Session, *, actor: Actor, region_ids: Sequence[int], region: OfficerRegion
) -> BaseGeometry:
    refs = {r.id: r for r in repo.region_refs(session, region_ids)}
    for region_id in region_ids:
        ref = refs.get(region_id)
        if ref is None or not path_within(ref.path, actor.region_path):
            raise NotFound(f"未找到区划（编号 {region_id}），或不在您的管辖范围内")
        if not path_within(ref.path, region.path):
            raise AreaRefused(
                f"“{ref.name}”不在该执法人员所属区划“{region.name}”内，不能作为其执法区域"
            )
    return repo.union_of_regions(session, region_ids)


def _square_metres(m2: float) -> str:
    return f"{m2:.1f}" if m2 < 10 else f"{m2:,.0f}"
