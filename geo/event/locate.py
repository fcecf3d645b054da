"""Before a report (GIS-5): where a point would land — its grid, community, town and the
grid's responsible member — or why a report there is refused; and the category
dictionary a report chooses from. `geo.event.service.report_event` refuses with the same
reasons, so the form says beforehand what the report would say."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.scope import region_in_scope
from geo.event import repository as repo
from geo.event.schemas import CategoryNode, PointLocation

__all__ = ["TO_DISTRICT", "Placement", "list_categories", "locate_point", "place_report"]

# A dispatcher's report outside every grid (inside the district) goes to the district
# centre's pool; the history's first line says so.
TO_DISTRICT = "【位置不在任何网格内，已转入区指挥中心待派遣】"


def outside_every_grid(lon: float, lat: float) -> str:
    return (
        f"位置（经度 {lon}，纬度 {lat}）不在任何网格内，无法确定责任网格；"
        "请核对位置，辖区外的问题请联系区指挥中心"
    )


def outside_district(lon: float, lat: float) -> str:
    return (
        f"位置（经度 {lon}，纬度 {lat}）不在任何网格内，也不在本区范围内，不能上报；"
        "请核对位置（经纬度是否填反）"
    )


def outside_scope(grid_name: str) -> str:
    return f"该位置属于“{grid_name}”，不在您的管辖范围内，不能在此上报"


@dataclass(frozen=True)
class Placement:
    """Where a report at a point goes: into a grid, up to the district centre (a
    dispatcher's point in no grid), or nowhere, with the reason."""

    grid: Row[Any] | None = None
    district: Row[Any] | None = None
    refusal: str | None = None


def place_report(session: Session, *, actor: Actor, lon: float, lat: float) -> Placement:
    """The one decision behind both the report and the form's preview of it."""
    grid = repo.locate_grid(session, lon=lon, lat=lat)
    if grid is not None:
        if not region_in_scope(session, actor, grid.id):
            return Placement(refusal=outside_scope(grid.name))
        return Placement(grid=grid)
    district = repo.locate_district(session, lon=lon, lat=lat)
    if district is None:
        return Placement(refusal=outside_district(lon, lat))
    if not actor.can("event.dispatch"):
        return Placement(refusal=outside_every_grid(lon, lat))
    return Placement(district=district)


def locate_point(session: Session, *, actor: Actor, lon: float, lat: float) -> PointLocation:
    actor.require("event.report")
    placement = place_report(session, actor=actor, lon=lon, lat=lat)
    if placement.refusal is not None:
        # Only the reason (naming at most the grid): nothing else of another town.
        return PointLocation(lon=lon, lat=lat, reportable=False, reason=placement.refusal)
    if placement.grid is None:
        return PointLocation(lon=lon, lat=lat, reportable=True, notice=TO_DISTRICT.strip("【】"))
    place = repo.grid_place(session, grid_id=placement.grid.id)
    assert place is not None
    return PointLocation(lon=lon, lat=lat, reportable=True, **place._mapping)


def list_categories(session: Session, *, actor: Actor) -> list[CategoryNode]:
    """The dictionary as a tree (two levels after GB/T 30428.2), in display order."""
    actor.require("event.view")
    nodes: dict[str, CategoryNode] = {}
    roots: list[CategoryNode] = []
    rows = repo.category_rows(session)
    for row in rows:
        nodes[row.code] = CategoryNode(code=row.code, name=row.name, default_days=row.default_days)
    for row in rows:
        parent = nodes.get(row.parent_code) if row.parent_code else None
        (parent.children if parent else roots).append(nodes[row.code])
    return roots
