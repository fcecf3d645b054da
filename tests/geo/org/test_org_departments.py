"""Departments (a tree inside the regions) and squads (中队): rules, scope, audit."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from geo.audit.models import AuditLog
from geo.core.db import get_engine
from geo.core.errors import Conflict, NotFound
from geo.org import service
from geo.org.errors import OrgRuleError
from geo.org.models import Department, Squad, UserAccount
from geo.org.rules import flush_unique
from geo.org.schemas import (
    DepartmentCreate,
    DepartmentUpdate,
    SquadCreate,
    SquadUpdate,
)
from geo.region.models import Region
from tests.geo.org.racing import actor_named, race

DISTRICT = "320582000000"
TQ_TOWN = "320582101000"
YS_TOWN = "320582100000"


def _audit_actions(db: Session, object_type: str, object_id: int) -> list[str]:
    return list(
        db.scalars(
            select(AuditLog.action)
            .filter_by(object_type=object_type, object_id=str(object_id))
            .order_by(AuditLog.id)
        )
    )


def _new(db, actor, region_id: int, name: str, **kw) -> int:  # noqa: ANN001
    return service.create_department(
        db, actor=actor, data=DepartmentCreate(name=name, region_id=region_id, **kw)
    ).id


def test_list_is_tree_ordered_and_scoped(db: Session, actor_of, ids) -> None:
    ys_admin = actor_of("ys_admin")
    ys = ids(region=YS_TOWN)
    top = _new(db, ys_admin, ys, "杨舍综治办", sort_order=-1)
    child_b = _new(db, ys_admin, ys, "综治办乙科", parent_id=top, sort_order=2)
    child_a = _new(db, ys_admin, ys, "综治办甲科", parent_id=top, sort_order=1)
    grandchild = _new(db, ys_admin, ys, "甲科一组", parent_id=child_a)
    listed = service.list_departments(db, actor=ys_admin)
    order = [d.id for d in listed]
    assert order[:4] == [top, child_a, grandchild, child_b]
    assert {d.region_name for d in listed} == {"杨舍镇"}
    assert not any(d.name.startswith("塘桥") or d.name.startswith("区") for d in listed)
    # every department appears after its parent
    seen: set[int] = set()
    for d in listed:
        assert d.parent_id is None or d.parent_id in seen
        seen.add(d.id)


def test_region_filter_and_out_of_scope_region(db: Session, actor_of, ids) -> None:
    admin, ys_admin = actor_of("admin"), actor_of("ys_admin")
    tq_only = service.list_departments(db, actor=admin, region_id=ids(region=TQ_TOWN))
    assert tq_only and all(d.region_id == ids(region=TQ_TOWN) for d in tq_only)
    with pytest.raises(NotFound):
        service.list_departments(db, actor=ys_admin, region_id=ids(region=TQ_TOWN))


def test_parent_in_ancestor_region_allowed_sibling_region_refused(db, actor_of, ids) -> None:
    admin = actor_of("admin")
    bureau = ids(department="区网格化综合指挥中心")  # a district department
    office = _new(db, admin, ids(region=YS_TOWN), "杨舍指挥分部", parent_id=bureau)
    assert db.get(Department, office).parent_id == bureau
    with pytest.raises(OrgRuleError, match="上级部门"):
        _new(db, admin, ids(region=TQ_TOWN), "塘桥分部", parent_id=office)
    with pytest.raises(OrgRuleError, match="上级部门"):  # a parent below its child's region
        _new(db, admin, ids(region=DISTRICT), "区某局", parent_id=office)


def test_town_admin_cannot_use_another_towns_department(db, actor_of, ids) -> None:
    ys_admin = actor_of("ys_admin")
    with pytest.raises(NotFound):
        _new(db, ys_admin, ids(region=YS_TOWN), "某科", parent_id=ids(department="塘桥城管办"))
    with pytest.raises(NotFound):
        _new(db, ys_admin, ids(region=TQ_TOWN), "塘桥某科")
    with pytest.raises(NotFound):
        service.update_department(
            db,
            actor=ys_admin,
            department_id=ids(department="塘桥城管办"),
            changes=DepartmentUpdate(name="改名"),
        )
    with pytest.raises(NotFound):
        service.delete_department(db, actor=ys_admin, department_id=ids(department="塘桥城管办"))


def test_no_cycles(db: Session, actor_of, ids) -> None:
    admin = actor_of("admin")
    ys = ids(region=YS_TOWN)
    a = _new(db, admin, ys, "甲")
    b = _new(db, admin, ys, "乙", parent_id=a)
    c = _new(db, admin, ys, "丙", parent_id=b)
    for parent in (a, c):
        with pytest.raises(OrgRuleError, match="下级"):
            service.update_department(
                db, actor=admin, department_id=a, changes=DepartmentUpdate(parent_id=parent)
            )
    service.update_department(
        db, actor=admin, department_id=c, changes=DepartmentUpdate(parent_id=a)
    )
    assert db.get(Department, c).parent_id == a


def test_duplicate_name_in_region_conflicts(db: Session, actor_of, ids) -> None:
    admin = actor_of("admin")
    with pytest.raises(Conflict, match="杨舍城管办"):
        _new(db, admin, ids(region=YS_TOWN), " 杨舍城管办 ")
    # the same name in another town is another department
    _new(db, admin, ids(region=TQ_TOWN), "杨舍城管办")


def test_phone_is_normalised_or_refused(db: Session, actor_of, ids) -> None:
    admin = actor_of("admin")
    dep = service.create_department(
        db,
        actor=admin,
        data=DepartmentCreate(name="新科", region_id=ids(region=YS_TOWN), phone="0512 5868 0000"),
    )
    assert dep.phone == "0512-58680000"
    with pytest.raises(OrgRuleError, match="电话"):
        service.update_department(
            db, actor=admin, department_id=dep.id, changes=DepartmentUpdate(phone="12345")
        )


def test_delete_refused_while_in_use_then_allowed_and_audited(db, actor_of, ids) -> None:
    admin = actor_of("admin")
    for name, what in [
        ("杨舍综合行政执法局", "中队"),
        ("杨舍城管办", "人员"),
        ("杨舍便民服务中心", "服务窗口"),
    ]:
        with pytest.raises(Conflict, match=what):
            service.delete_department(db, actor=admin, department_id=ids(department=name))
    parent = _new(db, admin, ids(region=YS_TOWN), "临时科")
    child = _new(db, admin, ids(region=YS_TOWN), "临时组", parent_id=parent)
    with pytest.raises(Conflict, match="下级部门"):
        service.delete_department(db, actor=admin, department_id=parent)
    service.delete_department(db, actor=admin, department_id=child)
    service.delete_department(db, actor=admin, department_id=parent)
    assert db.get(Department, parent) is None
    assert _audit_actions(db, "department", parent) == [
        "org.department_create",
        "org.department_delete",
    ]


def test_window_flag_kept_while_windows_exist(db: Session, actor_of, ids) -> None:
    with pytest.raises(Conflict, match="窗口"):
        service.update_department(
            db,
            actor=actor_of("admin"),
            department_id=ids(department="杨舍便民服务中心"),
            changes=DepartmentUpdate(is_window_department=False),
        )


def test_update_is_audited_with_before_and_after(db: Session, actor_of, ids) -> None:
    dep_id = ids(department="杨舍城管办")
    service.update_department(
        db,
        actor=actor_of("ys_admin"),
        department_id=dep_id,
        changes=DepartmentUpdate(name="杨舍城市管理办公室", sort_order=5),
    )
    row = db.scalars(
        select(AuditLog).filter_by(action="org.department_update", object_id=str(dep_id))
    ).one()
    assert row.before["name"] == "杨舍城管办" and row.after["name"] == "杨舍城市管理办公室"
    assert row.after["sort_order"] == 5
    assert row.region_path.endswith(YS_TOWN)


def test_region_of_a_busy_department_cannot_change(db: Session, actor_of, ids) -> None:
    with pytest.raises(Conflict, match="区划"):
        service.update_department(
            db,
            actor=actor_of("admin"),
            department_id=ids(department="杨舍城管办"),
            changes=DepartmentUpdate(region_id=ids(region=TQ_TOWN)),
        )


# ---- squads -----------------------------------------------------------------------------
def test_squads_listed_with_leader_and_members_in_scope(db: Session, actor_of, ids) -> None:
    squads = {s.name: s for s in service.list_squads(db, actor=actor_of("ys_admin"))}
    assert set(squads) == {"杨舍第一中队", "杨舍第二中队"}
    first = squads["杨舍第一中队"]
    assert first.leader_name == "杨舍中队长·郑凯"
    assert first.member_count == 4  # the officer, the squad leader, ys_zf01 and ys_zf02
    assert squads["杨舍第二中队"].member_count == 2  # ys_zf03 and ys_zf04
    by_department = service.list_squads(
        db, actor=actor_of("admin"), department_id=ids(department="塘桥综合行政执法局")
    )
    assert {s.name for s in by_department} == {"塘桥第一中队", "塘桥第二中队"}


def test_squad_leader_must_belong_to_the_squads_region(db: Session, actor_of, ids) -> None:
    admin = actor_of("admin")
    enforcement = ids(department="杨舍综合行政执法局")
    with pytest.raises(OrgRuleError, match="中队长"):
        service.create_squad(
            db,
            actor=admin,
            data=SquadCreate(
                name="第三中队", department_id=enforcement, leader_id=ids(user="tq_officer")
            ),
        )
    squad = service.create_squad(
        db,
        actor=admin,
        data=SquadCreate(name="第三中队", department_id=enforcement, leader_id=ids(user="ys_grid")),
    )
    assert squad.region_id == ids(region=YS_TOWN)  # from the department
    assert squad.leader_name == db.get(UserAccount, ids(user="ys_grid")).display_name
    ys_admin = actor_of("ys_admin")
    with pytest.raises(NotFound):  # another town's person is simply not found
        service.update_squad(
            db,
            actor=ys_admin,
            squad_id=squad.id,
            changes=SquadUpdate(leader_id=ids(user="tq_squad")),
        )


def test_squad_rules_duplicates_members_and_scope(db: Session, actor_of, ids) -> None:
    admin, ys_admin = actor_of("admin"), actor_of("ys_admin")
    enforcement = ids(department="杨舍综合行政执法局")
    with pytest.raises(Conflict):
        service.create_squad(
            db, actor=admin, data=SquadCreate(name="杨舍第一中队", department_id=enforcement)
        )
    with pytest.raises(Conflict, match="队员"):
        service.delete_squad(db, actor=admin, squad_id=ids(squad="杨舍第一中队"))
    with pytest.raises(NotFound):
        service.delete_squad(db, actor=ys_admin, squad_id=ids(squad="塘桥第二中队"))
    with pytest.raises(NotFound):
        service.create_squad(
            db,
            actor=ys_admin,
            data=SquadCreate(name="越界中队", department_id=ids(department="塘桥综合行政执法局")),
        )
    with pytest.raises(Conflict, match="还有 2 名队员"):
        service.delete_squad(db, actor=ys_admin, squad_id=ids(squad="杨舍第二中队"))
    empty = service.create_squad(
        db, actor=ys_admin,
        data=SquadCreate(name="临时中队", department_id=ids(department="杨舍综合行政执法局")),
    ).id  # fmt: skip
    service.delete_squad(db, actor=ys_admin, squad_id=empty)
    assert db.get(Squad, empty) is None
    assert _audit_actions(db, "squad", empty) == ["org.squad_create", "org.squad_delete"]


def test_town_admin_saves_a_department_under_a_district_bureau(db, actor_of, ids) -> None:
    admin, ys_admin = actor_of("admin"), actor_of("ys_admin")
    bureau = ids(department="区网格化综合指挥中心")
    office = _new(db, admin, ids(region=YS_TOWN), "杨舍指挥分部", parent_id=bureau)
    form = DepartmentUpdate(
        name="杨舍指挥分部（改）",
        parent_id=bureau,  # unchanged, and out of the town admin's sight
        region_id=ids(region=YS_TOWN),
        is_window_department=False,
        sort_order=3,
        phone=None,
    )
    saved = service.update_department(db, actor=ys_admin, department_id=office, changes=form)
    assert saved.name == "杨舍指挥分部（改）" and saved.parent_id == bureau
    with pytest.raises(NotFound):  # choosing it anew is not allowed
        service.create_department(
            db,
            actor=ys_admin,
            data=DepartmentCreate(name="另一分部", region_id=ids(region=YS_TOWN), parent_id=bureau),
        )


# ---- the database's refusals ------------------------------------------------------------
def test_a_link_to_a_deleted_row_is_not_reported_as_a_duplicate(db: Session, ids) -> None:
    orphan = Department(name="孤儿部门", region_id=ids(region=YS_TOWN), parent_id=-1)
    with pytest.raises(Conflict, match="已被删除或不存在") as refused:
        flush_unique(db, orphan, "本区划已有名为“孤儿部门”的部门")
    assert "已有名为" not in refused.value.detail
    # The savepoint took the refusal: the session goes on.
    assert db.scalar(select(Department.id).filter_by(name="杨舍城管办")) is not None


def test_a_duplicate_is_still_reported_as_one(db: Session, ids) -> None:
    twin = Department(name="杨舍城管办", region_id=ids(region=YS_TOWN))
    with pytest.raises(Conflict, match="已有名为"):
        flush_unique(db, twin, "本区划已有名为“杨舍城管办”的部门")


def test_a_department_moved_out_of_scope_meanwhile_is_not_deleted(
    demo_area: dict[str, int],
) -> None:
    admin, ys_admin = actor_named("admin"), actor_named("ys_admin")
    with Session(get_engine()) as s:
        ys, tq = (s.scalars(select(Region.id).filter_by(code=c)).one() for c in (YS_TOWN, TQ_TOWN))
        department = Department(name=f"并发测试{uuid.uuid4().hex[:8]}", region_id=ys)
        s.add(department)
        s.commit()
        department_id = department.id

    def move(s: Session) -> None:
        changes = DepartmentUpdate(region_id=tq)
        service.update_department(s, actor=admin, department_id=department_id, changes=changes)

    def drop(s: Session) -> None:
        service.delete_department(s, actor=ys_admin, department_id=department_id)

    try:
        outcome = race(move, drop)
        assert isinstance(outcome, NotFound)
        with Session(get_engine()) as s:
            assert s.get_one(Department, department_id).region_id == tq
    finally:
        with Session(get_engine()) as s:
            s.execute(delete(Department).where(Department.id == department_id))
            s.commit()
