"""The MapLibre style of the map shell: our own offline base map plus one source per layer.

Every style layer carries `metadata` naming the data layer and its group, which is how the
layer switcher turns groups on and off. Colours and legends are declared here once.
"""

from __future__ import annotations

from typing import Any

from geo.layers import BUILDING_COLOURS, EVENT_STATUS_COLOURS, LAYERS, RISK_COLOURS
from tiles.registry import BASEMAP_ID, TILE_LAYERS

FONT = ["Noto Sans Regular"]
GROUPS = {
    "administrative": "行政区划",
    "housing": "人房",
    "enterprises": "企业与工地",
    "events": "事件与巡查",
    "cameras": "视频监控",
    "party": "党建",
}
LAYER_GROUP = {
    "towns": "administrative",
    "communities": "administrative",
    "grids": "administrative",
    "streets": "housing",
    "buildings": "housing",
    "enterprises": "enterprises",
    "construction_sites": "enterprises",
    "events": "events",
    "patrol_routes": "events",
    "cameras": "cameras",
    "party_sites": "party",
}
# (layer, coded property) → colour per value; the Chinese names come from geo/layers.py.
COLOURED_BY = {
    "events": ("status", EVENT_STATUS_COLOURS),
    "enterprises": ("risk_list", RISK_COLOURS),
    "buildings": ("use", BUILDING_COLOURS),
}
SIMPLE_LEGENDS = {
    "towns": [("镇（街道）界", "#6c5ce7")],
    "communities": [("社区（村）界", "#c0392b")],
    "grids": [("网格", "#2e86de")],
    "streets": [("道路", "#f6b93b")],
    "construction_sites": [("工地范围", "#f1c40f")],
    "patrol_routes": [("巡查路线", "#16a085")],
    "cameras": [("监控点位", "#34495e")],
    "party_sites": [("党建阵地", "#d63031")],
}
CLUSTER_COLOUR = "#c0392b"


def _match(prop: str, colours: dict[str, str], fallback: str) -> list[Any]:
    expr: list[Any] = ["match", ["get", prop]]
    for value, colour in colours.items():
        expr += [value, colour]
    return [*expr, fallback]


def legend(layer_id: str) -> list[dict[str, str]]:
    if layer_id in COLOURED_BY:
        prop, colours = COLOURED_BY[layer_id]
        names = LAYERS[layer_id].property(prop).values or {}  # type: ignore[union-attr]
        return [{"label": names.get(v, v), "color": c} for v, c in colours.items()]
    return [{"label": label, "color": colour} for label, colour in SIMPLE_LEGENDS[layer_id]]


def _meta(layer: str, group: str) -> dict[str, str]:
    return {"township:layer": layer, "township:group": group}


def _label(
    id_: str,
    source: str,
    source_layer: str,
    field: str,
    minzoom: float,
    maxzoom: float = 24,
    size: float = 12,
    colour: str = "#333333",
    placement: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "id": id_,
        "type": "symbol",
        "source": source,
        "source-layer": source_layer,
        "minzoom": minzoom,
        "maxzoom": maxzoom,
        "layout": {
            "text-field": ["get", field],
            "text-font": FONT,
            "text-size": size,
            "text-max-width": 8,
            **(placement or {}),
        },
        "paint": {"text-color": colour, "text-halo-color": "#ffffff", "text-halo-width": 1.4},
    }


