"""TileJSON 3.0.0 documents for each tile source."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tiles.registry import BASEMAP_ID, TileLayer
from tiles.service import layers_of

JSON_TYPES = {"string": "String", "integer": "Number", "number": "Number", "boolean": "Boolean"}


def governed_bounds(session: Session) -> list[float]:
    row = session.execute(
        text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
            "(SELECT ST_Extent(geom) AS e FROM region WHERE level = 'district') d"
        )
    ).one()
    return [round(v, 6) for v in row] if row[0] is not None else [-180, -85.0511, 180, 85.0511]


def _fields(layer: TileLayer) -> dict[str, str]:
    fields = {}
    for name in layer.properties:
        prop = layer.source.property(name)
        fields[name] = f"{prop.label}（{JSON_TYPES.get(prop.type, 'String')}）" if prop else name
    if layer.cluster_below:
        fields["point_count"] = f"聚合点数（Number，{layer.cluster_below} 级以下）"
    return fields


def tilejson(session: Session, source: str, base: str) -> dict[str, Any]:
    layers = layers_of(source)
    bounds = governed_bounds(session)
    minzoom = min(layer.minzoom for layer in layers)
    maxzoom = max(layer.maxzoom for layer in layers)
    return {
        "tilejson": "3.0.0",
        "name": "底图" if source == BASEMAP_ID else layers[0].source.title,
        "description": "平台自有数据绘制的离线底图"
        if source == BASEMAP_ID
        else layers[0].source.description,
        "scheme": "xyz",
        "tiles": [f"{base}/tiles/{source}/{{z}}/{{x}}/{{y}}.mvt"],
        "minzoom": minzoom,
        "maxzoom": maxzoom,
        "bounds": bounds,
        "center": [
            round((bounds[0] + bounds[2]) / 2, 6),
            round((bounds[1] + bounds[3]) / 2, 6),
            max(minzoom, 11),
        ],
        "vector_layers": [
            *(
                {
                    "id": layer.id,
                    "description": layer.source.title,
                    "minzoom": layer.minzoom,
                    "maxzoom": layer.maxzoom,
                    "fields": _fields(layer),
                }
                for layer in layers
            ),
            *(
                {
                    "id": f"{layer.id}_label",
                    "description": f"{layer.source.title}注记点",
                    "minzoom": layer.minzoom,
                    "maxzoom": layer.maxzoom,
                    "fields": {"name": "名称（String）"},
                }
                for layer in layers
                if layer.label_points
            ),
        ],
    }
