"""Spatial dispatch and the dispatcher's desk at scale (GIS-5, GM-2):

* locate     `geo.event.repository.locate_grid` — the point-in-polygon of report_event —
             on random points of the district, per point; against the bare SQL under it;
* assign     one set-based `UPDATE … FROM region … ST_Covers` filing 100 000 points under
             their grid (rows/s), against the per-point locate rate;
* claim      20 dispatcher threads, each on its own connection, claiming N at a time
             through `geo.event.service.claim_events` from a pool of bench work orders;
             no work order may be claimed twice (checked in memory and in the history);
* desk       the dispatcher's “mine” list (first page) and the pool count, against the
             unfiltered first page.

The bench work orders of the claim run are deleted afterwards (their history goes with
them) and the demo's own pool is put back; the audit log, append-only, keeps its rows.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from bench.common import median_ms, percentiles
from geo.core.actor import Actor
from geo.event import repository as repo
from geo.event.service import claim_events, list_events, pool_count

LOCATE_POINTS = 500
ASSIGN_ROWS = 100_000
ASSIGN_ROUNDS = 3
DISPATCHERS = 20
CLAIM_BATCH = 10
POOL_PER_TOWN = 2_000
DESK_REPEAT = 30
BENCH_PREFIX = "BENCH"
TOWN_DISPATCHERS = ("ys_dispatcher", "tq_dispatcher")
SEED = 20261129  # ST_GeneratePoints with a seed: the same points on every run


def _engine(url: str, size: int) -> Engine:
    """The application's session settings (geo.core.db), with a connection per thread."""
    return create_engine(
        url,
        pool_size=size,
        max_overflow=0,
        connect_args={
            "options": "-c TimeZone=Asia/Shanghai -c jit=off -c max_parallel_workers_per_gather=0"
        },
    )


def run(url: str, *, repeat: int = DESK_REPEAT) -> dict[str, Any]:
    engine = _engine(url, DISPATCHERS + 1)
    try:
        actors = _actors(engine)
        report: dict[str, Any] = {"load_average_before": _load()}
        report["locate"] = locate(engine)
        report["assign"] = assign(engine)
        report["desk"] = desk(engine, actors[TOWN_DISPATCHERS[0]], repeat)
        report["claim"] = claim(engine, actors)
        report["load_average_after"] = _load()
    finally:
        engine.dispose()
    per_point = report["locate"]["repository"]["p50_ms"]
    if per_point:
        report["ratio_set_based_vs_per_point_rate"] = round(
            report["assign"]["rows_per_s"] / (1000 / per_point), 1
        )
    return report


def _load() -> list[float]:
    """The machine's 1/5/15-minute load: absolute times on a busy machine mean little."""
    return [round(x, 2) for x in os.getloadavg()]


def _actors(engine: Engine) -> dict[str, Actor]:
    """The towns' sub-centre dispatchers as services see them (a committed sign-in)."""
    from geo.org.auth import open_session
    from geo.org.models import SessionKind, UserAccount

    out = {}
    with Session(engine) as session:
        for username in TOWN_DISPATCHERS:
            user = session.query(UserAccount).filter_by(username=username).one()
            signed_in = open_session(session, user=user, kind=SessionKind.BEARER)
            assert signed_in.actor is not None
            out[username] = signed_in.actor
        session.commit()
    return out


# ---- locate ------------------------------------------------------------------------------
def _random_points(conn: Any, n: int, level: str = "district") -> list[tuple[float, float]]:
    rows = conn.execute(
        text("""SELECT ST_X(p.geom), ST_Y(p.geom)
                FROM region r, ST_Dump(ST_GeneratePoints(r.geom, :n, :seed)) p
                WHERE r.level = :level"""),
        {"seed": SEED, "n": n, "level": level},
    ).all()
    return [(float(x), float(y)) for x, y in rows]


