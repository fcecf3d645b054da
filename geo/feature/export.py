"""A standalone HTML map of one region (GIS-11): a file that opens from disk, offline.

The map shows the region's outline, its child regions, the streets inside it, the events
filed under it (the latest MAX_EVENTS, coloured by status, each with a popup) and, for a
grid or community, its enterprises. Leaflet is vendored (`vendor/leaflet/`, BSD-2) and
inlined, and nothing else is loaded: no tiles, no jQuery, no Bootstrap, no icon fonts —
folium's CDN defaults are switched off and every layer is a GeoJSON or circle layer.

Features filed under a region (events, enterprises) are found through the region tree:
`region_id` is the grid holding them, so `r.path <@ target.path` (indexed ltree) is the
subtree test. Streets are not filed under grids and are clipped to the region outline.

Data scope (SYS-10): only a region inside the actor's subtree can be exported, and then
everything filed under it lies inside the subtree too, so the queries need no further
filter; a region outside it answers exactly like a missing one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import folium
from branca.element import Element, Figure
from folium.features import GeoJsonPopup, GeoJsonTooltip
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.scope import region_in_scope
from geo.event.models import EventStatus
from geo.feature.errors import FeatureNotFound
from geo.layers import ENTERPRISE_CATEGORIES, EVENT_STATUS_COLOURS, EVENT_STATUSES, RISK_LISTS
from geo.region.models import RegionLevel

MAX_EVENTS = 2000
GEOJSON_DECIMALS = 7
SHANGHAI = ZoneInfo("Asia/Shanghai")
VENDOR = Path(__file__).resolve().parent / "vendor" / "leaflet"

# For file names: short, and without the "/" of "社区/村".
LEVEL_NAMES = {
    RegionLevel.DISTRICT: "区县",
    RegionLevel.TOWN: "镇街",
    RegionLevel.COMMUNITY: "社区",
    RegionLevel.GRID: "网格",
}
# --- SQL (parameters bound, geometry as RFC 7946 lon/lat GeoJSON) ------------------------

REGION_SQL = text(
    """
    SELECT id, code, name, level,
           ST_AsGeoJSON(geom, :decimals) AS geojson,
           ST_XMin(geom) AS xmin, ST_YMin(geom) AS ymin,
           ST_XMax(geom) AS xmax, ST_YMax(geom) AS ymax
    FROM region WHERE id = :id
    """
)
CHILDREN_SQL = text(
    """
    SELECT code, name, level, ST_AsGeoJSON(geom, :decimals) AS geojson
    FROM region WHERE parent_id = :id ORDER BY code
    """
)
# Newest first; one row more than shown tells whether the list was cut.
EVENTS_SQL = text(
    """
    SELECT e.event_no, e.title, e.status, c.name AS category, e.reported_at,
           ST_AsGeoJSON(e.geom, :decimals) AS geojson
    FROM region target
    JOIN region r ON r.path <@ target.path
    JOIN event e ON e.region_id = r.id
    LEFT JOIN event_category c ON c.code = e.category_code
    WHERE target.id = :id
    ORDER BY e.reported_at DESC, e.id DESC
    LIMIT :limit
    """
)
EVENT_COUNT_SQL = text(
    """
    SELECT count(*)
    FROM region target
    JOIN region r ON r.path <@ target.path
    JOIN event e ON e.region_id = r.id
    WHERE target.id = :id
    """
)
ENTERPRISES_SQL = text(
    """
    SELECT e.name, e.category, e.risk_list, e.address,
           ST_AsGeoJSON(e.geom, :decimals) AS geojson
    FROM region target
    JOIN region r ON r.path <@ target.path
    JOIN enterprise e ON e.region_id = r.id
    WHERE target.id = :id
    ORDER BY e.id
    """
)
# Segments wholly inside keep their geometry; the others are cut at the outline (a street
# along the border is inside: the polygon is closed). Touching at a point gives nothing.
STREETS_SQL = text(
    """
    SELECT name, ST_AsGeoJSON(clipped, :decimals) AS geojson
    FROM (
        SELECT s.id, s.name,
               CASE WHEN ST_CoveredBy(s.geom, target.geom) THEN s.geom
                    ELSE ST_CollectionExtract(ST_Intersection(s.geom, target.geom), 2)
               END AS clipped
        FROM region target
        JOIN street s ON ST_Intersects(s.geom, target.geom)
        WHERE target.id = :id
    ) AS cut
    WHERE NOT ST_IsEmpty(clipped)
    ORDER BY id
    """
)


@dataclass(frozen=True)
class RegionMap:
    html: str
    filename: str  # e.g. 网格-320582100001001.html
    ascii_filename: str  # e.g. grid-320582100001001.html, for clients without RFC 5987
    events_shown: int
    events_total: int

    @property
    def truncated(self) -> bool:
        return self.events_total > self.events_shown


def _feature(geojson: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": json.loads(geojson), "properties": properties}


def _point_layer(
    m: folium.Map,
    name: str,
    *,
    radius: int,
    fields: dict[str, str],
    points: list[tuple[str, dict[str, Any], dict[str, str]]],
) -> None:
    """Circle markers with a Chinese popup; each point carries (geojson, properties, colours)."""
    features = [
        _feature(
            geojson,
            {
                **props,
                "style": {
                    "radius": radius,
                    "fill": True,
                    "weight": 1,
                    "fillOpacity": 0.9,
                    **colours,
                },
            },
        )
        for geojson, props, colours in points
    ]
    folium.GeoJson(
        _collection(features),
        name=name,
        marker=folium.CircleMarker(radius=radius, fill=True),
        popup=GeoJsonPopup(fields=list(fields), aliases=list(fields.values())),
    ).add_to(m)


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _label(mapping: dict, value: str) -> str:
    return mapping.get(value, value)


def _local_time(value: datetime) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


@lru_cache(maxsize=1)
def _leaflet_assets() -> tuple[str, str]:
    js = (VENDOR / "leaflet.js").read_text(encoding="utf-8")
    css = (VENDOR / "leaflet.css").read_text(encoding="utf-8")
    # Inlined: drop the source-map pointer (there is no file beside the page to point to)
    # and never let the text close its own element early.
    js = js.replace("//# sourceMappingURL=leaflet.js.map", "").replace("</", "<\\/")
    css = css.replace("</", "<\\/")
    return js, css


class OfflineMap(folium.Map):
    """A folium map that references no CDN: Leaflet is inlined by `render_region_map`."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []


