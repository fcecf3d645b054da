"""Roles and the permission matrix (SYS-2): editing grants, anti-escalation, audit."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.audit.models import AuditLog
from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.org import service
from geo.org.errors import OrgRuleError
from geo.org.models import (
    Role,
    RolePermission,
    UserRole,
)
from geo.org.permissions import PERMISSIONS
from geo.org.schemas import RoleCreate, RoleUpdate


def _grants(db: Session, code: str) -> set[str]:
    return set(db.scalars(select(RolePermission.permission).filter_by(role_code=code)))


def _audit(db: Session, action: str, object_id: str) -> list[AuditLog]:
    return list(db.scalars(select(AuditLog).filter_by(action=action, object_id=object_id)))


@pytest.fixture
def role_keeper(actor_of: Callable[[str], Actor]) -> Actor:
    """A town administrator who was also given the matrix (not a superuser)."""
    ys_admin = actor_of("ys_admin")
    return dataclasses.replace(ys_admin, permissions=ys_admin.permissions | {"system.role.manage"})


def test_catalogue_lists_every_permission_once_by_module() -> None:
    catalogue = service.list_permission_modules()
    codes = [p.code for m in catalogue.modules for p in m.permissions]
    assert sorted(codes) == sorted(PERMISSIONS)
    assert len(codes) == len(set(codes))
    user_module = next(m for m in catalogue.modules if m.code == "system.user")
    assert [p.code for p in user_module.permissions] == ["system.user.view", "system.user.manage"]


def test_role_list_shows_grants_and_scoped_holder_counts(db: Session, actor_of) -> None:
    by_admin = {r.code: r for r in service.list_roles(db, actor=actor_of("admin"))}
    by_ys = {r.code: r for r in service.list_roles(db, actor=actor_of("ys_admin"))}
    assert by_admin["administrator"].is_superuser and by_admin["administrator"].is_builtin
    assert "event.dispatch" in by_admin["subcentre_dispatcher"].permissions
    assert by_admin["region_admin"].user_count == 2  # ys_admin and tq_admin
    assert by_ys["region_admin"].user_count == 1  # tq_admin is outside 杨舍
    assert by_ys["administrator"].user_count == 0  # the district's admin too


def test_matrix_edit_replaces_the_grants_and_is_audited(db: Session, actor_of) -> None:
    admin = actor_of("admin")
    before = _grants(db, "window_clerk")
    wanted = sorted((before - {"approval.accept"}) | {"approval.review"})
    role = service.update_role(
        db, actor=admin, code="window_clerk", changes=RoleUpdate(permissions=wanted)
    )
    assert role.permissions == wanted
    assert _grants(db, "window_clerk") == set(wanted)
    (row,) = _audit(db, "org.role_update", "window_clerk")
    assert "approval.accept" in row.before["permissions"]
    assert "approval.accept" not in row.after["permissions"]
    assert "approval.review" in row.after["permissions"]
    assert row.actor_id == admin.user_id


def test_matrix_edit_without_change_writes_no_audit_row(db: Session, actor_of) -> None:
    current = sorted(_grants(db, "officer"))
    service.update_role(
        db, actor=actor_of("admin"), code="officer", changes=RoleUpdate(permissions=current)
    )
    assert _audit(db, "org.role_update", "officer") == []


def test_administrator_grants_cannot_be_edited(db: Session, actor_of) -> None:
    with pytest.raises(OrgRuleError, match="全部权限"):
        service.update_role(
            db,
            actor=actor_of("admin"),
            code="administrator",
            changes=RoleUpdate(permissions=["map.view"]),
        )
    assert _grants(db, "administrator") == set()


def test_unknown_permission_codes_are_listed(db: Session, actor_of) -> None:
    with pytest.raises(OrgRuleError) as err:
        service.create_role(
            db,
            actor=actor_of("admin"),
            data=RoleCreate(
                code="inspector", name="巡查员", permissions=["map.view", "map.fly", "x.y"]
            ),
        )
    assert err.value.status == 422
    assert "map.fly" in err.value.detail and "x.y" in err.value.detail
    assert "map.view" not in err.value.detail
    assert db.get(Role, "inspector") is None


def test_create_role_with_grants_is_audited(db: Session, actor_of) -> None:
    role = service.create_role(
        db,
        actor=actor_of("admin"),
        data=RoleCreate(
            code="inspector",
            name="巡查员",
            description=" 只巡查 ",
            permissions=["patrol.perform", "map.view", "map.view"],
        ),
    )
    assert role.permissions == ["map.view", "patrol.perform"]
    assert role.description == "只巡查" and not role.is_builtin and role.user_count == 0
    (row,) = _audit(db, "org.role_create", "inspector")
    assert row.after["permissions"] == ["map.view", "patrol.perform"]


@pytest.mark.parametrize("code", ["X", "1abc", "has-dash", "a", "Inspector"])
def test_role_code_format(db: Session, actor_of, code: str) -> None:
    with pytest.raises(OrgRuleError, match="角色代码"):
        service.create_role(db, actor=actor_of("admin"), data=RoleCreate(code=code, name="某角色"))


def test_duplicate_role_code_or_name_conflicts(db: Session, actor_of) -> None:
    admin = actor_of("admin")
    with pytest.raises(Conflict, match="officer"):
        service.create_role(db, actor=admin, data=RoleCreate(code="officer", name="新名称"))
    with pytest.raises(Conflict, match="执法队员"):
        service.create_role(db, actor=admin, data=RoleCreate(code="officer2", name="执法队员"))
    with pytest.raises(Conflict):
        service.update_role(db, actor=admin, code="leader", changes=RoleUpdate(name="网格员"))


def test_a_non_superuser_grants_only_what_they_hold(db: Session, role_keeper: Actor) -> None:
    assert not role_keeper.can("event.dispatch")
    with pytest.raises(Forbidden, match="event.dispatch"):
        service.create_role(
            db,
            actor=role_keeper,
            data=RoleCreate(code="fake_dispatch", name="假调度", permissions=["event.dispatch"]),
        )
    with pytest.raises(Forbidden, match="event.dispatch"):
        service.update_role(
            db,
            actor=role_keeper,
            code="region_admin",
            changes=RoleUpdate(permissions=[*_grants(db, "region_admin"), "event.dispatch"]),
        )
    assert "event.dispatch" not in _grants(db, "region_admin")
    # what they do hold they may hand on
    role = service.create_role(
        db,
        actor=role_keeper,
        data=RoleCreate(code="map_reader", name="地图浏览", permissions=["map.view"]),
    )
    assert role.permissions == ["map.view"]


def test_a_non_superuser_may_remove_grants_they_lack(db: Session, role_keeper: Actor) -> None:
    # taking a permission away hands nothing out
    remaining = sorted(_grants(db, "officer") - {"case.handle"})
    service.update_role(
        db, actor=role_keeper, code="officer", changes=RoleUpdate(permissions=remaining)
    )
    assert "case.handle" not in _grants(db, "officer")


def test_only_a_superuser_touches_the_administrator_role(db: Session, role_keeper) -> None:
    with pytest.raises(Forbidden):
        service.update_role(
            db, actor=role_keeper, code="administrator", changes=RoleUpdate(name="超级管理员")
        )


def test_delete_role_rules(db: Session, actor_of) -> None:
    admin = actor_of("admin")
    with pytest.raises(Conflict, match="内置"):
        service.delete_role(db, actor=admin, code="leader")
    service.create_role(db, actor=admin, data=RoleCreate(code="temp_role", name="临时角色"))
    user_id = db.scalars(select(UserRole.user_id).filter_by(role_code="officer")).first()
    db.add(UserRole(user_id=user_id, role_code="temp_role"))
    db.flush()
    with pytest.raises(Conflict, match="仍有用户"):
        service.delete_role(db, actor=admin, code="temp_role")
    db.query(UserRole).filter_by(role_code="temp_role").delete()
    service.delete_role(db, actor=admin, code="temp_role")
    assert db.get(Role, "temp_role") is None
    assert _audit(db, "org.role_delete", "temp_role")[0].before["name"] == "临时角色"
    with pytest.raises(NotFound):
        service.delete_role(db, actor=admin, code="temp_role")
