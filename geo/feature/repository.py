"""SQL of the feature API: GeoJSON is built in PostGIS, one text row per feature.

Pages are keyset pages on the primary key (`id > :after ORDER BY id LIMIT n`), so the last
page of the biggest table costs the same as the first; there is no OFFSET anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    Text,
    and_,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.srid import STORAGE_SRID
from geo.feature.query import FeatureQuery
from geo.feature.scope import layer_scope
from geo.layers import Layer

GEOJSON_DECIMALS = 7  # ~1 cm


def _geojson(column: ColumnElement) -> ColumnElement:
    # options 0: no "crs" member (RFC 7946 GeoJSON is always lon/lat)
    return cast(func.ST_AsGeoJSON(column, GEOJSON_DECIMALS, 0), JSON)


def _feature_text(layer: Layer) -> ColumnElement[str]:
    t = layer.table
    pairs: list[ColumnElement] = []
    for p in layer.properties:
        pairs += [literal(p.name), t.c[p.name]]
    for extra in layer.extra_geometries:
        pairs += [literal(extra), _geojson(t.c[extra])]
    feature = func.json_build_object(
        literal("type"),
        literal("Feature"),
        literal("id"),
        t.c.id,
        literal("geometry"),
        _geojson(t.c.geom),
        literal("properties"),
        func.json_build_object(*pairs),
    )
    return cast(feature, Text)


def _conditions(layer: Layer, q: FeatureQuery, actor: Actor | None) -> list[ColumnElement[bool]]:
    t = layer.table
    conds = [*layer.scope(), *layer_scope(actor, layer)]
    if q.bbox is not None:
        conds.append(func.ST_Intersects(t.c.geom, func.ST_MakeEnvelope(*q.bbox, STORAGE_SRID)))
    if layer.temporal is not None and q.start is not None:
        conds.append(t.c[layer.temporal] >= q.start)
    if layer.temporal is not None and q.end is not None:
        conds.append(t.c[layer.temporal] <= q.end)
    conds += [t.c[name] == value for name, value in q.filters.items()]
    if q.after_id is not None:
        conds.append(t.c.id > q.after_id)
    return conds


def items_statement(layer: Layer, q: FeatureQuery, *, actor: Actor | None) -> Select:
    """One page of features the actor may read (`actor=None`: an internal caller, all)."""
    t = layer.table
    return (
        select(t.c.id, _feature_text(layer).label("feature"))
        .where(and_(True, *_conditions(layer, q, actor)))
        .order_by(t.c.id)
        .limit(q.limit + 1)  # one more row tells whether there is a next page
    )


def fetch_items(
    session: Session, layer: Layer, q: FeatureQuery, *, actor: Actor | None
) -> tuple[list[str], int | None]:
    """The feature texts of one page, and the cursor of the next page (None at the end)."""
    rows = session.execute(items_statement(layer, q, actor=actor)).all()
    page = rows[: q.limit]
    next_cursor = page[-1].id if len(rows) > q.limit else None
    return [r.feature for r in page], next_cursor


def fetch_item(
    session: Session, layer: Layer, feature_id: int, *, actor: Actor | None
) -> str | None:
    """The feature, or None when there is none or it lies outside the actor's scope."""
    t = layer.table
    where = and_(t.c.id == feature_id, *layer.scope(), *layer_scope(actor, layer))
    return session.execute(select(_feature_text(layer)).where(where)).scalar()


@dataclass(frozen=True)
class Extent:
    bbox: list[float] | None  # [minx, miny, maxx, maxy]
    interval: tuple[datetime, datetime] | None  # of the layer's temporal property


def extents(session: Session, layers: Iterable[Layer], *, actor: Actor | None) -> dict[str, Extent]:
    """Exact spatial (and temporal) extents of the rows the actor may read, several layers
    in one round trip.

    Exact, not the planner's estimate: estimates can fall short of the true extent, and
    clients zoom to this box."""
    parts = []
    for layer in layers:
        t = layer.table
        box = func.ST_Extent(t.c.geom)
        start = func.min(t.c[layer.temporal]) if layer.temporal else null()
        end = func.max(t.c[layer.temporal]) if layer.temporal else null()
        parts.append(
            select(
                literal(layer.id).label("layer"),
                func.ST_XMin(box).label("minx"),
                func.ST_YMin(box).label("miny"),
                func.ST_XMax(box).label("maxx"),
                func.ST_YMax(box).label("maxy"),
                cast(start, DateTime(timezone=True)).label("start"),
                cast(end, DateTime(timezone=True)).label("end"),
            ).where(and_(True, *layer.scope(), *layer_scope(actor, layer)))
        )
    found = {}
    for row in session.execute(union_all(*parts)).mappings():
        bbox = (
            None
            if row["minx"] is None
            else [round(row[k], 7) for k in ("minx", "miny", "maxx", "maxy")]
        )
        interval = None if row["start"] is None else (row["start"], row["end"])
        found[row["layer"]] = Extent(bbox, interval)
    return found