def _legend(region: Any, level_name: str, shown: int, total: int, enterprises: int | None) -> str:
    rows = "".join(
        f'<div><span class="dot" style="background:{EVENT_STATUS_COLOURS[s]}"></span>'
        f"{EVENT_STATUSES[s]}</div>"
        for s in EventStatus
    )
    counts = f"事件 {total} 件"
    if enterprises is not None:
        counts += f"；企业 {enterprises} 家"
    if total > shown:
        counts += (
            f"<div class='note'>事件较多，地图仅显示最近上报的 {shown} 件（共 {total} 件）。</div>"
        )
    exported = datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return f"""
<style>
  .export-panel {{ position: fixed; top: 10px; right: 10px; z-index: 1000; max-width: 280px;
    background: #fff; border: 1px solid #bbb; border-radius: 4px; padding: 8px 10px;
    font: 13px/1.5 "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
    box-shadow: 0 1px 4px rgba(0,0,0,.2); }}
  .export-panel h1 {{ font-size: 15px; margin: 0 0 4px; }}
  .export-panel .dot {{ display: inline-block; width: 10px; height: 10px;
    border-radius: 50%; margin-right: 6px; border: 1px solid #555; }}
  .export-panel .note {{ color: #b30000; }}
  .export-panel .muted {{ color: #777; font-size: 12px; }}
  .leaflet-container {{ background: #f2efe9; }}
  .leaflet-popup-content th {{ text-align: left; padding-right: 8px; white-space: nowrap; }}
</style>
<div class="export-panel">
  <h1>{escape(region.name)}</h1>
  <div class="muted">{level_name} · 编码 {escape(region.code)}</div>
  <div>{counts}</div>
  {rows}
  <div class="muted">导出时间 {exported}</div>
</div>
"""


def _readable(session: Session, actor: Actor | None, region_id: int) -> bool:
    return actor is None or actor.is_district_wide or region_in_scope(session, actor, region_id)


