"""Demo law-enforcement work, made through the services themselves (so every row, number,
history line and audit entry is what the screens would have produced): 杨舍镇's daily
patrol of its first squad and 塘桥镇's special inspection of hazardous-chemicals
enterprises, and three matters sent down to 杨舍镇's enforcement bureau — one fed back,
one turned into a case, one waiting for its officer.

Runs inside the demo's transaction; the sign-in sessions it opens to act as the demo
users are removed afterwards.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from geo.case.schemas import CaseCreate
from geo.org.auth import open_session
from geo.org.models import AuthSession, SessionKind, UserAccount
from geo.patrol import service as patrols
from geo.patrol.schemas import PlanCreate
from geo.task import service as tasks
from geo.task.schemas import TaskCreate

# (title, description, source, grid code, what happens)
MATTERS = (
    ("核查某小区违规搭建彩钢棚", "群众反映某小区楼顶搭建彩钢棚，请到现场核实并依法处理。",
     "区城管局", "320582100001003", "fed_back"),
    ("核查夜间施工噪声扰民", "12345 转来：工地夜间 22 时后仍在施工，噪声扰民。",
     "12345 政务服务热线", "320582100002002", "converted"),
    ("核查占道经营", "上级交办：沿街商户长期占用人行道经营，请核实并督促整改。",
     "区综合行政执法局", "320582100003001", "dispatched"),
    ("核查违规设置户外广告牌", "巡查发现沿街门店擅自设置大型户外广告牌，存在安全隐患，请核实处理。",
     "区城管局", "320582100001002", "awaiting"),
)  # fmt: skip
# Matters sent straight to an officer and left for them to receive: who gets each.
WAITING_FOR = {"dispatched": "ys_zf01", "awaiting": "ys_officer"}


def insert_enforcement_work(conn: Connection, *, anchor: date) -> dict[str, int]:
    """The demo's patrol plans and dispatched matters; returns rows per table."""
    # The services refuse plans that have ended and deadlines in the past: an older anchor
    # (a demo of last year) still gets work that is current today.
    anchor = max(anchor, datetime.now(SHANGHAI).date())
    session = Session(bind=conn)
    try:
        actor = _actors(session)
        _patrol_plans(session, actor, anchor)
        _matters(session, actor, anchor)
        session.flush()
        session.query(AuthSession).delete()
        session.flush()
    finally:
        session.close()
    return {
        table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        for table in ("patrol_plan", "patrol_assignment", "enforcement_task", "case_record")
    }


def _actors(session: Session) -> dict[str, Any]:
    names = ("ys_squad", "ys_officer", "ys_zf01", "ys_zf02", "tq_squad")
    users = {
        u.username: u for u in session.query(UserAccount).filter(UserAccount.username.in_(names))
    }
    out = {}
    for name in names:
        signed_in = open_session(session, user=users[name], kind=SessionKind.BEARER)
        out[name] = signed_in.actor
    return out


def _patrol_plans(session: Session, actor: dict[str, Any], anchor: date) -> None:
    route = session.execute(
        text("""SELECT r.id FROM patrol_route r JOIN region c ON c.id = r.region_id
                WHERE r.kind = 'daily' AND c.code LIKE '320582100%' ORDER BY r.id LIMIT 1""")
    ).scalar()
    officers = [actor[n].user_id for n in ("ys_officer", "ys_zf01", "ys_zf02")]
    patrols.create_plan(session, actor=actor["ys_squad"], data=PlanCreate(
        name="杨舍第一中队日常巡检", kind="daily", start_date=anchor - timedelta(days=14),
        end_date=anchor + timedelta(days=45), weekdays=[1, 2, 3, 4, 5, 6, 7],
        officer_ids=officers, route_id=route, note="每日沿巡查路线巡检，重点检查占道经营与违规搭建",
    ))  # fmt: skip
    patrols.create_plan(session, actor=actor["tq_squad"], data=PlanCreate(
        name="塘桥镇危险化学品企业专项检查", kind="special", start_date=anchor,
        end_date=anchor + timedelta(days=30), enterprise_category="hazardous_chemicals",
        note="年底安全生产专项检查：储存、标识、台账",
    ))  # fmt: skip


def _matters(session: Session, actor: dict[str, Any], anchor: date) -> None:
    squad, officer = actor["ys_squad"], actor["ys_officer"]
    first_squad = session.execute(
        text("SELECT id FROM squad WHERE name = '杨舍第一中队'")
    ).scalar_one()
    for title, description, source, grid_code, outcome in MATTERS:
        lon, lat = session.execute(
            text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p "
                 "FROM region WHERE code = :c) s"),
            {"c": grid_code},
        ).one()  # fmt: skip
        task = tasks.register_task(session, actor=squad, data=TaskCreate(
            title=title, description=description, source=source, lon=lon, lat=lat,
            deadline=anchor + timedelta(days=7),
        ))  # fmt: skip
        step = _Stepper(session, task.id, task.status)
        if outcome in WAITING_FOR:
            step(squad, "send_to_officer", user_id=actor[WAITING_FOR[outcome]].user_id)
            continue
        step(squad, "send_to_squad", squad_id=first_squad)
        step(squad, "redispatch", user_id=officer.user_id)
        step(officer, "receive")
        if outcome == "fed_back":
            step(
                officer,
                "feedback",
                findings="现场核实：楼顶彩钢棚约 20 平方米，已责令当事人三日内自行拆除。",
            )
        else:
            step(officer, "convert", case=CaseCreate(
                procedure="general", source="complaint", title="夜间违规施工噪声扰民案",
                facts="经现场核实，该工地于 22 时后进行产生噪声污染的施工作业，"
                "未取得夜间施工许可。",
                party_name="张家港市某建筑工程有限公司",
            ))  # fmt: skip


class _Stepper:
    """One task's transitions in order, each guarded by the status the last one left."""

    def __init__(self, session: Session, task_id: int, status: str) -> None:
        self.session, self.task_id, self.status = session, task_id, status

    def __call__(self, actor: Any, action: str, **fields: Any) -> None:
        detail = tasks.transition(self.session, actor=actor, task_id=self.task_id,
                                  action=action, expected_status=self.status, **fields)  # fmt: skip
        self.status = detail.status
