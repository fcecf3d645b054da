"""Places for attendance tests: a point inside a member's grid, or a given number of
metres beyond its edge (due east, west, north or south of its outermost vertex, the way
that stays inside the district)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

_DIRECTIONS = {  # azimuth (degrees) → the vertex furthest that way
    90: "ST_X(p.geom) DESC",
    270: "ST_X(p.geom)",
    0: "ST_Y(p.geom) DESC",
    180: "ST_Y(p.geom)",
}


def member_grid(db: Session, username: str) -> int:
    return int(
        db.execute(
            text("""SELECT gm.grid_id FROM grid_member gm JOIN user_account u ON u.id = gm.user_id
                    WHERE u.username = :u ORDER BY gm.grid_id LIMIT 1"""),
            {"u": username},
        ).scalar_one()
    )


def inside(db: Session, username: str) -> tuple[float, float]:
    row = db.execute(
        text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM region "
             "WHERE id = :g) s"),
        {"g": member_grid(db, username)},
    ).one()  # fmt: skip
    return float(row[0]), float(row[1])


def beyond(db: Session, username: str, metres: float) -> tuple[float, float]:
    """A point `metres` outside the member's grid (and inside the district)."""
    grid = member_grid(db, username)
    for azimuth, order in _DIRECTIONS.items():
        row = db.execute(
            text(f"""
                WITH v AS (SELECT p.geom FROM region g, ST_DumpPoints(g.geom) p
                           WHERE g.id = :g ORDER BY {order} LIMIT 1),
                     q AS (SELECT ST_SetSRID(geometry(ST_Project(geography(v.geom), :d,
                                  radians(:az))), 4490) AS p FROM v)
                SELECT ST_X(q.p), ST_Y(q.p),
                       ST_Distance(geography(q.p), geography(g.geom)) AS distance,
                       EXISTS (SELECT 1 FROM region d WHERE d.level = 'district'
                               AND ST_Covers(d.geom, ST_Buffer(q.p, 0.002))) AS in_district
                FROM q, region g WHERE g.id = :g"""),
            {"g": grid, "d": metres, "az": azimuth},
        ).one()
        if row.in_district and abs(row.distance - metres) < 1:
            return float(row[0]), float(row[1])
    raise AssertionError(f"no point {metres} m outside grid {grid} inside the district")
