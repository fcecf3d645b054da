"""SQL of the feature API: GeoJSON is built in PostGIS, one text row per feature.

Pages are keyset pages on the primary key (`id > :after ORDER BY id LIMIT n`), so the last
page of the biggest table costs the same as the first; there is no OFFSET anywhere.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, Text, and_, cast, func, literal, select
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.orm import Session

from geo.core.srid import STORAGE_SRID
from geo.feature.query import FeatureQuery
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


def _conditions(layer: Layer, q: FeatureQuery) -> list[ColumnElement[bool]]:
    t = layer.table
    conds = list(layer.scope())
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


def items_statement(layer: Layer, q: FeatureQuery) -> Select:
    t = layer.table
    return (
        select(t.c.id, _feature_text(layer).label("feature"))
        .where(and_(True, *_conditions(layer, q)))
        .order_by(t.c.id)
        .limit(q.limit + 1)  # one more row tells whether there is a next page
    )


def fetch_items(session: Session, layer: Layer, q: FeatureQuery) -> tuple[list[str], int | None]:
    """The feature texts of one page, and the cursor of the next page (None at the end)."""
    rows = session.execute(items_statement(layer, q)).all()
    page = rows[: q.limit]
    next_cursor = page[-1].id if len(rows) > q.limit else None
    return [r.feature for r in page], next_cursor


def fetch_item(session: Session, layer: Layer, feature_id: int) -> str | None:
    t = layer.table
    return session.execute(
        select(_feature_text(layer)).where(and_(t.c.id == feature_id, *layer.scope()))
    ).scalar()


def spatial_extent(session: Session, layer: Layer) -> list[float] | None:
    """[minx, miny, maxx, maxy] of the layer's features (exact: statistics-based estimates
    can fall short of the true extent, and clients zoom to this box)."""
    t = layer.table
    box = func.ST_Extent(t.c.geom)
    row = session.execute(
        select(func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box)).where(
            and_(True, *layer.scope())
        )
    ).one()
    return None if row[0] is None else [round(v, 7) for v in row]


def temporal_extent(session: Session, layer: Layer) -> tuple[datetime, datetime] | None:
    if layer.temporal is None:
        return None
    col = layer.table.c[layer.temporal]
    row = session.execute(select(func.min(col), func.max(col))).one()
    return None if row[0] is None else (row[0], row[1])
