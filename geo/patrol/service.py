"""Use cases of patrol plans (巡检任务, LE-8): the officers one may plan for, create a daily
or special plan, list and read plans and their assignments, stop a plan.

A daily plan names officers who patrol on its weekdays between its dates; a special plan
selects every enterprise of a category in a region and gives each to an officer whose
enforcement area covers it (`geo.patrol.matching`). Check-ins: `geo.patrol.checkins`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.core.paging import after_id
from geo.core.scope import path_within
from geo.enterprise.models import EnterpriseCategory
from geo.patrol import repository as repo
from geo.patrol.errors import PatrolRuleError
from geo.patrol.matching import match_special_plan
from geo.patrol.models import PlanKind
from geo.patrol.schemas import (
    CATEGORY_LABELS,
    KIND_LABELS,
    MAX_ASSIGNMENT_PAGE,
    MAX_PAGE,
    AssignmentPage,
    AssignmentRead,
    OfficerOption,
    PlanCreate,
    PlanPage,
    PlanRead,
    RouteOption,
)

__all__ = [
    "PLAN",
    "create_plan",
    "get_plan",
    "list_assignments",
    "list_plans",
    "officer_options",
    "route_options",
    "stop_plan",
]

PLAN = "patrol.plan"
MAX_PLAN_DAYS = 366


def officer_options(session: Session, *, actor: Actor) -> list[OfficerOption]:
    actor.require(PLAN)
    return [OfficerOption(**r._mapping) for r in repo.officer_options(session, actor=actor)]


def route_options(
    session: Session, *, actor: Actor, keyword: str | None, limit: int
) -> list[RouteOption]:
    """Routes a plan may follow: those of the planner's scope (`_check_route` says the same)."""
    actor.require(PLAN)
    rows = repo.route_options(session, actor=actor, keyword=(keyword or "").strip(), limit=limit)
    return [RouteOption(**r._mapping) for r in rows]


# ---- creating ----------------------------------------------------------------------------
def create_plan(session: Session, *, actor: Actor, data: PlanCreate) -> PlanRead:
    """Save the plan and its assignments in one transaction (audited)."""
    actor.require(PLAN)
    _check_dates(data)
    region = _plan_region(session, actor=actor, region_id=data.region_id)
    route_name = _check_route(session, actor=actor, route_id=data.route_id)
    values: dict[str, Any] = {
        "name": data.name, "kind": data.kind.value, "start_date": data.start_date,
        "end_date": data.end_date, "route_id": data.route_id, "note": data.note,
        "region_id": region.id, "created_by": actor.user_id, "active": True,
    }  # fmt: skip
    if data.kind is PlanKind.DAILY:
        plan_id, summary = _create_daily(session, actor=actor, data=data, values=values)
    else:
        plan_id, summary = _create_special(
            session, actor=actor, data=data, values=values, region_path=region.path
        )
    record(
        session, action=f"patrol.plan_{data.kind.value}", object_type="patrol_plan",
        object_id=plan_id,
        after={"name": data.name, "start_date": data.start_date, "end_date": data.end_date,
               "region": region.name, "route": route_name, **summary},
        region_path=region.path, **actor.audit_fields(),
    )  # fmt: skip
    return get_plan(session, actor=actor, plan_id=plan_id)


def _check_dates(data: PlanCreate) -> None:
    if data.end_date < data.start_date:
        raise PatrolRuleError("结束日期不能早于开始日期")
    if (data.end_date - data.start_date).days >= MAX_PLAN_DAYS:
        raise PatrolRuleError(f"一个巡检任务最长 {MAX_PLAN_DAYS} 天，请分段安排")
    today = datetime.now(SHANGHAI).date()
    if data.end_date < today:
        raise PatrolRuleError("结束日期已过，请重新选择日期")
    if any(not 1 <= d <= 7 for d in data.weekdays):
        raise PatrolRuleError("巡检日应为星期一（1）至星期日（7）")


def _plan_region(session: Session, *, actor: Actor, region_id: int | None) -> Row[Any]:
    region = repo.region_row(session, region_id=region_id or actor.region_id)
    if region is None or not (
        actor.is_district_wide or path_within(region.path, actor.region_path)
    ):
        raise NotFound(f"未找到区划（编号 {region_id}），或不在您的管辖范围内")
    return region


def _check_route(session: Session, *, actor: Actor, route_id: int | None) -> str | None:
    if route_id is None:
        return None
    route = repo.route_region(session, route_id=route_id)
    if route is None or not (
        actor.is_district_wide
        or (route.region_path and path_within(route.region_path, actor.region_path))
    ):
        raise NotFound(f"未找到巡查路线（编号 {route_id}），或不在您的管辖范围内")
    return str(route.name)


