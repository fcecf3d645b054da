"""All SQL of grid administration: grid rows with their community, town, current version
and members (one query per list, no N+1), boundary versions, snapping references, the
offending area of a refused outline, and the member list."""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.scope import scope_params, scope_sql
from geo.core.srid import STORAGE_SRID

GRID_MEMBER_ROLE = "grid_member"

_GRID_SELECT = """
    SELECT g.id, g.code, g.name, c.id AS community_id, c.name AS community_name,
           t.id AS town_id, t.name AS town_name, b.version,
           g.path::text AS path, t.path::text AS town_path,
           m.user_id AS responsible_member_id, u.display_name AS responsible_member_name,
           (SELECT count(*) FROM grid_member x WHERE x.grid_id = g.id) AS member_count,
           round(CAST(ST_Area(CAST(g.geom AS geography)) AS numeric), 1) AS area_m2
           {extra}
    FROM region g
    JOIN region c ON c.id = g.parent_id
    JOIN region t ON t.id = c.parent_id
    LEFT JOIN grid_boundary b ON b.grid_id = g.id AND b.valid_to IS NULL
    LEFT JOIN grid_member m ON m.grid_id = g.id AND m.is_responsible
    LEFT JOIN user_account u ON u.id = m.user_id
    WHERE g.level = 'grid'
"""


def grid_rows(
    session: Session,
    *,
    actor: Actor,
    community_id: int | None,
    keyword: str | None,
    after_code: str | None,
    limit: int,
) -> list[Row[Any]]:
    """Grids of the actor's scope in code order, keyset-paged on the code."""
    sql = _GRID_SELECT.format(extra="") + f" AND {scope_sql(actor, 'g.id')}"
    params: dict[str, Any] = {**scope_params(actor), "limit": limit}
    if community_id is not None:
        sql += " AND g.parent_id = :community"
        params["community"] = community_id
    if keyword:
        sql += " AND (g.name ILIKE :kw ESCAPE '\\' OR g.code LIKE :kw ESCAPE '\\')"
        escaped = keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["kw"] = f"%{escaped}%"
    if after_code is not None:
        sql += " AND g.code > :after"
        params["after"] = after_code
    return list(session.execute(text(sql + " ORDER BY g.code LIMIT :limit"), params).all())


def grid_row(session: Session, *, actor: Actor, grid_id: int) -> Row[Any] | None:
    """One grid of the scope with its current outline as GeoJSON (None: unknown/out)."""
    sql = _GRID_SELECT.format(extra=", CAST(ST_AsGeoJSON(g.geom) AS json) AS geometry")
    sql += f" AND g.id = :id AND {scope_sql(actor, 'g.id')}"
    row: Row[Any] | None = session.execute(
        text(sql), {"id": grid_id, **scope_params(actor)}
    ).first()
    return row


def outlines(session: Session, *, actor: Actor, community_id: int) -> list[Row[Any]]:
    """The grids of one community with their outlines, for the drawing map."""
    sql = _GRID_SELECT.format(extra=", CAST(ST_AsGeoJSON(g.geom) AS json) AS geometry")
    sql += f" AND g.parent_id = :community AND {scope_sql(actor, 'g.id')} ORDER BY g.code"
    return list(session.execute(text(sql), {"community": community_id, **scope_params(actor)}))


def lock_region(session: Session, region_id: int) -> Row[Any] | None:
    """Lock a region row: grid edits of one community (and of one grid) run one at a time,
    so two overlapping outlines cannot both pass the overlap check."""
    row: Row[Any] | None = session.execute(
        text("SELECT id, code, name, level, parent_id, path::text AS path FROM region "
             "WHERE id = :id FOR UPDATE"),
        {"id": region_id},
    ).first()  # fmt: skip
    return row


def current_version(session: Session, *, grid_id: int) -> int | None:
    return session.execute(
        text("SELECT version FROM grid_boundary WHERE grid_id = :g AND valid_to IS NULL"),
        {"g": grid_id},
    ).scalar()


