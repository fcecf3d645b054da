"""Find features by name or address across the map's layers (the search box), within the
searcher's data scope (SYS-10): a town user never learns the names of another town."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.feature.errors import InvalidParameter
from geo.feature.scope import layer_scope_params, layer_scope_sql
from geo.layers import LAYERS


@dataclass(frozen=True)
class Searchable:
    layer: str
    name: str  # SQL expression over `t` giving the display name
    address: str | None  # SQL expression for the address, when the layer has one
    also: tuple[str, ...] = ()  # further columns matched (an event's number)


SEARCHABLE = (
    Searchable("towns", "t.name", None),
    Searchable("communities", "t.name", None),
    Searchable("grids", "t.name", None),
    Searchable("enterprises", "t.name", "t.address"),
    Searchable("party_sites", "t.name", "t.address"),
    Searchable("construction_sites", "t.name", None),
    Searchable("buildings", "t.name", "t.address"),
    Searchable("cameras", "t.name", None),
    Searchable("streets", "t.name", None),
    Searchable("events", "t.title", "t.address", also=("t.event_no",)),
)


def _statement(s: Searchable, actor: Actor | None) -> str:
    layer = LAYERS[s.layer]
    scope = f" AND t.level = '{layer.region_level.value}'" if layer.region_level else ""
    scope += layer_scope_sql(actor, layer)
    address = s.address or "NULL"
    matched = [s.name, *([s.address] if s.address else []), *s.also]
    match = "(" + " OR ".join(f"{column} ILIKE :pattern" for column in matched) + ")"
    # Streets are stored per segment: one hit per street name, at its longest segment,
    # chosen before ranking so that the ranking (not the alphabet) decides who is shown.
    distinct = "DISTINCT ON (t.name) " if s.layer == "streets" else ""
    pick = "ORDER BY t.name, t.length_m DESC" if s.layer == "streets" else ""
    return f"""
        SELECT * FROM (
            SELECT {distinct}'{s.layer}' AS layer, t.id, {s.name} AS name, {address} AS address,
                   ST_X(ST_PointOnSurface(t.geom)) AS lon, ST_Y(ST_PointOnSurface(t.geom)) AS lat,
                   ST_XMin(t.geom) AS minx, ST_YMin(t.geom) AS miny,
                   ST_XMax(t.geom) AS maxx, ST_YMax(t.geom) AS maxy,
                   ({s.name} ILIKE :prefix) AS prefix_hit
            FROM {layer.table.name} t
            WHERE {match}{scope}
            {pick}
        ) hits
        ORDER BY prefix_hit DESC, length(name), id
        LIMIT :per_layer"""


def search(
    session: Session, q: str, limit: int = 20, *, actor: Actor | None
) -> list[dict[str, Any]]:
    q = q.strip()
    if "\x00" in q:
        raise InvalidParameter("查找内容中含有不可见的空字符")
    if not q:
        raise InvalidParameter("请输入要查找的名称或地址")
    if len(q) > 50:
        raise InvalidParameter("查找内容太长（最多 50 个字）")
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    sql = " UNION ALL ".join(f"({_statement(s, actor)})" for s in SEARCHABLE)
    rows = (
        session.execute(
            text(
                f"SELECT * FROM ({sql}) found "
                "ORDER BY prefix_hit DESC, length(name), layer LIMIT :limit"
            ),
            {
                "pattern": f"%{escaped}%",
                "prefix": f"{escaped}%",
                "per_layer": limit,
                "limit": limit,
                **layer_scope_params(actor),
            },
        )
        .mappings()
        .all()
    )
    return [
        {
            "layer": r["layer"],
            "layer_title": LAYERS[r["layer"]].title,
            "id": r["id"],
            "name": r["name"],
            "address": r["address"],
            "lon": round(r["lon"], 7),
            "lat": round(r["lat"], 7),
            "bbox": [round(r[k], 7) for k in ("minx", "miny", "maxx", "maxy")],
        }
        for r in rows
    ]
