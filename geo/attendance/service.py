"""Use cases of attendance (GM-12, GIS-7): check in, read one's own day, list and read
daily reports, review them.

A check-in is judged against the grids the member covers, in metres on the spheroid:
in the grid when the distance to the nearest covered grid (0 inside it) is at most
tolerance + min(accuracy, cap) — the phone's stated uncertainty widens the allowance, up
to a cap so a vague fix cannot pass from anywhere; a fix vaguer than max_accuracy is
recorded but not counted. The three numbers are system parameters with region overrides
(of the nearest grid's ancestry). Review rules: `geo.attendance.workflow`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from geo.attendance import repository as repo
from geo.attendance.errors import AttendanceRuleError
from geo.attendance.models import Verdict
from geo.attendance.schemas import (
    MAX_PAGE,
    CheckInCreate,
    CheckInRead,
    DayDetail,
    DayPage,
    DayRead,
    MyDay,
)
from geo.attendance.workflow import (
    ACTION_LABELS,
    REVIEW_PERMISSION,
    TRANSITIONS,
    Action,
    Status,
    actions_from,
)
from geo.audit.service import record
from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.core.geometry import checked_point
from geo.core.scope import region_in_scope
from geo.grid.members import member_grid_ids
from geo.parameter.service import get_parameter

__all__ = [
    "Rule",
    "check_in",
    "get_day",
    "judge",
    "list_days",
    "my_day",
    "review_day",
]

CHECK_IN_PERMISSION = "attendance.check_in"


# ---- judging -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    tolerance_m: float
    accuracy_cap_m: float
    max_accuracy_m: float


def judge(*, distance_m: float, accuracy_m: float, rule: Rule) -> tuple[Verdict, float]:
    """The verdict of a fix `distance_m` from the nearest covered grid, and the allowance
    it was held to."""
    allowance = rule.tolerance_m + min(accuracy_m, rule.accuracy_cap_m)
    if accuracy_m > rule.max_accuracy_m:
        return Verdict.LOW_ACCURACY, allowance
    return (Verdict.IN_GRID if distance_m <= allowance else Verdict.OUT_OF_GRID), allowance


def rule_for(session: Session, *, grid_id: int) -> Rule:
    def value(key: str) -> float:
        return float(get_parameter(session, key=f"attendance.{key}", region_id=grid_id))

    return Rule(value("tolerance_m"), value("accuracy_cap_m"), value("max_accuracy_m"))


# ---- checking in -------------------------------------------------------------------------
def check_in(
    session: Session, *, actor: Actor, data: CheckInCreate, now: datetime | None = None
) -> CheckInRead:
    """Record a check-in of the actor at a position, judged against their grids, and
    count it on their report of the day (Asia/Shanghai). A repeated `client_ref` answers
    the check-in it first created."""
    actor.require(CHECK_IN_PERMISSION)
    repo.lock_member(session, user_id=actor.user_id)
    if data.client_ref:
        existing = repo.check_in_by_ref(session, user_id=actor.user_id, client_ref=data.client_ref)
        if existing is not None:
            return _check_in_read(repo.check_in_row(session, check_in_id=existing))
    _check_position(session, lon=data.lon, lat=data.lat)
    grid_ids = member_grid_ids(session, user_id=actor.user_id)
    if not grid_ids:
        raise AttendanceRuleError(
            "您还没有负责或协助的网格，无法判断签到位置；请联系管理员在“网格管理”中为您配置网格"
        )
    nearest = repo.nearest_grid(session, grid_ids=grid_ids, lon=data.lon, lat=data.lat)
    assert nearest is not None  # the ids came from grid_member, whose rows reference grids
    verdict, allowance = judge(
        distance_m=nearest.distance_m,
        accuracy_m=data.accuracy_m,
        rule=rule_for(session, grid_id=nearest.id),
    )
    at = (now or datetime.now(SHANGHAI)).astimezone(SHANGHAI)
    day_id = repo.upsert_day(
        session, user_id=actor.user_id, work_day=at.date(), region_id=nearest.id, at=at,
        verdict=verdict,
    )  # fmt: skip
    check_in_id = repo.insert_check_in(
        session, lon=data.lon, lat=data.lat, day_id=day_id, user_id=actor.user_id, at=at,
        accuracy_m=data.accuracy_m, note=data.note, verdict=verdict.value,
        grid_id=nearest.id, distance_m=round(nearest.distance_m, 2), allowance_m=allowance,
        client_ref=data.client_ref,
    )  # fmt: skip
    read = _check_in_read(repo.check_in_row(session, check_in_id=check_in_id))
    record(
        session, action="attendance.check_in", object_type="attendance_check_in",
        object_id=check_in_id,
        after={"day_id": day_id, "lon": data.lon, "lat": data.lat,
               "accuracy_m": data.accuracy_m, "verdict": verdict.value,
               "grid": nearest.name, "distance_m": read.distance_m, "allowance_m": allowance},
        region_path=nearest.path, **actor.audit_fields(),
    )  # fmt: skip
    return read


def _check_position(session: Session, *, lon: float, lat: float) -> None:
    """Lon/lat in range and order, inside the governed district — else 422 saying which."""
    checked_point(session, lon, lat, error=AttendanceRuleError, prefix="签到位置无效")


def my_day(
    session: Session, *, actor: Actor, work_day: date | None = None, now: datetime | None = None
) -> MyDay:
    """The actor's own report and check-ins of a day (default: today in Asia/Shanghai)."""
    actor.require(CHECK_IN_PERMISSION)
    today = (now or datetime.now(SHANGHAI)).astimezone(SHANGHAI).date()
    work_day = work_day or today
    row = repo.own_day_row(session, user_id=actor.user_id, work_day=work_day)
    if row is None:
        return MyDay(work_day=work_day, day=None, check_ins=[])
    check_ins = [_check_in_read(r) for r in repo.check_in_rows(session, day_id=row.id)]
    # The member reads their report; what a reviewer may do is not theirs to see.
    return MyDay(work_day=work_day, day=_day_read(row, actions=[]), check_ins=check_ins)


