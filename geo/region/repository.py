"""Reading the region hierarchy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def region_tree(session: Session) -> list[dict[str, Any]]:
    """Towns → communities → grids with their bounding boxes, for pickers and zooming."""
    rows = (
        session.execute(
            text("""
        SELECT id, code, name, level, parent_id,
               ST_XMin(geom) AS minx, ST_YMin(geom) AS miny, ST_XMax(geom) AS maxx,
               ST_YMax(geom) AS maxy
        FROM region WHERE level <> 'district' ORDER BY code""")
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
