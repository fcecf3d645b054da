"""Reading the region hierarchy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.scope import scope_params, scope_sql


def region_tree(session: Session, *, actor: Actor | None) -> list[dict[str, Any]]:
    """Towns → communities → grids with their bounding boxes, for pickers and zooming.

    Only the actor's subtree: a town user's tree is their town; a grid member's, their grid
    (the roots are the highest regions the actor may see)."""
    scope = "" if actor is None or actor.is_district_wide else f" AND {scope_sql(actor, 'id')}"
    rows = (
        session.execute(
            text(f"""
        SELECT id, code, name, level, parent_id,
               ST_XMin(geom) AS minx, ST_YMin(geom) AS miny, ST_XMax(geom) AS maxx,
               ST_YMax(geom) AS maxy
        FROM region WHERE level <> 'district'{scope} ORDER BY code"""),
            scope_params(actor),
        )
        .mappings()
        .all()
    )
    nodes = {
        r["id"]: {
            "id": r["id"],
            "code": r["code"],
            "name": r["name"],
            "level": r["level"],
            "bbox": [round(r[k], 6) for k in ("minx", "miny", "maxx", "maxy")],
            "children": [],
        }
        for r in rows
    }
    roots: list[dict[str, Any]] = []
    for r in rows:
        parent = nodes.get(r["parent_id"])
        (parent["children"] if parent else roots).append(nodes[r["id"]])
    return roots
