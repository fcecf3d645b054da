"""Route planning (GIS-8) on the bench database's street network: the service (snapping
both ends, pgr_withPoints, cutting the end streets, GeoJSON) against a bare node-to-node
pgr_dijkstra between the same streets' start junctions, over the same seeded pairs of
enterprise positions. The street network does not grow with --scale (the demo's streets
are the district's), so the figures describe the district's real network size."""

from __future__ import annotations

import random
import time
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bench.common import percentiles
from geo.navigation.repository import EDGES
from geo.navigation.service import Mode, plan_route

PAIRS = 60


def run(url: str, pairs: int = PAIRS) -> dict[str, Any]:
    engine = create_engine(url)
    with Session(engine) as session:
        network = session.execute(
            text("SELECT count(*), (SELECT count(*) FROM street_node) FROM street")
        ).one()
        positions = session.execute(
            text("SELECT ST_X(geom), ST_Y(geom) FROM enterprise ORDER BY id")
        ).all()
        rng = random.Random(8)
        chosen = [tuple(map(tuple, rng.sample(positions, 2))) for _ in range(pairs)]
        report: dict[str, Any] = {"streets": network[0], "junctions": network[1]}
        for mode in Mode:
            plan_route(session, origin=chosen[0][0], destination=chosen[0][1], mode=mode)
            times, lengths = [], []
            for origin, destination in chosen:
                t = time.perf_counter()
                route = plan_route(session, origin=origin, destination=destination, mode=mode)
                times.append((time.perf_counter() - t) * 1000)
                lengths.append(route.length_m)
            report[mode.value] = {
                **percentiles(times),
                "median_length_m": round(sorted(lengths)[len(lengths) // 2]),
            }
        report["bare_dijkstra"] = _bare(session, chosen)
        walk, bare = report["walk"]["p50_ms"], report["bare_dijkstra"]["p50_ms"]
        report["walk_vs_bare"] = round(walk / bare, 2) if walk and bare else None
    engine.dispose()
    return report


def _bare(session: Session, chosen: list) -> dict[str, float | None]:
    """pgr_dijkstra between the source junctions of the two ends' nearest streets."""
    nearest = text("SELECT source FROM street ORDER BY geom <-> "
                   "ST_SetSRID(ST_MakePoint(:x, :y), 4490) LIMIT 1")  # fmt: skip
    route = text("SELECT sum(cost) FROM pgr_dijkstra(CAST(:edges AS text), "
                 "CAST(:a AS bigint), CAST(:b AS bigint), directed := true)")  # fmt: skip
    ends = [
        (session.execute(nearest, {"x": o[0], "y": o[1]}).scalar_one(),
         session.execute(nearest, {"x": d[0], "y": d[1]}).scalar_one())
        for o, d in chosen
    ]  # fmt: skip
    times = []
    for a, b in ends:
        t = time.perf_counter()
        session.execute(route, {"edges": EDGES["walk"], "a": a, "b": b}).scalar()
        times.append((time.perf_counter() - t) * 1000)
    return percentiles(times)


def render(report: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"路网：{report['streets']} 条道路、{report['junctions']} 个路口",
            f"步行路线 p50 {report['walk']['p50_ms']} ms（p95 {report['walk']['p95_ms']}），"
            f"驾车 p50 {report['drive']['p50_ms']} ms；"
            f"裸 pgr_dijkstra p50 {report['bare_dijkstra']['p50_ms']} ms，"
            f"比值 {report['walk_vs_bare']}",
        ]
    )
