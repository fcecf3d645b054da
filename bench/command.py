"""The command screen's initial data load (CMD-1): the four calls the screen makes when it
opens — today's figures, the grid load, the members' positions and the open events — timed
one by one and together (sequentially, as one worker would answer them), for the district
leader (no scope filter) and a town leader, with the size of each answer in JSON. Then the
three calls of the 党建引领 toggle (CMD-2), timed the same way."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bench.common import percentiles
from geo.command import party, service
from geo.core.actor import Actor

REPEAT = 20
LEADERS = ("leader", "ys_leader")
CALLS: dict[str, Callable[..., BaseModel]] = {
    "summary": service.command_summary,
    "grids": service.grid_load,
    "members": service.member_positions,
    "events": service.open_events,
}
PARTY_CALLS: dict[str, Callable[..., BaseModel]] = {
    "summary": party.summary,
    "organisations": party.organisations,
    "activities": party.activities,
}


def _actor(session: Session, username: str) -> Actor:
    from geo.org.auth import open_session
    from geo.org.models import SessionKind, UserAccount

    user = session.query(UserAccount).filter_by(username=username).one()
    signed_in = open_session(session, user=user, kind=SessionKind.BEARER)
    assert signed_in.actor is not None
    return signed_in.actor


def run(url: str, repeat: int = REPEAT) -> dict[str, Any]:
    engine = create_engine(url)
    report: dict[str, Any] = {}
    with Session(engine) as session:
        report["events"] = session.execute(text("SELECT count(*) FROM event")).scalar_one()
        report["party_organisations"] = session.execute(
            text("SELECT count(*) FROM party_organisation")
        ).scalar_one()
        for username in LEADERS:
            actor = _actor(session, username)
            report[username] = {
                "scope": actor.region_path,
                **_timed(session, actor, CALLS, repeat),
                "party": _timed(session, actor, PARTY_CALLS, repeat),
            }
        session.rollback()  # the bench sign-ins are not kept
    engine.dispose()
    return report


def _timed(
    session: Session, actor: Actor, calls: dict[str, Callable[..., BaseModel]], repeat: int
) -> dict[str, Any]:
    """Each call's and the group's total time (ms percentiles) and each answer's JSON size."""
    times: dict[str, list[float]] = {name: [] for name in [*calls, "total"]}
    sizes: dict[str, int] = {}
    for round_ in range(repeat + 1):  # the first round warms the caches, untimed
        total = 0.0
        for name, call in calls.items():
            t = time.perf_counter()
            body = call(session, actor=actor).model_dump_json()
            ms = (time.perf_counter() - t) * 1000
            total += ms
            sizes[name] = len(body)
            if round_:
                times[name].append(ms)
        if round_:
            times["total"].append(total)
    return {**{name: percentiles(ms) for name, ms in times.items()}, "bytes": sizes}


def render(report: dict[str, Any]) -> str:
    lines = [f"指挥大屏首屏数据（{report['events']} 条事件）："]
    for username in LEADERS:
        r = report[username]
        parts = "，".join(f"{n} {r[n]['p50_ms']} ms" for n in CALLS)
        lines.append(
            f"  {username}（{r['scope']}）：合计 p50 {r['total']['p50_ms']} ms"
            f"（p95 {r['total']['p95_ms']}）；{parts}；"
            f"事件点位 {r['bytes']['events'] // 1024} KB，网格 {r['bytes']['grids'] // 1024} KB"
        )
        p = r["party"]
        parts = "，".join(f"{n} {p[n]['p50_ms']} ms" for n in PARTY_CALLS)
        lines.append(
            f"    党建引领（{report['party_organisations']} 个党组织）：合计 p50 "
            f"{p['total']['p50_ms']} ms；{parts}"
        )
    return "\n".join(lines)
