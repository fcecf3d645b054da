"""Random-inspection draws at scale (DR-7, GIS-6): inside one transaction that is rolled
back, 100 000 supervised objects spread over the district (filed under a bench
supervision category, 10 % red, 80 % white, 10 % black) and 2 000 officers whose areas
are 3 × 3 cells of a 50 × 40 tiling of the district's extent (so most objects have about
nine eligible officers); then full draws through `geo.inspection.draw.create_draw`:

* count   1 000 objects, teams of 2, matching included;
* ratio   red 5 %, white 1 %, black 10 % (about 2 300 objects), teams of 2.

Each run is a savepoint rolled back, so every run sees the same data. Reported: p50/p95
of the whole draw and of the matching step (`geo.inspection.matching.match`) and the
matching's share of the draw.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

import geo.inspection.draw as draw_module
from bench.common import percentiles
from geo.inspection.draw import create_draw
from geo.inspection.draw_schemas import DrawCreate
from geo.org.auth import open_session
from geo.org.models import SessionKind, UserAccount

OBJECTS = 100_000
COLUMNS, ROWS = 50, 40  # 2 000 officers
RUNS = 7
SEED = 20261129


def run(url: str, *, runs: int = RUNS) -> dict[str, Any]:
    engine = create_engine(url, connect_args={"options": "-c TimeZone=Asia/Shanghai -c jit=off"})
    try:
        with Session(engine) as session:
            started = time.monotonic()
            ids = _populate(session)
            setup = round(time.monotonic() - started, 1)
            user = session.query(UserAccount).filter_by(username="admin").one()
            actor = open_session(session, user=user, kind=SessionKind.BEARER).actor
            assert actor is not None
            base = {"item_category_id": ids["item"], "supervision_category_ids": [ids["category"]]}
            report: dict[str, Any] = {
                "objects": OBJECTS, "officers": COLUMNS * ROWS, "setup_seconds": setup,
            }  # fmt: skip
            report["count_1000"] = _time(session, actor, DrawCreate(**base, count=1000), runs)
            ratios = {"red": 0.05, "white": 0.01, "black": 0.1}
            report["ratio"] = _time(session, actor, DrawCreate(**base, ratios=ratios), runs)
            session.rollback()
    finally:
        engine.dispose()
    return report


def _time(session: Session, actor: Any, data: DrawCreate, runs: int) -> dict[str, Any]:
    totals, matching, picks, unmatched, candidates = [], [], 0, 0, 0
    original = draw_module.match

    def timed(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            matching.append((time.perf_counter() - t) * 1000)

    draw_module.match = timed  # type: ignore[assignment]
    try:
        for _ in range(runs + 1):  # the first run warms the caches and is not counted
            savepoint = session.begin_nested()
            t = time.perf_counter()
            draw_id = create_draw(session, actor=actor, data=data)
            totals.append((time.perf_counter() - t) * 1000)
            candidates, picks, unmatched = session.execute(
                text(
                    "SELECT candidate_count, pick_count, unmatched_count FROM inspection_draw "
                    "WHERE id = :d"
                ),
                {"d": draw_id},
            ).one()
            savepoint.rollback()
    finally:
        draw_module.match = original  # type: ignore[assignment]
    whole, match_ms = percentiles(totals[1:]), percentiles(matching[1:])
    share = (
        round(match_ms["p50_ms"] / whole["p50_ms"], 3)
        if whole["p50_ms"] and match_ms["p50_ms"] is not None
        else None
    )
    return {
        "runs": runs, "candidates": candidates, "picks": picks, "unmatched": unmatched,
        "draw": whole, "matching": match_ms, "matching_share_p50": share,
    }  # fmt: skip


def _populate(session: Session) -> dict[str, int]:
    sql: Callable[..., Any] = lambda q, **p: session.execute(text(q), p)  # noqa: E731
    item = sql("INSERT INTO inspection_item_category (code, name, sort_order) "
               "VALUES ('BENCH', '压测检查类别', 0) "
               "RETURNING id").scalar_one()  # fmt: skip
    category = sql("INSERT INTO supervision_category (code, name, sort_order) "
                   "VALUES ('BENCH', '压测监管类别', 0) "
                   "RETURNING id").scalar_one()  # fmt: skip
    sql(
        """INSERT INTO enterprise (name, uscc, category, risk_list, region_id, geom)
           SELECT '压测企业' || n, '9Y' || lpad(n::text, 16, '0'), 'retail',
                  CASE WHEN n % 10 = 0 THEN 'red' WHEN n % 10 = 1 THEN 'black' ELSE 'white' END,
                  -- The smallest region holding it: a grid in the detailed towns, else
                  -- the town (the other towns of the demo have no grids).
                  (SELECT g.id FROM region g WHERE ST_Covers(g.geom, p.geom)
                   ORDER BY nlevel(g.path) DESC, g.id LIMIT 1),
                  p.geom
           FROM (SELECT row_number() OVER () AS n, (d).geom AS geom
                 FROM (SELECT ST_Dump(ST_GeneratePoints(geom, :n, :seed)) AS d
                       FROM region WHERE level = 'district') q) p""",
        n=OBJECTS, seed=SEED,
    )  # fmt: skip
    sql("""INSERT INTO enterprise_supervision (enterprise_id, category_id)
           SELECT id, :c FROM enterprise WHERE uscc LIKE '9Y%' AND region_id IS NOT NULL""",
        c=category)  # fmt: skip
    sql(
        """WITH extent AS (
               SELECT ST_XMin(geom) AS x0, ST_YMin(geom) AS y0,
                      (ST_XMax(geom) - ST_XMin(geom)) / :cols AS dx,
                      (ST_YMax(geom) - ST_YMin(geom)) / :rows AS dy, id AS district
               FROM region WHERE level = 'district'),
           cells AS (
               SELECT i, j, e.* FROM extent e, generate_series(0, :cols - 1) i,
                      generate_series(0, :rows - 1) j),
           users AS (
               INSERT INTO user_account (username, display_name, region_id, password_hash)
               SELECT 'bench_o' || i || '_' || j, '压测执法员' || i || '-' || j, district, 'x'
               FROM cells RETURNING id, username),
           roles AS (INSERT INTO user_role (user_id, role_code) SELECT id, 'officer' FROM users)
           INSERT INTO enforcement_officer (user_id, officer_type, active, region_id, area)
           SELECT u.id, 'formal', true, c.district,
                  ST_Multi(ST_MakeEnvelope(c.x0 + (c.i - 1) * c.dx, c.y0 + (c.j - 1) * c.dy,
                                           c.x0 + (c.i + 2) * c.dx, c.y0 + (c.j + 2) * c.dy, 4490))
           FROM cells c JOIN users u ON u.username = 'bench_o' || c.i || '_' || c.j""",
        cols=COLUMNS, rows=ROWS,
    )  # fmt: skip
    sql("ANALYZE enterprise")
    sql("ANALYZE enforcement_officer")
    return {"item": item, "category": category}


def render(report: dict[str, Any]) -> str:
    lines = [f"draws over {report['objects']} objects and {report['officers']} officers "
             f"(setup {report['setup_seconds']} s)"]  # fmt: skip
    for name in ("count_1000", "ratio"):
        r = report[name]
        lines.append(
            f"  {name:<10} candidates {r['candidates']}, picks {r['picks']} "
            f"(unmatched {r['unmatched']}): "
            f"p50 {r['draw']['p50_ms']} ms, matching p50 {r['matching']['p50_ms']} ms "
            f"({(r['matching_share_p50'] or 0) * 100:.0f} %)"
        )
    return "\n".join(lines)
