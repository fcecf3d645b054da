"""Walking the task-dispatch table with the demo users of 杨舍镇: who performs each
transition, with which fields, and the shortest way (found in the table) to any status."""

from __future__ import annotations

from collections import deque
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.case.schemas import CaseCreate
from geo.core.actor import Actor
from geo.task import service
from geo.task.schemas import TaskCreate
from geo.task.workflow import TRANSITIONS, Action, Field, Holder, Status, Transition


def user_id(db: Session, username: str) -> int:
    return int(
        db.execute(
            text("SELECT id FROM user_account WHERE username = :u"), {"u": username}
        ).scalar_one()
    )


def squad_of(db: Session, username: str) -> int:
    return int(
        db.execute(
            text("SELECT squad_id FROM user_account WHERE username = :u"), {"u": username}
        ).scalar_one()
    )


def grid_point(db: Session, username: str = "ys_grid") -> tuple[float, float]:
    lon, lat = db.execute(
        text("""SELECT ST_X(r.label_point), ST_Y(r.label_point) FROM user_account u
                JOIN region r ON r.id = u.region_id WHERE u.username = :u"""),
        {"u": username},
    ).one()
    return float(lon), float(lat)


def performer(t: Transition) -> str:
    """The demo user of 杨舍镇 who may perform `t`."""
    if t.holder is Holder.SQUAD_LEADER:
        return "ys_squad"  # leads 杨舍第一中队, where `fields` sends the task
    if t.holder is Holder.ASSIGNEE:
        return "ys_officer"  # the task is sent to this officer by `fields`
    return "ys_squad"  # holds task.dispatch in 杨舍镇


def fields(db: Session, t: Transition) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if Field.OFFICER in t.required:
        out["user_id"] = user_id(db, "ys_officer")
    if Field.SQUAD in t.required:
        out["squad_id"] = squad_of(db, "ys_squad")
    if Field.FINDINGS in t.required:
        out["findings"] = "现场已核实，占道经营已劝离"
    if Field.REASON in t.required:
        out["reason"] = "重复交办"
    if Field.CASE in t.required:
        out["case"] = CaseCreate(
            procedure="general",
            title="占道经营案",
            facts="当事人在人行道上摆摊经营",
            party_name="张三",
        )
    return out


def shortest_paths() -> dict[Status, list[Transition]]:
    paths: dict[Status, list[Transition]] = {Status.REGISTERED: []}
    queue = deque([Status.REGISTERED])
    while queue:
        status = queue.popleft()
        for action in Action:
            t = TRANSITIONS.get((status, action))
            if t is not None and t.target not in paths:
                paths[t.target] = [*paths[status], t]
                queue.append(t.target)
    return paths


def new_task(db: Session, actor: Actor, *, title: str = "核查占道经营") -> int:
    lon, lat = grid_point(db)
    detail = service.register_task(
        db, actor=actor,
        data=TaskCreate(title=title, description="群众反映某路口占道经营", source="区城管局",
                        address="人民路与长安路路口", lon=lon, lat=lat),
    )  # fmt: skip
    return detail.id
