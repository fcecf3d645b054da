"""Spatial dispatch (GIS-5) besides locating the grid: merging a suspected duplicate
into the work order kept, and the routing rules (category × area → the department a
dispatch defaults to) that dispatchers keep for their own area."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.core.scope import ensure_readable_region, path_within
from geo.event import repository as repo
from geo.event import service
from geo.event.errors import EventRuleError
from geo.event.models import EventRoutingRule
from geo.event.schemas import (
    EventDetail,
    RoutingRuleCreate,
    RoutingRuleRead,
    RoutingRuleUpdate,
)
from geo.event.workflow import Action, Status, find_transition

__all__ = [
    "create_rule",
    "delete_rule",
    "get_rule",
    "list_rules",
    "merge",
    "update_rule",
]

DISPATCH = "event.dispatch"


# ---- merging a duplicate -----------------------------------------------------------------
def merge(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    into_id: int,
    opinion: str | None = None,
    expected_status: Status | str | None = None,
) -> EventDetail:
    """Cancel work order `event_id` as a duplicate of `into_id`: allowed where the
    dispatcher could cancel it (the claimer…), only into an open work order of the same
    town. Both histories say so; one audit row."""
    actor.require(DISPATCH)
    row = service._visible(session, actor=actor, event_id=event_id)
    kept = service._visible(session, actor=actor, event_id=into_id)
    current = Status(row.status)
    if expected_status is not None and Status(expected_status) is not current:
        raise service._changed(current)
    _check_merge(actor, row, kept)
    text = f"{row.event_no} 合并到 {kept.event_no}"
    opinion = (opinion or "").strip() or None
    said = f"{text}：{opinion}" if opinion else text
    if not repo.merge_into(session, event_id=row.id, source=current.value, kept_id=kept.id):
        now = repo.current_status(session, event_id=row.id)
        raise service._changed(Status(now)) if now else NotFound(f"工单（编号 {row.id}）已不存在")
    for event, before, after in (
        (row, current, Status.CANCELLED),
        (kept, Status(kept.status), Status(kept.status)),
    ):
        repo.insert_action(
            session, event_id=event.id, action=service.MERGE, from_status=before.value,
            to_status=after.value, actor_id=actor.user_id, actor_name=actor.display_name,
            opinion=said,
        )  # fmt: skip
    record(
        session, action="event.merge", object_type="event", object_id=row.id,
        before={"status": current.value},
        after={"status": Status.CANCELLED.value, "merged_into_id": kept.id,
               "merged_into_no": kept.event_no},
        region_path=row.region_path, detail=said, **actor.audit_fields(),
    )  # fmt: skip
    return service.get_event(session, actor=actor, event_id=row.id)


def _check_merge(actor: Actor, row: Row[Any], kept: Row[Any]) -> None:
    if row.id == kept.id:
        raise EventRuleError("不能把工单合并到它自己")
    t = find_transition(Status(row.status), Action.CANCEL)
    if t is None:
        raise Conflict(f"工单 {row.event_no} 当前状态为“{Status(row.status).label}”，不能再合并")
    refusal = service._holder_refusal(actor, row, t)
    if refusal:
        raise Forbidden(refusal.replace("作废", "合并"))
    if not Status(kept.status).is_open:
        raise EventRuleError(
            f"工单 {kept.event_no} 已{Status(kept.status).label.removeprefix('已')}，"
            "不能作为合并的保留工单"
        )
    if kept.merged_into_id is not None:
        raise EventRuleError(f"工单 {kept.event_no} 已被合并，不能作为保留工单")
    if row.town_id is None or row.town_id != kept.town_id:
        raise EventRuleError(
            f"工单 {row.event_no}（{row.town_name}）与 {kept.event_no}（{kept.town_name}）"
            "不属于同一镇街，不能合并"
        )


# ---- routing rules -----------------------------------------------------------------------
def list_rules(
    session: Session, *, actor: Actor, category: str | None = None
) -> list[RoutingRuleRead]:
    actor.require(DISPATCH)
    return [_rule_read(r) for r in repo.rule_rows(session, actor=actor, category=category)]


def get_rule(session: Session, *, actor: Actor, rule_id: int) -> RoutingRuleRead:
    actor.require(DISPATCH)
    return _rule_read(_rule_row(session, actor=actor, rule_id=rule_id))


def create_rule(session: Session, *, actor: Actor, data: RoutingRuleCreate) -> RoutingRuleRead:
    actor.require(DISPATCH)
    category = repo.get_category(session, data.category_code)
    if category is None:
        raise EventRuleError(f"事件分类 {data.category_code} 不存在，请从分类字典中选择")
    ensure_readable_region(session, actor, data.region_id)
    region = repo.region_row(session, data.region_id)
    assert region is not None
    _check_department(session, actor=actor, department_id=data.department_id, region=region)
    rule = EventRoutingRule(
        category_code=category.code, region_id=region.id, department_id=data.department_id
    )
    try:
        with session.begin_nested():
            session.add(rule)
            session.flush()
    except IntegrityError:
        raise Conflict(f"“{region.name}”已有“{category.name}”的派遣规则，请修改原规则") from None
    record(
        session, action="event.routing_rule.create", object_type="event_routing_rule",
        object_id=rule.id, after=data.model_dump(), region_path=region.path,
        **actor.audit_fields(),
    )  # fmt: skip
    return get_rule(session, actor=actor, rule_id=rule.id)


def update_rule(
    session: Session, *, actor: Actor, rule_id: int, data: RoutingRuleUpdate
) -> RoutingRuleRead:
    actor.require(DISPATCH)
    row = _rule_row(session, actor=actor, rule_id=rule_id)
    region = repo.region_row(session, row.region_id)
    assert region is not None
    _check_department(session, actor=actor, department_id=data.department_id, region=region)
    rule = session.get(EventRoutingRule, rule_id)
    assert rule is not None
    rule.department_id = data.department_id
    session.flush()
    record(
        session, action="event.routing_rule.update", object_type="event_routing_rule",
        object_id=rule_id, before={"department_id": row.department_id},
        after={"department_id": data.department_id}, region_path=region.path,
        **actor.audit_fields(),
    )  # fmt: skip
    return get_rule(session, actor=actor, rule_id=rule_id)


def delete_rule(session: Session, *, actor: Actor, rule_id: int) -> None:
    actor.require(DISPATCH)
    row = _rule_row(session, actor=actor, rule_id=rule_id)
    rule = session.get(EventRoutingRule, rule_id)
    session.delete(rule)
    session.flush()
    record(
        session, action="event.routing_rule.delete", object_type="event_routing_rule",
        object_id=rule_id, before=_rule_read(row).model_dump(mode="json"),
        region_path=row.region_path, **actor.audit_fields(),
    )  # fmt: skip


def _rule_row(session: Session, *, actor: Actor, rule_id: int) -> Row[Any]:
    rows = repo.rule_rows(session, actor=actor, rule_id=rule_id)
    if not rows:
        raise NotFound(f"未找到派遣规则（编号 {rule_id}），或不在您的管辖范围内")
    return rows[0]


def _rule_read(row: Row[Any]) -> RoutingRuleRead:
    return RoutingRuleRead(**{k: v for k, v in row._mapping.items() if k != "region_path"})


def _check_department(
    session: Session, *, actor: Actor, department_id: int, region: Row[Any]
) -> None:
    """The department must be the actor's to see and its area must hold the rule's."""
    department = repo.department_target(session, department_id=department_id)
    if department is None or not service._in_actor_scope(actor, department.region_path):
        raise NotFound(f"未找到部门（编号 {department_id}），或不在您的管辖范围内")
    if not path_within(region.path, department.region_path):
        raise EventRuleError(f"{department.name} 的辖区不含“{region.name}”，不能作为其默认派遣部门")
