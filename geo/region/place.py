"""A feature's place in one statement: its grid, the grid's community and town, joined by
parent links (aliases shared by every list that shows them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, aliased

from geo.core.models import stored_point
from geo.region.models import Region

GRID = aliased(Region, name="grid")
COMMUNITY = aliased(Region, name="community")
TOWN = aliased(Region, name="town")


def with_place(query: Any, region_id: Any) -> Any:
    """Outer-join GRID (the region `region_id` points at), its COMMUNITY and TOWN: a row
    placed higher up (e.g. at the district) keeps empty community and town."""
    return (
        query.outerjoin(GRID, GRID.id == region_id)
        .outerjoin(COMMUNITY, COMMUNITY.id == GRID.parent_id)
        .outerjoin(TOWN, TOWN.id == COMMUNITY.parent_id)
    )


def grid_at(session: Session, *, lon: float, lat: float) -> Row[Any] | None:
    """(id, name, path) of the grid covering the point, boundary included; on an edge two
    grids share, the lower id, so the answer never depends on the plan."""
    return session.execute(
        select(Region.id, Region.name, func.ltree2text(Region.path).label("path"))
        .where(Region.level == "grid", func.ST_Covers(Region.geom, stored_point(lon, lat)))
        .order_by(Region.id)
        .limit(1)
    ).first()