def _create_daily(
    session: Session, *, actor: Actor, data: PlanCreate, values: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    if data.enterprise_category is not None:
        raise PatrolRuleError("日常巡检不选择企业类别；按类别检查企业请新建“专项检查”")
    if not data.weekdays:
        raise PatrolRuleError("日常巡检须选择至少一个巡检日（星期几）")
    if not data.officer_ids:
        raise PatrolRuleError("日常巡检须选择至少一名执法队员")
    found = repo.officer_options(session, actor=actor, ids=data.officer_ids)
    known = {r.id: r.display_name for r in found}
    missing = [i for i in data.officer_ids if i not in known]
    if missing:
        raise PatrolRuleError(
            f"人员（编号 {'、'.join(map(str, missing))}）不存在、已停用、不在您的管辖范围内"
            "或没有“巡查签到”权限，不能安排巡检"
        )
    plan_id = repo.insert_plan(session, **values, weekdays=data.weekdays)
    repo.insert_assignments(
        session, [{"plan_id": plan_id, "officer_id": u} for u in data.officer_ids]
    )
    return plan_id, {"weekdays": data.weekdays, "officers": [known[i] for i in data.officer_ids]}


def _create_special(
    session: Session, *, actor: Actor, data: PlanCreate, values: dict[str, Any], region_path: str
) -> tuple[int, dict[str, Any]]:
    category = data.enterprise_category
    if category is None:
        raise PatrolRuleError("专项检查须选择企业类别")
    if data.officer_ids or data.weekdays:
        raise PatrolRuleError("专项检查按执法区域自动分配队员，不选择队员与巡检日")
    matches = match_special_plan(
        session, actor=actor, category=category.value, region_path=region_path,
        today=datetime.now(SHANGHAI).date(),
    )  # fmt: skip
    if not matches:
        raise PatrolRuleError(
            f"该区域内没有“{CATEGORY_LABELS[EnterpriseCategory(category)]}”类企业，无需专项检查"
        )
    plan_id = repo.insert_plan(session, **values, weekdays=[], enterprise_category=category.value)
    repo.insert_assignments(
        session,
        [
            {"plan_id": plan_id, "enterprise_id": m.enterprise_id, "officer_id": m.officer_id,
             "unmatched_reason": m.unmatched_reason}
            for m in matches
        ],
    )  # fmt: skip
    unmatched = sum(m.officer_id is None for m in matches)
    return plan_id, {
        "category": category.value,
        "enterprises": len(matches),
        "unmatched": unmatched,
    }


# ---- reading -----------------------------------------------------------------------------
def _plan_read(row: Row[Any]) -> PlanRead:
    values = {k: v for k, v in row._mapping.items() if k != "region_path"}
    kind = PlanKind(row.kind)
    category = row.enterprise_category
    return PlanRead(
        **values,
        kind_label=KIND_LABELS[kind],
        enterprise_category_label=CATEGORY_LABELS[EnterpriseCategory(category)]
        if category
        else None,
    )


def _visible(session: Session, *, actor: Actor, plan_id: int) -> Row[Any]:
    actor.require(PLAN)
    row = repo.plan_row(session, actor=actor, plan_id=plan_id)
    if row is None:
        raise NotFound(f"未找到巡检任务（编号 {plan_id}），或不在您的管辖范围内")
    return row


def get_plan(session: Session, *, actor: Actor, plan_id: int) -> PlanRead:
    return _plan_read(_visible(session, actor=actor, plan_id=plan_id))


def list_plans(
    session: Session,
    *,
    actor: Actor,
    kind: PlanKind | None = None,
    keyword: str | None = None,
    active: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> PlanPage:
    actor.require(PLAN)
    if not 1 <= limit <= MAX_PAGE:
        raise PatrolRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
    rows = repo.plan_rows(
        session, actor=actor, kind=kind.value if kind else None,
        keyword=(keyword or "").strip() or None, active=active, after_id=_id_cursor(cursor),
        limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    return PlanPage(
        items=[_plan_read(r) for r in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


def list_assignments(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    unmatched_only: bool = False,
    cursor: str | None = None,
    limit: int = 500,
) -> AssignmentPage:
    """A plan's assignments in order, with progress (done, check-ins) and the reason of
    each enterprise no officer could take."""
    _visible(session, actor=actor, plan_id=plan_id)
    if not 1 <= limit <= MAX_ASSIGNMENT_PAGE:
        raise PatrolRuleError(f"每页条数应在 1～{MAX_ASSIGNMENT_PAGE} 之间")
    rows = repo.assignment_rows(
        session, plan_id=plan_id, unmatched_only=unmatched_only, after_id=_id_cursor(cursor),
        limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    return AssignmentPage(
        items=[AssignmentRead(**r._mapping) for r in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


def stop_plan(session: Session, *, actor: Actor, plan_id: int) -> PlanRead:
    """End a plan early: it no longer appears in anyone's patrols (audited)."""
    row = _visible(session, actor=actor, plan_id=plan_id)
    if not repo.stop_plan(session, plan_id=plan_id):
        raise Conflict("该巡检任务已停止，请刷新后查看")
    record(
        session, action="patrol.plan_stop", object_type="patrol_plan", object_id=plan_id,
        before={"active": True}, after={"active": False}, region_path=row.region_path,
        **actor.audit_fields(),
    )  # fmt: skip
    return get_plan(session, actor=actor, plan_id=plan_id)


def _id_cursor(cursor: str | None) -> int | None:
    return after_id(cursor, error=PatrolRuleError)
