"""The SQL of routing: snapping a position to the nearest street, and the shortest path
between two such street points with pgRouting's `pgr_withPoints`, cut to the exact
street points at both ends."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

# Metres per second by road class when driving (urban limits: 40 / 30 / 20 / 10 km/h).
DRIVE_SPEED = {"arterial": 40 / 3.6, "secondary": 30 / 3.6, "branch": 20 / 3.6, "lane": 10 / 3.6}
WALK_SPEED = 1.2  # about 4.3 km/h

_DRIVE_COST = (
    "length_m / CASE road_class "
    + " ".join(f"WHEN '{k}' THEN {v!r}" for k, v in DRIVE_SPEED.items())
    + f" ELSE {DRIVE_SPEED['lane']!r} END"
)
# The graph pgRouting walks, per mode: cost in metres (walking) or seconds (driving); a
# one-way street cannot be driven backwards (reverse cost −1). Pedestrians ignore one-ways.
EDGES = {
    "walk": "SELECT id, source, target, length_m AS cost, length_m AS reverse_cost FROM street",
    "drive": f"SELECT id, source, target, {_DRIVE_COST} AS cost, "
    f"CASE WHEN oneway THEN -1 ELSE {_DRIVE_COST} END AS reverse_cost FROM street",
}


@dataclass(frozen=True)
class StreetPoint:
    """Where a position meets the network: the nearest street, the fraction along it."""

    street_id: int
    street_name: str
    fraction: float
    snap_m: float  # from the position to that point, in metres


@dataclass(frozen=True)
class Path:
    geojson: str  # LineString, lon/lat
    length_m: float
    duration_s: float


def nearest_street_point(session: Session, *, lon: float, lat: float) -> StreetPoint | None:
    """The street nearest in metres: the index's nearest few by degrees (a degree of
    longitude is shorter than one of latitude here), then the closest of them on the
    spheroid."""
    row = session.execute(
        text("""
            WITH p AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4490) AS g)
            SELECT s.id, s.name, ST_LineLocatePoint(s.geom, p.g),
                   ST_Distance(geography(s.geom), geography(p.g))
            FROM p CROSS JOIN LATERAL (
                SELECT id, name, geom FROM street WHERE source IS NOT NULL
                ORDER BY geom <-> p.g LIMIT 8) s
            ORDER BY 4 LIMIT 1"""),
        {"lon": lon, "lat": lat},
    ).first()
    return StreetPoint(row[0], row[1], float(row[2]), float(row[3])) if row else None


_PATH = text("""
    WITH path AS (
        SELECT seq, node, edge, lead(node) OVER (ORDER BY seq) AS next_node
        FROM pgr_withPoints(CAST(:edges AS text), CAST(:points AS text), -1, -2,
                            directed := true)
    ),
    pieces AS (
        SELECT p.seq, s.road_class, s.geom,
               CASE p.node WHEN -1 THEN :f1 WHEN -2 THEN :f2
                    ELSE CASE WHEN p.node = s.source THEN 0.0 ELSE 1.0 END END AS fa,
               CASE p.next_node WHEN -1 THEN :f1 WHEN -2 THEN :f2
                    ELSE CASE WHEN p.next_node = s.source THEN 0.0 ELSE 1.0 END END AS fb
        FROM path p JOIN street s ON s.id = p.edge
    ),
    lines AS (
        SELECT seq, road_class,
               CASE WHEN fa <= fb THEN ST_LineSubstring(geom, fa, fb)
                    ELSE ST_Reverse(ST_LineSubstring(geom, fb, fa)) END AS g
        FROM pieces
    )
    SELECT ST_AsGeoJSON(ST_MakeLine(g ORDER BY seq), 7),
           sum(ST_Length(geography(g))),
           sum(ST_Length(geography(g)) / CASE road_class
               WHEN 'arterial' THEN :v_arterial WHEN 'secondary' THEN :v_secondary
               WHEN 'branch' THEN :v_branch ELSE :v_lane END)
    FROM lines""")


def shortest_path(
    session: Session, *, start: StreetPoint, end: StreetPoint, mode: str
) -> Path | None:
    """The shortest path from one street point to another; None when none exists."""
    # A point exactly on a junction (fraction 0 or 1) is merged into that vertex by
    # pgRouting and the path from it comes back empty: keep points a hair inside the street.
    start, end = _inside(start), _inside(end)
    # pgRouting reads its points as SQL text: only typed numbers go into it.
    points = (
        f"SELECT 1 AS pid, {int(start.street_id)} AS edge_id, {float(start.fraction)!r}::float8 "
        f"AS fraction UNION ALL SELECT 2, {int(end.street_id)}, {float(end.fraction)!r}::float8"
    )
    speeds = DRIVE_SPEED if mode == "drive" else dict.fromkeys(DRIVE_SPEED, WALK_SPEED)
    row = session.execute(
        _PATH,
        {
            "edges": EDGES[mode],
            "points": points,
            "f1": start.fraction,
            "f2": end.fraction,
            **{f"v_{k}": v for k, v in speeds.items()},
        },
    ).first()
    if row is None or row[0] is None:
        return None
    return Path(row[0], float(row[1]), float(row[2]))


def _inside(point: StreetPoint) -> StreetPoint:
    fraction = min(max(point.fraction, 1e-9), 1 - 1e-9)
    return StreetPoint(point.street_id, point.street_name, fraction, point.snap_m)