def locate(engine: Engine) -> dict[str, Any]:
    bare = text("""SELECT id, name, path FROM region
                   WHERE level = 'grid'
                     AND ST_Covers(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4490))
                   ORDER BY id LIMIT 1""")
    with Session(engine) as session:
        points = _random_points(session, LOCATE_POINTS)
        found = sum(repo.locate_grid(session, lon=x, lat=y) is not None for x, y in points)
        timed: dict[str, list[float]] = {"repository": [], "bare_sql": []}
        for x, y in points:  # interleaved, so a noisy moment hits both alike
            t = time.perf_counter()
            repo.locate_grid(session, lon=x, lat=y)
            timed["repository"].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            session.execute(bare, {"lon": x, "lat": y}).first()
            timed["bare_sql"].append((time.perf_counter() - t) * 1000)
    out: dict[str, Any] = {
        "points": len(points),
        "in_a_grid": found,  # grids cover the detailed towns only; other points find none
        **{k: percentiles(v) for k, v in timed.items()},
    }
    out["ratio_repository_vs_bare_sql"] = _ratio(out["repository"], out["bare_sql"])
    return out


def _ratio(a: dict[str, float | None], b: dict[str, float | None]) -> float | None:
    if not a["p50_ms"] or not b["p50_ms"]:
        return None
    return round(a["p50_ms"] / b["p50_ms"], 2)


# ---- assign ------------------------------------------------------------------------------
def assign(engine: Engine) -> dict[str, Any]:
    """100 000 points over the towns that have grids, filed under their grid by one
    UPDATE … FROM region; each round in a transaction rolled back afterwards."""
    seconds, filed = [], 0
    with engine.connect() as conn:
        for _ in range(ASSIGN_ROUNDS):
            with conn.begin() as tx:
                _scratch_points(conn)
                t = time.perf_counter()
                filed = conn.execute(
                    text("""UPDATE bench_point p SET grid_id = g.id
                            FROM region g
                            WHERE g.level = 'grid' AND ST_Covers(g.geom, p.geom)""")
                ).rowcount
                seconds.append(time.perf_counter() - t)
                tx.rollback()
    median = statistics.median(seconds)
    return {
        "rows": ASSIGN_ROWS,
        "filed": filed,
        "rounds": ASSIGN_ROUNDS,
        "median_s": round(median, 3),
        "rows_per_s": round(ASSIGN_ROWS / median),
    }


def _scratch_points(conn: Any) -> None:
    conn.execute(
        text("""CREATE TEMP TABLE bench_point ON COMMIT DROP AS
                SELECT row_number() OVER () AS id, p.geom, NULL::bigint AS grid_id
                FROM (SELECT ST_Union(geom) AS geom FROM region WHERE level = 'grid') a,
                     ST_Dump(ST_GeneratePoints(a.geom, :n, :seed)) p"""),
        {"n": ASSIGN_ROWS, "seed": SEED},
    )
    conn.execute(text("ANALYZE bench_point"))


# ---- claim -------------------------------------------------------------------------------
@contextmanager
def bench_pool(engine: Engine) -> Iterator[int]:
    """POOL_PER_TOWN fresh work orders in each dispatcher's town pool, removed afterwards;
    the demo's own pool, claimed along with them, is put back as it was."""
    with engine.begin() as conn:
        demo_pool = list(
            conn.scalars(text("SELECT id FROM event WHERE status = 'reported' ORDER BY id"))
        )
        created = len(demo_pool)
        for username in TOWN_DISPATCHERS:
            created += conn.execute(
                text("""
                INSERT INTO event (event_no, title, description, category_code, status, source,
                    severity, urgency, address, reporter_name, reported_at, deadline, geom,
                    region_id)
                SELECT :prefix || e.id, e.title, e.description, e.category_code, 'reported',
                       e.source, e.severity, e.urgency, e.address, e.reporter_name,
                       e.reported_at, e.deadline, e.geom, e.region_id
                FROM event e
                JOIN region g ON g.id = e.region_id
                JOIN user_account u ON u.username = :username
                JOIN region t ON t.id = u.region_id
                WHERE g.path <@ t.path AND e.event_no NOT LIKE :prefix || '%'
                ORDER BY e.id LIMIT :n"""),
                {"prefix": BENCH_PREFIX, "username": username, "n": POOL_PER_TOWN},
            ).rowcount
    try:
        yield created
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("DELETE FROM event WHERE event_no LIKE :p"), {"p": BENCH_PREFIX + "%"}
            )
            conn.execute(
                text("""DELETE FROM event_action
                        WHERE event_id = ANY(:ids) AND action = 'claim'"""),
                {"ids": demo_pool},
            )
            conn.execute(
                text("""UPDATE event SET status = 'reported', claimed_by_id = NULL
                        WHERE id = ANY(:ids)"""),
                {"ids": demo_pool},
            )


