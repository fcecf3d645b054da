"""Writing checked features: batched INSERTs, then one UPDATE linking them to regions.

* points and polygons → the grid that covers the feature's ST_PointOnSurface;
* lines (streets, patrol routes) → the town that covers the line's midpoint
  (ST_LineInterpolatePoint(geom, 0.5)) — a simple, documented stand-in for "the town
  the line mostly lies in".
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from geoalchemy2.shape import from_shape
from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from data.importer.checks import any_of
from data.importer.rules import LayerSpec
from data.importer.validation import Checked
from geo.core.srid import STORAGE_SRID
from geo.layers import Layer
from geo.region.models import Region, RegionLevel

BATCH_SIZE = 1000


def insert_features(session: Session, spec: LayerSpec, checked: list[Checked]) -> list[int]:
    """Insert every feature in batches; return the new ids in file order."""
    table = spec.layer.table
    rows = [_row(spec, item) for item in checked]
    ids: list[int] = []
    for start in range(0, len(rows), BATCH_SIZE):
        result = session.execute(
            insert(table).returning(table.c.id), rows[start : start + BATCH_SIZE]
        )
        ids.extend(result.scalars().all())
    return ids


def _row(spec: LayerSpec, item: Checked) -> dict[str, Any]:
    assert item.geom is not None
    row: dict[str, Any] = {}
    for name, column in spec.columns.items():
        value = item.values.get(name)
        if value is None and name in spec.derived:
            value = spec.derived[name](item.geom)
        if value is None and column.default is not None and column.default.is_scalar:
            default = getattr(column.default, "arg", None)
            value = default.value if isinstance(default, StrEnum) else default
        row[name] = value
    for name, derive in spec.derived.items():
        if name not in row:  # extra geometries such as a site's entrance
            row[name] = derive(item.geom)
    if spec.layer.region_level is not None:
        row["level"], row["parent_id"] = item.values["level"], item.values.get("parent_id")
    row["geom"] = from_shape(item.geom, srid=STORAGE_SRID)
    return row


def assign_regions(session: Session, layer: Layer, ids: list[int]) -> int:
    """Set region_id of the given rows in one UPDATE; return how many got one.

    Points and polygons go to the grid covering ST_PointOnSurface(geom), lines to the town
    covering their midpoint. Where regions overlap (they should not) the smallest wins.
    """
    table = layer.table
    if "region_id" not in table.c or not ids:
        return 0
    region = Region.__table__
    if layer.geometry_type == "LineString":
        level, anchor = RegionLevel.TOWN, func.ST_LineInterpolatePoint(table.c.geom, 0.5)
    else:
        level, anchor = RegionLevel.GRID, func.ST_PointOnSurface(table.c.geom)
    match = (
        select(table.c.id.label("feature_id"), region.c.id.label("region_id"))
        .join(region, func.ST_Covers(region.c.geom, anchor))
        .where(region.c.level == level.value)
        .where(any_of(table.c.id, ids))
        .order_by(table.c.id, func.ST_Area(region.c.geom), region.c.id)
        .ext(distinct_on(table.c.id))
        .subquery()
    )
    result = session.execute(
        update(table).where(table.c.id == match.c.feature_id).values(region_id=match.c.region_id)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
