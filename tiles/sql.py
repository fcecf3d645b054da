"""The tile SQL: one statement per layer, GeoJSON-free, parameters bound.

The index filter compares the stored geometry with the tile envelope transformed into the
storage CRS (`geom && ST_Transform(envelope, 4490)`), so the GiST index on `geom` is used
and nothing is transformed for rows outside the tile.

Business layers are cut to the actor's data scope (SYS-10) with a bound `:scope_path`;
`actor=None` (the basemap, district-wide users) adds nothing to the statement.
"""

from __future__ import annotations

import math

from sqlalchemy import TextClause, text

from geo.core.actor import Actor
from geo.core.srid import STORAGE_SRID
from geo.feature.scope import layer_scope_sql
from tiles.registry import TileLayer

EXTENT = 4096
BUFFER = 64
EARTH_CIRCUMFERENCE_M = 2 * math.pi * 6378137.0


def pixel_m(z: int) -> float:
    """Size of one screen pixel (256-px tile pyramid) in web-mercator metres at zoom z."""
    return EARTH_CIRCUMFERENCE_M / (256 * 2**z)


def pixel_deg(z: int) -> float:
    return 360.0 / (256 * 2**z)


def _scope(layer: TileLayer, actor: Actor | None) -> str:
    level = layer.source.region_level
    rows = f" AND t.level = '{level.value}'" if level else ""
    return rows + layer_scope_sql(actor, layer.source)


def _size_filter(layer: TileLayer, z: int) -> str:
    if not layer.min_size_px:
        return ""
    # The bbox side in degrees is a cheap stand-in for "how big on screen".
    return (
        " AND greatest(ST_XMax(t.geom) - ST_XMin(t.geom), ST_YMax(t.geom) - ST_YMin(t.geom))"
        f" >= {layer.min_size_px * pixel_deg(z)!r}"
    )


def _geometry(layer: TileLayer, z: int) -> str:
    geom = "ST_Transform(t.geom, 3857)"
    if z < layer.simplify_below:
        geom = f"ST_Simplify({geom}, {pixel_m(z) / 2!r}, true)"
    return geom


TILE_IN_STORAGE = f"ST_Transform(ST_TileEnvelope(:z, :x, :y), {STORAGE_SRID})"
ENVELOPE_FILTER = (
    f"t.geom && ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => {BUFFER / EXTENT}), "
    f"{STORAGE_SRID})"
)


def tile_statement(layer: TileLayer, z: int, *, actor: Actor | None) -> TextClause:
    """One layer of one tile as MVT bytes (NULL when nothing falls in it)."""
    if z < layer.cluster_below:
        return _clustered(layer, z, actor)
    props = "".join(f", t.{p}" for p in layer.properties)
    return text(f"""
        SELECT ST_AsMVT(q, '{layer.id}', {EXTENT}, 'geom', 'id') FROM (
            SELECT t.id{props},
                   ST_AsMVTGeom({_geometry(layer, z)}, ST_TileEnvelope(:z, :x, :y),
                                {EXTENT}, {BUFFER}, true) AS geom
            FROM {layer.table} t
            WHERE {ENVELOPE_FILTER}{_scope(layer, actor)}{_size_filter(layer, z)}
            ORDER BY {layer.priority}
            LIMIT {layer.cap}
        ) q WHERE q.geom IS NOT NULL""")


def _clustered(layer: TileLayer, z: int, actor: Actor | None) -> TextClause:
    """Points aggregated into 48-pixel cells: a count per cell; a lone point keeps its
    id and properties so it can still be clicked. No margin here: a point is counted in
    the one tile that holds it, never again in its neighbour's."""
    cell = pixel_deg(z) * 48  # snapped in the stored CRS: no per-point transform
    props = "".join(
        f", CASE WHEN count(*) = 1 THEN min(t.{p}::text) END AS {p}" for p in layer.properties
    )
    return text(f"""
        SELECT ST_AsMVT(q, '{layer.id}', {EXTENT}, 'geom', 'id') FROM (
            SELECT min(t.id) AS id, count(*)::int AS point_count{props},
                   ST_AsMVTGeom(ST_Transform(ST_Centroid(ST_Collect(t.geom)), 3857),
                                ST_TileEnvelope(:z, :x, :y), {EXTENT}, {BUFFER}, true) AS geom
            FROM {layer.table} t
            WHERE ST_Intersects(t.geom, {TILE_IN_STORAGE}){_scope(layer, actor)}
            GROUP BY ST_SnapToGrid(t.geom, {cell!r})
        ) q WHERE q.geom IS NOT NULL""")


def label_statement(layer: TileLayer, *, actor: Actor | None) -> TextClause:
    """The `<id>_label` layer: each area's stored label point, in exactly one tile."""
    return text(f"""
        SELECT ST_AsMVT(q, '{layer.id}_label', {EXTENT}, 'geom', 'id') FROM (
            SELECT t.id, t.name,
                   ST_AsMVTGeom(ST_Transform(t.label_point, 3857), ST_TileEnvelope(:z, :x, :y),
                                {EXTENT}, 0, true) AS geom
            FROM {layer.table} t
            WHERE t.label_point && {TILE_IN_STORAGE}
                  {_scope(layer, actor)}
        ) q WHERE q.geom IS NOT NULL""")