def _basemap_layers() -> list[dict[str, Any]]:
    src = BASEMAP_ID
    meta = _meta(BASEMAP_ID, "basemap")
    road_width = ["interpolate", ["linear"], ["zoom"], 10, 0.4, 14, 2, 17, 10]
    layers: list[dict[str, Any]] = [
        {"id": "background", "type": "background", "paint": {"background-color": "#e9eef2"}},
        {
            "id": "basemap-towns-fill",
            "type": "fill",
            "source": src,
            "source-layer": "towns",
            "paint": {"fill-color": "#f5f3ee"},
        },
        {
            "id": "basemap-buildings",
            "type": "fill",
            "source": src,
            "source-layer": "buildings",
            "minzoom": 13,
            "paint": {"fill-color": "#ddd6c8", "fill-outline-color": "#cfc6b5"},
        },
        {
            "id": "basemap-streets-casing",
            "type": "line",
            "source": src,
            "source-layer": "streets",
            "layout": {"line-join": "round", "line-cap": "round"},
            "paint": {
                "line-color": "#d4cab8",
                "line-width": ["interpolate", ["linear"], ["zoom"], 10, 0.8, 14, 3.5, 17, 13],
            },
        },
        {
            "id": "basemap-streets",
            "type": "line",
            "source": src,
            "source-layer": "streets",
            "layout": {"line-join": "round", "line-cap": "round"},
            "paint": {
                "line-color": ["match", ["get", "road_class"], "arterial", "#fbd38d", "#ffffff"],
                "line-width": road_width,
            },
        },
        {
            "id": "basemap-towns-line",
            "type": "line",
            "source": src,
            "source-layer": "towns",
            "paint": {"line-color": "#a29bfe", "line-width": 1.2},
        },
        _label(
            "basemap-street-labels",
            src,
            "streets",
            "name",
            14,
            size=11,
            colour="#5a4e3c",
            placement={"symbol-placement": "line", "text-max-angle": 30},
        ),
    ]
    for layer in layers:
        layer["metadata"] = meta
    return layers


def _overlay_layers() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(layer_id: str, *style_layers: dict[str, Any]) -> None:
        tile = TILE_LAYERS[layer_id]
        for s in style_layers:
            s.setdefault("source", layer_id)
            s.setdefault("source-layer", layer_id)
            s.setdefault("minzoom", tile.minzoom)
            s["metadata"] = _meta(layer_id, LAYER_GROUP[layer_id])
            out.append(s)

    single = ["any", ["!", ["has", "point_count"]], ["==", ["get", "point_count"], 1]]
    cluster = [">", ["coalesce", ["get", "point_count"], 1], 1]
    add(
        "buildings",
        {
            "id": "buildings-fill",
            "type": "fill",
            "minzoom": 14,
            "paint": {
                "fill-color": _match("use", BUILDING_COLOURS, "#e3c9a8"),
                "fill-opacity": 0.85,
                "fill-outline-color": "#b3a48c",
            },
        },
    )
    add(
        "construction_sites",
        {
            "id": "construction_sites-fill",
            "type": "fill",
            "paint": {"fill-color": "#f1c40f", "fill-opacity": 0.25},
        },
        {
            "id": "construction_sites-line",
            "type": "line",
            "paint": {"line-color": "#d4a106", "line-width": 1.5, "line-dasharray": [3, 2]},
        },
    )
    add(
        "streets",
        {
            "id": "streets-hit",
            "type": "line",  # invisible, wide: makes streets clickable
            "paint": {"line-color": "#f6b93b", "line-opacity": 0, "line-width": 8},
        },
    )
    add(
        "grids",
        {
            "id": "grids-fill",
            "type": "fill",
            "minzoom": 11,
            "paint": {"fill-color": "#2e86de", "fill-opacity": 0.04},
        },
        {
            "id": "grids-line",
            "type": "line",
            "minzoom": 11,
            "paint": {"line-color": "#2e86de", "line-width": 1, "line-opacity": 0.8},
        },
        _label("grids-label", "grids", "grids_label", "name", 13.5, size=11, colour="#1b4f8a"),
    )
    add(
        "communities",
        {
            "id": "communities-line",
            "type": "line",
            "paint": {"line-color": "#c0392b", "line-width": 1.6, "line-dasharray": [4, 2]},
        },
        _label(
            "communities-label",
            "communities",
            "communities_label",
            "name",
            11,
            13.5,
            size=13,
            colour="#922b21",
        ),
    )
    add(
        "towns",
        {"id": "towns-line", "type": "line", "paint": {"line-color": "#6c5ce7", "line-width": 2.2}},
        _label("towns-label", "towns", "towns_label", "name", 8, 11, size=15, colour="#3d348b"),
    )
    add(
        "patrol_routes",
        {
            "id": "patrol_routes-line",
            "type": "line",
            "paint": {"line-color": "#16a085", "line-width": 2, "line-dasharray": [2, 1.5]},
        },
    )
    add(
        "enterprises",
        {
            "id": "enterprises-cluster",
            "type": "circle",
            "filter": cluster,
            "paint": {
                "circle-color": "#8395a7",
                "circle-opacity": 0.8,
                "circle-radius": [
                    "interpolate",
                    ["linear"],
                    ["get", "point_count"],
                    2,
                    8,
                    50,
                    16,
                    500,
                    24,
                ],
            },
        },
        {
            "id": "enterprises-point",
            "type": "circle",
            "filter": single,
            "paint": {
                "circle-color": _match("risk_list", RISK_COLOURS, "#8395a7"),
                "circle-radius": 5,
                "circle-stroke-color": "#ffffff",
                "circle-stroke-width": 1.2,
            },
        },
    )
    add(
        "cameras",
        {
            "id": "cameras-point",
            "type": "circle",
            "paint": {
                "circle-color": "#34495e",
                "circle-radius": 4.5,
                "circle-stroke-color": "#ffffff",
                "circle-stroke-width": 1.5,
            },
        },
    )
    add(
        "party_sites",
        {
            "id": "party_sites-point",
            "type": "circle",
            "paint": {
                "circle-color": "#d63031",
                "circle-radius": 6,
                "circle-stroke-color": "#fdcb6e",
                "circle-stroke-width": 2,
            },
        },
    )
    add(
        "events",
        {
            "id": "events-cluster",
            "type": "circle",
            "filter": cluster,
            "paint": {
                "circle-color": CLUSTER_COLOUR,
                "circle-opacity": 0.75,
                "circle-stroke-color": "#ffffff",
                "circle-stroke-width": 1.5,
                "circle-radius": [
                    "interpolate",
                    ["linear"],
                    ["get", "point_count"],
                    2,
                    9,
                    50,
                    17,
                    500,
                    26,
                ],
            },
        },
        _label(
            "events-cluster-count", "events", "events", "point_count", 0, size=11, colour="#ffffff"
        ),
        {
            "id": "events-point",
            "type": "circle",
            "filter": single,
            "paint": {
                "circle-color": _match("status", EVENT_STATUS_COLOURS, "#e74c3c"),
                "circle-radius": ["interpolate", ["linear"], ["zoom"], 12, 3, 17, 7],
                "circle-stroke-color": "#ffffff",
                "circle-stroke-width": 1,
            },
        },
    )
    count = out[-2]
    count["filter"] = cluster
    count["layout"]["text-field"] = ["to-string", ["get", "point_count"]]
    count["paint"]["text-halo-width"] = 0
    count["minzoom"] = TILE_LAYERS["events"].minzoom
    return out