def next_grid_serial(session: Session, *, community_id: int) -> int:
    """The next 3-digit serial of a community's grid codes (after the highest in use)."""
    last = session.execute(
        text("""SELECT max(CAST(right(code, 3) AS integer)) FROM region
                WHERE parent_id = :c AND level = 'grid'"""),
        {"c": community_id},
    ).scalar()
    return int(last or 0) + 1


def name_change(session: Session, *, changed_by: int | None, reason: str | None) -> None:
    """Who changes grid outlines in this transaction and why: read by the database
    trigger that writes the boundary versions (empty strings reset it)."""
    session.execute(
        text("SELECT set_config('grid.changed_by', :who, true), "
             "set_config('grid.change_reason', :why, true)"),
        {"who": "" if changed_by is None else str(changed_by), "why": reason or ""},
    )  # fmt: skip


# ---- versions ----------------------------------------------------------------------------
_VERSION_SELECT = """
    SELECT b.id, b.grid_id, b.version, b.valid_from, b.valid_to, b.changed_by,
           u.display_name AS changed_by_name, b.reason,
           round(CAST(ST_Area(CAST(b.geom AS geography)) AS numeric), 1) AS area_m2,
           (SELECT count(*) FROM event e WHERE e.grid_boundary_id = b.id) AS event_count
           {extra}
    FROM grid_boundary b LEFT JOIN user_account u ON u.id = b.changed_by
"""


def version_rows(session: Session, *, grid_id: int) -> list[Row[Any]]:
    sql = _VERSION_SELECT.format(extra="") + " WHERE b.grid_id = :g ORDER BY b.version DESC"
    return list(session.execute(text(sql), {"g": grid_id}))


def version_row(session: Session, *, grid_id: int, version: int) -> Row[Any] | None:
    sql = _VERSION_SELECT.format(extra=", CAST(ST_AsGeoJSON(b.geom) AS json) AS geometry")
    row: Row[Any] | None = session.execute(
        text(sql + " WHERE b.grid_id = :g AND b.version = :v"), {"g": grid_id, "v": version}
    ).first()
    return row


# ---- snapping and refusals ---------------------------------------------------------------
_WITH_OUTLINE = "WITH g AS (SELECT ST_GeomFromWKB(:wkb, :srid) AS geom) "


def _params(geom: BaseGeometry, **more: Any) -> dict[str, Any]:
    return {"wkb": shapely.to_wkb(geom), "srid": STORAGE_SRID, **more}


def snap_to_neighbours(
    session: Session,
    geom: BaseGeometry,
    *,
    community_id: int,
    self_id: int | None,
    tolerance: float,
) -> tuple[BaseGeometry, BaseGeometry | None]:
    """The outline with its vertices snapped (ST_Snap, `tolerance` in degrees) onto the
    boundaries of the sibling grids near it and of the community; and those boundaries
    (None: nothing near)."""
    row = session.execute(
        text(
            _WITH_OUTLINE
            + """, ref AS (
                   SELECT ST_Collect(ST_Boundary(s.geom)) AS geom FROM region s, g
                   WHERE s.id = :community
                      OR (s.parent_id = :community AND s.level = 'grid'
                          AND s.id IS DISTINCT FROM CAST(:self AS bigint)
                          AND ST_DWithin(s.geom, g.geom, :tol)))
                 SELECT ST_AsBinary(coalesce(ST_Snap(g.geom, ref.geom, :tol), g.geom)),
                        ST_AsBinary(ref.geom)
                 FROM g, ref"""
        ),
        _params(geom, community=community_id, self=self_id, tol=tolerance),
    ).one()
    snapped = shapely.from_wkb(bytes(row[0]))
    reference = shapely.from_wkb(bytes(row[1])) if row[1] is not None else None
    return snapped, reference