def render_region_map(
    session: Session, region_id: int, *, actor: Actor | None, max_events: int = MAX_EVENTS
) -> RegionMap:
    """The standalone HTML map of one region; FeatureNotFound (404) if there is none or it
    lies outside the actor's scope (`actor=None`: an internal caller, any region)."""
    params = {"id": region_id, "decimals": GEOJSON_DECIMALS}
    region = session.execute(REGION_SQL, params).one_or_none()
    if region is None or not _readable(session, actor, region_id):
        raise FeatureNotFound(f"没有编号为 {region_id} 的区划，无法导出地图")
    level = RegionLevel(region.level)
    level_name = LEVEL_NAMES[level]

    children = session.execute(CHILDREN_SQL, params).all()
    events = session.execute(EVENTS_SQL, {**params, "limit": max_events + 1}).all()
    total = len(events)
    if total > max_events:
        events = events[:max_events]
        total = session.execute(EVENT_COUNT_SQL, params).scalar_one()
    streets = session.execute(STREETS_SQL, params).all()
    with_enterprises = level in (RegionLevel.GRID, RegionLevel.COMMUNITY)
    enterprises = session.execute(ENTERPRISES_SQL, params).all() if with_enterprises else []

    west, south, east, north = region.xmin, region.ymin, region.xmax, region.ymax
    m = OfflineMap(
        location=[(south + north) / 2, (west + east) / 2],
        tiles=None,
        zoom_start=14,
        control_scale=True,
        prefer_canvas=True,
    )
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.title = escape(f"{region.name}（{level_name} {region.code}）")
    js, css = _leaflet_assets()
    figure.header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css")
    figure.header.add_child(Element(f"<script>{js}</script>"), name="leaflet_js")
    figure.html.add_child(
        Element(
            _legend(
                region,
                level_name,
                len(events),
                total,
                len(enterprises) if with_enterprises else None,
            )
        ),
        name="export_panel",
    )

    # Values shown through folium's popups and tooltips go into innerHTML: escape them.
    outline = _feature(
        region.geojson,
        {
            "name": escape(region.name),
            "style": {"color": "#1f4e9c", "weight": 3, "fillColor": "#ffffff", "fillOpacity": 0.75},
        },
    )
    folium.GeoJson(outline, name=f"{level_name}边界", interactive=False).add_to(m)

    if children:
        child_fc = _collection(
            [
                _feature(
                    c.geojson,
                    {
                        "name": escape(c.name),
                        "code": c.code,
                        "style": {
                            "color": "#4a6fa5",
                            "weight": 1.5,
                            "dashArray": "4 3",
                            "fillOpacity": 0,
                        },
                    },
                )
                for c in children
            ]
        )
        folium.GeoJson(
            child_fc,
            name=f"下级{LEVEL_NAMES[RegionLevel(children[0].level)]}",
            tooltip=GeoJsonTooltip(fields=["name", "code"], aliases=["名称", "编码"]),
        ).add_to(m)

    if streets:
        street_fc = _collection(
            [
                _feature(
                    s.geojson,
                    {"name": escape(s.name), "style": {"color": "#7a7a7a", "weight": 1.2}},
                )
                for s in streets
            ]
        )
        folium.GeoJson(
            street_fc,
            name="道路",
            tooltip=GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(m)

    if with_enterprises and enterprises:
        _point_layer(
            m,
            "企业",
            radius=3,
            fields={
                "name": "企业名称",
                "category": "行业",
                "risk_list": "信用名单",
                "address": "地址",
            },
            points=[
                (
                    e.geojson,
                    {
                        "name": escape(e.name),
                        "category": _label(ENTERPRISE_CATEGORIES, e.category),
                        "risk_list": _label(RISK_LISTS, e.risk_list),
                        "address": escape(e.address or ""),
                    },
                    {"color": "#5b3a99", "fillColor": "#b39ddb"},
                )
                for e in enterprises
            ],
        )
    _point_layer(
        m,
        "事件",
        radius=5,
        fields={
            "event_no": "事件编号",
            "title": "标题",
            "category": "类别",
            "status": "状态",
            "reported_at": "上报时间",
        },
        points=[
            (
                e.geojson,
                {
                    "event_no": escape(e.event_no),
                    "title": escape(e.title),
                    "category": escape(e.category or ""),
                    "status": _label(EVENT_STATUSES, e.status),
                    "reported_at": _local_time(e.reported_at),
                },
                {"color": "#333333", "fillColor": EVENT_STATUS_COLOURS.get(e.status, "#95a5a6")},
            )
            for e in events
        ],
    )

    folium.LayerControl(collapsed=False, position="bottomright").add_to(m)
    m.fit_bounds([[south, west], [north, east]])

    return RegionMap(
        html=figure.render(),
        filename=f"{level_name}-{region.code}.html",
        ascii_filename=f"{level.value}-{region.code}.html",
        events_shown=len(events),
        events_total=total,
    )