def style(base: str) -> dict[str, Any]:
    sources: dict[str, Any] = {
        BASEMAP_ID: {"type": "vector", "url": f"{base}/tiles/{BASEMAP_ID}.json"}
    }
    for layer_id in TILE_LAYERS:
        sources[layer_id] = {"type": "vector", "url": f"{base}/tiles/{layer_id}.json"}
    return {
        "version": 8,
        "name": "乡镇综合指挥平台",
        "metadata": {"township:groups": GROUPS},
        "center": [120.58, 31.86],
        "zoom": 11,
        "sources": sources,
        "glyphs": f"{base}/map/glyphs/{{fontstack}}/{{range}}.pbf",
        "layers": _basemap_layers() + _overlay_layers(),
    }


def layer_catalogue(event_categories: dict[str, str]) -> list[dict[str, Any]]:
    """What the layer switcher, legend and feature cards need to know about each layer."""

    def values(layer_id: str, name: str, known: dict[str, str] | None) -> dict[str, str] | None:
        return event_categories if (layer_id, name) == ("events", "category_code") else known

    return [
        {
            "id": layer.id,
            "title": layer.title,
            "group": LAYER_GROUP[layer.id],
            "group_title": GROUPS[LAYER_GROUP[layer.id]],
            "geometry_type": layer.geometry_type,
            "properties": [
                {"name": p.name, "label": p.label, "values": values(layer.id, p.name, p.values)}
                for p in layer.properties
            ],
            "legend": legend(layer.id),
        }
        for layer in LAYERS.values()
    ]