def offending_area(
    session: Session, geom: BaseGeometry, *, community_id: int, self_id: int | None
) -> tuple[float, dict[str, Any] | None]:
    """What breaks the rules: the part outside the community plus the parts overlapping
    sibling grids, as (m², GeoJSON); (0, None) when there is none."""
    row = session.execute(
        text(
            _WITH_OUTLINE
            + """, bad AS (
                   SELECT ST_Difference(g.geom, c.geom) AS geom FROM g, region c
                   WHERE c.id = :community
                   UNION ALL
                   SELECT ST_Intersection(s.geom, g.geom) FROM g, region s
                   WHERE s.parent_id = :community AND s.level = 'grid'
                     AND s.id IS DISTINCT FROM CAST(:self AS bigint)
                     AND ST_Intersects(s.geom, g.geom) AND NOT ST_Touches(s.geom, g.geom)),
               u AS (SELECT ST_CollectionExtract(ST_Union(geom), 3) AS geom FROM bad)
               SELECT ST_Area(CAST(u.geom AS geography)) AS m2,
                      CAST(ST_AsGeoJSON(u.geom) AS json) AS geometry
               FROM u"""
        ),
        _params(geom, community=community_id, self=self_id),
    ).one()
    if row.m2 is None or row.m2 <= 0 or row.geometry is None:
        return 0.0, None
    return round(float(row.m2), 1), row.geometry


# ---- members -----------------------------------------------------------------------------
def member_rows(session: Session, *, grid_id: int) -> list[Row[Any]]:
    return list(
        session.execute(
            text("""SELECT m.user_id, u.display_name, u.username, u.phone, m.is_responsible,
                           m.assigned_at
                    FROM grid_member m JOIN user_account u ON u.id = m.user_id
                    WHERE m.grid_id = :g ORDER BY m.is_responsible DESC, u.display_name"""),
            {"g": grid_id},
        )
    )


def member_facts(session: Session, *, user_ids: list[int]) -> list[Row[Any]]:
    """Of the given users: name, region path, active, whether they hold the grid member role."""
    return list(
        session.execute(
            text("""SELECT u.id, u.display_name, u.is_active, r.path::text AS region_path,
                           EXISTS (SELECT 1 FROM user_role ur
                                   WHERE ur.user_id = u.id AND ur.role_code = :role) AS is_member
                    FROM user_account u JOIN region r ON r.id = u.region_id
                    WHERE u.id = ANY(:ids)"""),
            {"ids": user_ids, "role": GRID_MEMBER_ROLE},
        )
    )


def candidate_rows(session: Session, *, town_path: str) -> list[Row[Any]]:
    """Active users with the grid member role in the town, with how many grids they cover."""
    return list(
        session.execute(
            text("""SELECT u.id AS user_id, u.display_name, u.username, r.name AS region_name,
                           (SELECT count(*) FROM grid_member m WHERE m.user_id = u.id)
                             AS grid_count
                    FROM user_account u
                    JOIN region r ON r.id = u.region_id
                    JOIN user_role ur ON ur.user_id = u.id AND ur.role_code = :role
                    WHERE u.is_active AND r.path <@ CAST(:town AS ltree)
                    ORDER BY u.display_name, u.id"""),
            {"town": town_path, "role": GRID_MEMBER_ROLE},
        )
    )


def replace_members(session: Session, *, grid_id: int, members: list[tuple[int, bool]]) -> None:
    """The grid's member list becomes `members` (user id, responsible); those who stay
    keep their assignment date."""
    session.execute(
        text("""DELETE FROM grid_member WHERE grid_id = :g
                AND NOT (user_id = ANY(:keep))"""),
        {"g": grid_id, "keep": [u for u, _ in members]},
    )
    # Clear the responsible flag first: the one-responsible index holds at every row.
    session.execute(
        text("UPDATE grid_member SET is_responsible = false WHERE grid_id = :g"), {"g": grid_id}
    )
    for user_id, responsible in members:
        session.execute(
            text("""INSERT INTO grid_member (grid_id, user_id, is_responsible)
                    VALUES (:g, :u, :r)
                    ON CONFLICT (grid_id, user_id) DO UPDATE SET is_responsible = :r"""),
            {"g": grid_id, "u": user_id, "r": responsible},
        )
