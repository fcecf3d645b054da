"""Routing rules (GIS-5): category × area → the default department of a dispatch; the
most specific region wins, then the more specific category; kept by dispatchers in
their own area, audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.event import dispatch, service
from geo.event.errors import EventRuleError
from geo.event.schemas import RoutingRuleCreate, RoutingRuleUpdate
from tests.conftest import scalar


def _region(db: Session, username: str, level: str) -> int:
    """The `level` ancestor (or self) of a demo user's region."""
    return int(
        scalar(
            db,
            """SELECT a.id FROM user_account u JOIN region r ON r.id = u.region_id
               JOIN region a ON a.path @> r.path AND a.level = :level
               WHERE u.username = :u""",
            u=username, level=level,
        )  # type: ignore[arg-type]
    )  # fmt: skip


def _department(db: Session, name: str) -> int:
    return int(scalar(db, "SELECT id FROM department WHERE name = :n", n=name))  # type: ignore[arg-type]


def _rule(db: Session, actor: Actor, category: str, region: int, department: int) -> int:
    data = RoutingRuleCreate(category_code=category, region_id=region, department_id=department)
    return dispatch.create_rule(db, actor=actor, data=data).id


def test_the_most_specific_region_then_category_wins(
    db: Session, actor_of: Callable[[str], Actor], report: Callable[..., int]
) -> None:
    dispatcher = actor_of("ys_dispatcher")
    event_id = report()  # category 0101 in ys_grid's grid
    assert (
        service.get_event(db, actor=dispatcher, event_id=event_id).suggested_department_id is None
    )
    cgb, zf = _department(db, "杨舍城管办"), _department(db, "杨舍综合行政执法局")
    _rule(db, dispatcher, "01", _region(db, "ys_grid", "town"), cgb)
    detail = service.get_event(db, actor=dispatcher, event_id=event_id)
    assert detail.suggested_department_id == cgb  # the parent category applies
    assert detail.suggested_department_name == "杨舍城管办"
    _rule(db, dispatcher, "0101", _region(db, "ys_grid", "town"), zf)
    assert service.get_event(db, actor=dispatcher, event_id=event_id).suggested_department_id == zf
    _rule(db, dispatcher, "01", _region(db, "ys_grid", "grid"), cgb)
    assert service.get_event(db, actor=dispatcher, event_id=event_id).suggested_department_id == cgb
    other = report(category_code="0201")
    assert service.get_event(db, actor=dispatcher, event_id=other).suggested_department_id is None


def test_rules_are_audited_updated_and_deleted(
    db: Session, actor_of: Callable[[str], Actor]
) -> None:
    dispatcher = actor_of("ys_dispatcher")
    town = _region(db, "ys_grid", "town")
    rule_id = _rule(db, dispatcher, "0101", town, _department(db, "杨舍城管办"))
    assert [r.id for r in dispatch.list_rules(db, actor=dispatcher)] == [rule_id]
    zf = _department(db, "杨舍综合行政执法局")
    updated = dispatch.update_rule(
        db, actor=dispatcher, rule_id=rule_id, data=RoutingRuleUpdate(department_id=zf)
    )
    assert updated.department_name == "杨舍综合行政执法局" and updated.region_level == "town"
    dispatch.delete_rule(db, actor=dispatcher, rule_id=rule_id)
    assert dispatch.list_rules(db, actor=dispatcher) == []
    actions = db.execute(
        text("""SELECT action FROM audit_log WHERE object_type = 'event_routing_rule'
                AND object_id = :id ORDER BY id"""),
        {"id": str(rule_id)},
    ).scalars().all()  # fmt: skip
    assert actions == [
        "event.routing_rule.create", "event.routing_rule.update", "event.routing_rule.delete"
    ]  # fmt: skip


def test_rules_are_refused_outside_the_scope_duplicated_or_for_a_foreign_department(
    db: Session, actor_of: Callable[[str], Actor]
) -> None:
    dispatcher = actor_of("ys_dispatcher")
    ys, tq = _region(db, "ys_grid", "town"), _region(db, "tq_grid", "town")
    cgb = _department(db, "杨舍城管办")
    with pytest.raises(NotFound):
        _rule(db, dispatcher, "0101", tq, _department(db, "塘桥城管办"))
    with pytest.raises(NotFound):  # another town's department
        _rule(db, dispatcher, "0101", ys, _department(db, "塘桥城管办"))
    with pytest.raises(EventRuleError, match="分类"):
        _rule(db, dispatcher, "9999", ys, cgb)
    _rule(db, dispatcher, "0101", ys, cgb)
    with pytest.raises(Conflict, match="已有"):
        _rule(db, dispatcher, "0101", ys, cgb)
    centre = _rule(db, actor_of("center"), "0101", tq, _department(db, "塘桥城管办"))
    with pytest.raises(NotFound):  # the other town's rule is invisible to ys
        dispatch.get_rule(db, actor=dispatcher, rule_id=centre)
    with pytest.raises(EventRuleError, match="辖区不含"):  # a town department for the district
        _rule(db, actor_of("center"), "0101", _region(db, "ys_grid", "district"), cgb)
    with pytest.raises(Forbidden):
        dispatch.list_rules(db, actor=actor_of("ys_grid"))
