"""Demo attendance: the grid members' check-ins over the working days before the anchor
date, mostly inside their grid, a few outside it; the older daily reports decided by the
town's sub-centre dispatcher (one rejected), the latest ones still waiting for review.

Verdicts follow the default parameters (tolerance 30 m, accuracy counted up to 50 m):
inside points lie in the grid (distance 0), outside points 150–400 m beyond its edge, and
every fix is at most 30 m accurate, so each verdict is what the service would give.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, text

from geo.calendar.arithmetic import SHANGHAI

DAYS = 10  # working days of history
PENDING_DAYS = 3  # the latest days are left for the reviewer
TOLERANCE_M, ACCURACY_CAP_M = 30.0, 50.0  # the parameters' defaults

# Each member once, checking in at the first grid they answer for.
_MEMBERS = """
    SELECT DISTINCT ON (u.username) gm.user_id, gm.grid_id, u.username,
           (SELECT r.id FROM user_account r WHERE r.username = split_part(u.username, '_', 1)
                                                          || '_dispatcher') AS reviewer_id,
           (SELECT r.display_name FROM user_account r
             WHERE r.username = split_part(u.username, '_', 1) || '_dispatcher') AS reviewer
    FROM grid_member gm JOIN user_account u ON u.id = gm.user_id
    WHERE gm.is_responsible ORDER BY u.username, gm.grid_id"""

# A point inside the grid, or 150–400 m outside its edge (seeded: the same every time).
_POINT = """
    SELECT ST_X(p) AS lon, ST_Y(p) AS lat,
           ST_Distance(geography(p), geography(g.geom)) AS distance_m
    FROM region g,
         LATERAL (SELECT ST_SetSRID((ST_Dump(ST_GeneratePoints(
             CASE WHEN :inside THEN g.geom
                  ELSE ST_SetSRID(ST_Difference(
                           geometry(ST_Buffer(geography(g.geom), 400)),
                           geometry(ST_Buffer(geography(g.geom), 150))), 4490) END,
             1, :seed))).geom, 4490) AS p) AS pt
    WHERE g.id = :grid"""


def insert_attendance(conn: Connection, *, seed: int, anchor: date) -> int:
    """Check-ins and daily reports of every responsible grid member; returns the number
    of check-ins."""
    rng = random.Random(seed)
    days = list(
        conn.execute(
            text("""SELECT day FROM calendar_day WHERE day < :anchor AND is_working
                    ORDER BY day DESC LIMIT :n"""),
            {"anchor": anchor, "n": DAYS},
        ).scalars()
    )[::-1]
    total = 0
    for member in conn.execute(text(_MEMBERS)).all():
        rejected_day = days[len(days) // 3] if len(days) > PENDING_DAYS else None
        for i, day in enumerate(days):
            n = rng.randint(2, 4)
            outside = {rng.randrange(n)} if day == rejected_day or rng.random() < 0.2 else set()
            fixes = [_fix(conn, rng, member.grid_id, k in outside) for k in range(n)]
            decided = i < len(days) - PENDING_DAYS
            status = ("rejected" if day == rejected_day else "approved") if decided else "pending"
            total += _insert_day(conn, member, day, fixes, status)
    return total


def _fix(conn: Connection, rng: random.Random, grid_id: int, outside: bool) -> dict:
    point = conn.execute(
        text(_POINT), {"inside": not outside, "seed": rng.randrange(1, 2**31), "grid": grid_id}
    ).one()
    accuracy = round(rng.uniform(5, 30), 1)
    allowance = TOLERANCE_M + min(accuracy, ACCURACY_CAP_M)
    verdict = "in_grid" if point.distance_m <= allowance else "out_of_grid"
    return {"lon": point.lon, "lat": point.lat, "distance_m": round(point.distance_m, 2),
            "accuracy_m": accuracy, "allowance_m": allowance, "verdict": verdict}  # fmt: skip


def _insert_day(conn: Connection, member, day: date, fixes: list[dict], status: str) -> int:  # noqa: ANN001
    start = datetime.combine(day, time(8, 30), SHANGHAI)
    times = sorted(start + timedelta(minutes=m) for m in random.Random(day.toordinal()).sample(
        range(0, 8 * 60), len(fixes)))  # fmt: skip
    in_n = sum(f["verdict"] == "in_grid" for f in fixes)
    decided = status != "pending"
    reviewed_at = datetime.combine(day + timedelta(days=1), time(9, 0), SHANGHAI)
    approved = "轨迹正常，同意" if in_n == len(fixes) else "网格外签到系外出处置工单，同意"
    opinion = {"approved": approved, "rejected": "有签到不在责任网格内，且未说明原因"}
    day_id = conn.execute(
        text("""INSERT INTO attendance_day (user_id, work_day, region_id, first_at, last_at,
                    in_count, out_count, low_accuracy_count, status, reviewer_id, reviewer_name,
                    reviewed_at, opinion)
                VALUES (:u, :day, :grid, :first, :last, :in_n, :out_n, 0, :status, :rid,
                        :rname, :rat, :opinion) RETURNING id"""),
        {"u": member.user_id, "day": day, "grid": member.grid_id, "first": times[0],
         "last": times[-1], "in_n": in_n, "out_n": len(fixes) - in_n, "status": status,
         "rid": member.reviewer_id if decided else None,
         "rname": member.reviewer if decided else None,
         "rat": reviewed_at if decided else None,
         "opinion": opinion.get(status)},
    ).scalar_one()  # fmt: skip
    for at, f in zip(times, fixes, strict=True):
        conn.execute(
            text("""INSERT INTO attendance_check_in (day_id, user_id, at, geom, accuracy_m,
                        verdict, grid_id, distance_m, allowance_m)
                    VALUES (:day_id, :u, :at, ST_SetSRID(ST_MakePoint(:lon, :lat), 4490),
                            :accuracy_m, :verdict, :grid, :distance_m, :allowance_m)"""),
            {"day_id": day_id, "u": member.user_id, "at": at, "grid": member.grid_id, **f},
        )
    return len(fixes)