def claim(engine: Engine, actors: dict[str, Actor]) -> dict[str, Any]:
    with bench_pool(engine) as pool:
        claimed: list[list[int]] = [[] for _ in range(DISPATCHERS)]
        latencies: list[list[float]] = [[] for _ in range(DISPATCHERS)]
        errors: list[BaseException] = []
        start = threading.Barrier(DISPATCHERS)
        team = [actors[TOWN_DISPATCHERS[i % len(TOWN_DISPATCHERS)]] for i in range(DISPATCHERS)]

        def dispatcher(i: int) -> None:
            try:
                with Session(engine) as session:
                    session.execute(text("SELECT 1"))  # connected before the start
                    session.commit()
                    start.wait()
                    while True:
                        t = time.perf_counter()
                        result = claim_events(session, actor=team[i], count=CLAIM_BATCH)
                        session.commit()
                        latencies[i].append((time.perf_counter() - t) * 1000)
                        if not result.claimed:
                            return
                        claimed[i].extend(e.id for e in result.claimed)
            except BaseException as exc:  # reported after the run, never swallowed
                errors.append(exc)

        threads = [threading.Thread(target=dispatcher, args=(i,)) for i in range(DISPATCHERS)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        seconds = time.perf_counter() - t0
        if errors:
            raise errors[0]
        ids = [i for per in claimed for i in per]
        twice = _claimed_twice(engine, ids)
        if len(ids) != len(set(ids)) or twice:
            raise AssertionError(f"work orders claimed twice: {twice or 'in memory'}")
        calls = [ms for per in latencies for ms in per]
    return {
        "dispatchers": DISPATCHERS,
        "batch": CLAIM_BATCH,
        "pool": pool,  # the bench work orders and the demo's own pool
        "claimed": len(ids),
        "claimed_twice": 0,
        "seconds": round(seconds, 2),
        "claims_per_s": round(len(ids) / seconds),
        "call": percentiles(calls),
        "per_dispatcher": sorted(len(per) for per in claimed),
    }


def _claimed_twice(engine: Engine, ids: list[int]) -> int:
    """Work orders whose history holds more than one claim (the database's own record)."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("""SELECT count(*) FROM (
                            SELECT event_id FROM event_action
                            WHERE action = 'claim' AND event_id = ANY(:ids)
                            GROUP BY event_id HAVING count(*) > 1) x"""),
                {"ids": ids},
            ).scalar_one()
        )


# ---- the desk ----------------------------------------------------------------------------
def desk(engine: Engine, actor: Actor, repeat: int) -> dict[str, Any]:
    with Session(engine) as session:
        mine = list_events(session, actor=actor, mine=True, limit=50)
        out: dict[str, Any] = {
            "dispatcher": actor.display_name,
            "mine_first_page_rows": len(mine.items),
            "pool": pool_count(session, actor=actor),
            "mine_first_page": median_ms(
                lambda: list_events(session, actor=actor, mine=True, limit=50), repeat
            ),
            "all_first_page": median_ms(
                lambda: list_events(session, actor=actor, limit=50), repeat
            ),
            "pool_count": median_ms(lambda: pool_count(session, actor=actor), repeat),
        }
        session.rollback()
    out["ratio_mine_vs_all_first_page"] = _ratio(out["mine_first_page"], out["all_first_page"])
    return out
