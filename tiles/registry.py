"""How each layer becomes a vector tile: which properties, which zooms, what to drop.

One entry per OGC collection (same ids, same tables and scopes as geo/layers.py), plus the
basemap: a multi-layer tile of our own towns, communities, streets and buildings so the
map has a base with no internet.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from geo.layers import LAYERS, Layer

MAX_ZOOM = 20


@dataclass(frozen=True)
class TileLayer:
    id: str  # the source-layer name inside the tile
    source: Layer  # table, scope and geometry type
    properties: tuple[str, ...]  # exposed in the tile (the card fetches the rest)
    minzoom: int = 0
    maxzoom: int = MAX_ZOOM
    cap: int = 5000  # features per tile, most important first
    priority: str = "id DESC"  # which features survive the cap (SQL over the table `t`)
    min_size_px: float = 0.0  # features whose bbox is smaller than this on screen vanish
    simplify_below: int = 0  # simplify geometry (pixel tolerance) below this zoom
    cluster_below: int = 0  # points are aggregated into cells below this zoom
    # Areas also get a `<id>_label` layer: one point per area, inside it, in exactly one
    # tile — so a name is written once, not once per tile the area crosses.
    label_points: bool = False

    @property
    def table(self) -> str:
        return self.source.table.name


# Polygons compete for the per-tile cap by the size of their bounding box.
LARGEST_FIRST = "(ST_XMax(t.geom) - ST_XMin(t.geom)) * (ST_YMax(t.geom) - ST_YMin(t.geom)) DESC"


def _layer(id_: str, props: tuple[str, ...], **kw: object) -> TileLayer:
    return TileLayer(id_, LAYERS[id_], props, **kw)  # type: ignore[arg-type]


TILE_LAYERS: dict[str, TileLayer] = {
    t.id: t
    for t in (
        _layer("towns", ("name", "code"), simplify_below=12, label_points=True),
        _layer(
            "communities",
            ("name", "code", "parent_id"),
            minzoom=8,
            simplify_below=13,
            label_points=True,
        ),
        _layer(
            "grids",
            ("name", "code", "parent_id"),
            minzoom=10,
            simplify_below=14,
            label_points=True,
        ),
        _layer(
            "streets",
            ("name", "road_class"),
            minzoom=11,
            min_size_px=2.0,
            priority="length_m DESC",
            simplify_below=14,
        ),
        _layer(
            "buildings",
            ("name", "floors", "use"),
            minzoom=13,
            cap=4000,
            min_size_px=1.5,
            priority=LARGEST_FIRST,
        ),
        _layer(
            "enterprises", ("name", "category", "risk_list"), minzoom=10, cap=3000, cluster_below=15
        ),
        _layer("construction_sites", ("name", "status"), minzoom=10),
        _layer("patrol_routes", ("name", "kind"), minzoom=11),
        _layer(
            "events",
            ("title", "category_code", "status", "severity", "reported_at"),
            minzoom=8,
            cap=4000,
            priority="reported_at DESC",
            cluster_below=15,
        ),
        _layer("cameras", ("name", "kind", "online"), minzoom=11),
        _layer("party_sites", ("name", "kind", "organisation"), minzoom=10),
    )
}

# The offline base map: the same tables and rules with fewer properties, streets from z10.
BASEMAP: tuple[TileLayer, ...] = (
    replace(TILE_LAYERS["towns"], properties=("name",), label_points=False),
    replace(TILE_LAYERS["communities"], properties=("name",), minzoom=10, label_points=False),
    replace(TILE_LAYERS["streets"], minzoom=10),
    replace(TILE_LAYERS["buildings"], properties=("floors", "use")),
)
BASEMAP_ID = "basemap"

# Which tile sources a change to a table can touch (for cache invalidation).
SOURCES_BY_TABLE: dict[str, set[str]] = {}
for _t in TILE_LAYERS.values():
    SOURCES_BY_TABLE.setdefault(_t.table, set()).add(_t.id)
for _t in BASEMAP:
    SOURCES_BY_TABLE.setdefault(_t.table, set()).add(BASEMAP_ID)