# ---- daily reports -----------------------------------------------------------------------
def list_days(
    session: Session,
    *,
    actor: Actor,
    work_day: date | None = None,
    status: Status | None = None,
    region_id: int | None = None,
    user_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> DayPage:
    """Daily reports of the reviewer's scope, newest day first; `region_id` narrows to a
    grid, community or town (its subtree); `next_cursor` fetches the next page."""
    actor.require(REVIEW_PERMISSION)
    if not 1 <= limit <= MAX_PAGE:
        raise AttendanceRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
    under = None
    if region_id is not None:
        if not region_in_scope(session, actor, region_id):
            raise NotFound(f"未找到区划（编号 {region_id}），或不在您的管辖范围内")
        under = repo.region_path(session, region_id)
    rows = repo.day_rows(
        session, actor=actor, work_day=work_day, status=status.value if status else None,
        under_path=under, user_id=user_id, after=_after(cursor), limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    today = _today(now)
    return DayPage(
        items=[_day_read(r, actions=_actions(actor, r, today)) for r in page],
        next_cursor=f"{page[-1].work_day.isoformat()}_{page[-1].id}" if len(rows) > limit else None,
    )


def get_day(
    session: Session, *, actor: Actor, day_id: int, now: datetime | None = None
) -> DayDetail:
    """A report with its check-ins and the member's grid outlines, as GeoJSON."""
    row = _visible(session, actor=actor, day_id=day_id)
    check_ins = [_check_in_read(r) for r in repo.check_in_rows(session, day_id=day_id)]
    grid_ids = sorted(
        set(member_grid_ids(session, user_id=row.user_id))
        | set(repo.day_check_in_grids(session, day_id=day_id))
    )
    return DayDetail(
        **_day_read(row, actions=_actions(actor, row, _today(now))).model_dump(),
        check_ins=_points(check_ins),
        grids=_outlines(repo.grid_outlines(session, grid_ids=grid_ids)),
    )


def review_day(
    session: Session,
    *,
    actor: Actor,
    day_id: int,
    action: Action | str,
    expected_status: Status | str,
    opinion: str | None = None,
    now: datetime | None = None,
) -> DayDetail:
    """Approve or reject a report (see the workflow). The update is guarded by the
    status the reviewer saw: a report someone decided meanwhile answers 409."""
    action = Action(action)
    actor.require(REVIEW_PERMISSION)
    row = _visible(session, actor=actor, day_id=day_id)
    current = Status(row.status)
    if Status(expected_status) is not current:
        raise _decided(current, row.reviewer_name)
    t = TRANSITIONS.get((current, action))
    if t is None:
        raise Conflict(
            f"该考勤日报{current.label}，不能{ACTION_LABELS[action]}（审核通过后不再改变）"
        )
    refusal = _refusal(actor, row, _today(now))
    if refusal:
        raise Forbidden(refusal) if row.user_id == actor.user_id else AttendanceRuleError(refusal)
    opinion = (opinion or "").strip() or None
    if t.opinion_required and not opinion:
        what = "复核改判" if current is Status.REJECTED else ACTION_LABELS[action]
        raise AttendanceRuleError(f"{what}须填写审核意见")
    at = (now or datetime.now(SHANGHAI)).astimezone(SHANGHAI)
    if not repo.decide(
        session, day_id=day_id, expected=current.value, status=t.target.value,
        reviewer_id=actor.user_id, reviewer_name=actor.display_name, opinion=opinion, at=at,
    ):  # fmt: skip
        status, reviewer = repo.current_status(session, day_id=day_id)
        raise _decided(Status(status), reviewer)
    record(
        session, action=f"attendance.{action.value}", object_type="attendance_day",
        object_id=day_id,
        before={"status": current.value, "opinion": row.opinion},
        after={"status": t.target.value, "opinion": opinion, "member": row.user_name,
               "work_day": row.work_day},
        region_path=row.region_path, **actor.audit_fields(),
    )  # fmt: skip
    return get_day(session, actor=actor, day_id=day_id, now=now)


def _decided(current: Status, reviewer: str | None) -> Conflict:
    who = f"已由{reviewer}审核，" if reviewer else ""
    return Conflict(f"该考勤日报{who}当前状态为“{current.label}”，请刷新后再操作")


def _refusal(actor: Actor, row: Row[Any], today: date) -> str | None:
    """Why a permitted reviewer may not decide this report now (None: may decide)."""
    if row.user_id == actor.user_id:
        return "不能审核本人的考勤"
    if row.work_day >= today:
        return "当天的考勤尚未结束（仍可能继续签到），请于次日起审核"
    return None


def _actions(actor: Actor, row: Row[Any], today: date) -> list[str]:
    if not actor.can(REVIEW_PERMISSION) or _refusal(actor, row, today):
        return []
    return [a.value for a in actions_from(Status(row.status))]


def _visible(session: Session, *, actor: Actor, day_id: int) -> Row[Any]:
    actor.require(REVIEW_PERMISSION)
    row = repo.day_row(session, actor=actor, day_id=day_id)
    if row is None:
        raise NotFound(f"未找到考勤日报（编号 {day_id}），或不在您的管辖范围内")
    return row


def _after(cursor: str | None) -> tuple[date, int] | None:
    if not cursor:
        return None
    day, _, last_id = cursor.partition("_")
    try:
        return date.fromisoformat(day), int(last_id)
    except ValueError:
        raise AttendanceRuleError("翻页游标无效，请从第一页重新查询") from None


def _today(now: datetime | None) -> date:
    return (now or datetime.now(SHANGHAI)).astimezone(SHANGHAI).date()


# ---- reads -------------------------------------------------------------------------------
def _rate(in_count: int, out_count: int) -> float | None:
    judged = in_count + out_count
    return round(in_count / judged, 4) if judged else None


def _day_read(row: Row[Any], *, actions: list[str]) -> DayRead:
    values = {k: v for k, v in row._mapping.items() if k != "region_path"}
    status = Status(row.status)
    return DayRead(
        **values,
        in_grid_rate=_rate(row.in_count, row.out_count),
        status_label=status.label,
        actions=actions,
    )


def _check_in_read(row: Row[Any]) -> CheckInRead:
    verdict = Verdict(row.verdict)
    return CheckInRead(**row._mapping, verdict_label=verdict.label)


def _points(check_ins: list[CheckInRead]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": c.id,
                "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                "properties": c.model_dump(mode="json", exclude={"lon", "lat"}),
            }
            for c in check_ins
        ],
    }


def _outlines(rows: list[Row[Any]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": r.id,
                "geometry": json.loads(r.geojson),
                "properties": {"id": r.id, "name": r.name},
            }
            for r in rows
        ],
    }
