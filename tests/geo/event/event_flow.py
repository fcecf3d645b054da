"""Walking the workflow table with the demo users of 杨舍镇: who performs each transition,
with which fields, and the shortest way (found in the table itself) to any status."""

from __future__ import annotations

from collections import deque
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.event.workflow import TRANSITIONS, Action, Field, Holder, Status, Transition

OPINION = "请处理"


def performer(t: Transition) -> str:
    """The demo user who may perform `t` (permission and holder) in 杨舍镇."""
    if t.holder is Holder.DISTRICT:
        return "center"
    if t.holder is Holder.ASSIGNEE:
        return "ys_handler"  # the work order is dispatched to this user by `fields`
    if t.holder is Holder.VERIFIER:
        return "ys_grid"
    return "ys_dispatcher"


def user_id(db: Session, username: str) -> int:
    return int(
        db.execute(
            text("SELECT id FROM user_account WHERE username = :u"), {"u": username}
        ).scalar_one()
    )


def fields(db: Session, t: Transition) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if Field.OPINION in t.required:
        out["opinion"] = OPINION
    if Field.TARGET in t.required:
        out["user_id"] = user_id(db, "ys_handler")
    if Field.VERIFIER in t.required:
        out["user_id"] = user_id(db, "ys_grid")
    return out


def shortest_paths() -> dict[Status, list[Transition]]:
    """From `reported`, the fewest transitions that reach each status (BFS on the table)."""
    paths: dict[Status, list[Transition]] = {Status.REPORTED: []}
    queue = deque([Status.REPORTED])
    while queue:
        status = queue.popleft()
        for action in Action:
            t = TRANSITIONS.get((status, action))
            if t is not None and t.target not in paths:
                paths[t.target] = [*paths[status], t]
                queue.append(t.target)
    return paths


def grid_point(db: Session, username: str = "ys_grid") -> tuple[float, float]:
    """A point inside the grid of a (grid member) user: the grid's label point."""
    lon, lat = db.execute(
        text("""SELECT ST_X(r.label_point), ST_Y(r.label_point) FROM user_account u
                JOIN region r ON r.id = u.region_id WHERE u.username = :u"""),
        {"u": username},
    ).one()
    return float(lon), float(lat)
