"""Roles and the permission matrix (SYS-2): list, create, edit the grants, delete.

The administrator role is a superuser: it holds every permission, including ones added
later, so its grants are not edited. Built-in roles can be re-granted but not deleted.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.org import repository as repo
from geo.org.errors import OrgRuleError
from geo.org.models import Role, RolePermission
from geo.org.permissions import MODULES
from geo.org.rules import ensure_can_grant_permissions, ensure_known_permissions
from geo.org.schemas import (
    ModuleRead,
    PermissionCatalogue,
    PermissionRead,
    RoleCreate,
    RoleRead,
    RoleUpdate,
)

__all__ = [
    "create_role",
    "delete_role",
    "get_role",
    "list_permission_modules",
    "list_roles",
    "update_role",
]

_ROLE_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def list_permission_modules() -> PermissionCatalogue:
    """The matrix's rows: every module and its actions, in catalogue order."""
    return PermissionCatalogue(
        modules=[
            ModuleRead(
                code=m.code,
                label=m.label,
                permissions=[PermissionRead(code=p.code, label=p.label) for p in m.permissions],
            )
            for m in MODULES
        ]
    )


def _read(row: Any) -> RoleRead:
    return RoleRead(
        code=row.code,
        name=row.name,
        description=row.description,
        is_builtin=row.is_builtin,
        is_superuser=row.is_superuser,
        permissions=list(row.permissions),
        user_count=row.user_count,
    )


def list_roles(session: Session, *, actor: Actor) -> list[RoleRead]:
    return [_read(row) for row in repo.role_rows(session, actor=actor)]


def get_role(session: Session, *, actor: Actor, code: str) -> RoleRead:
    rows = repo.role_rows(session, actor=actor, code=code)
    if not rows:
        raise NotFound(f"未找到角色“{code}”")
    return _read(rows[0])


def _check_code(code: str) -> str:
    code = code.strip()
    if not _ROLE_CODE.fullmatch(code):
        raise OrgRuleError(
            f"角色代码“{code}”无效：须以小写字母开头，只含小写字母、数字和下划线，共 2～40 位"
        )
    return code


def _check_name_free(session: Session, name: str, *, code: str) -> str:
    name = name.strip()
    if not name:
        raise OrgRuleError("角色名称不能为空")
    taken = session.scalar(select(Role.code).where(Role.name == name, Role.code != code))
    if taken is not None:
        raise Conflict(f"角色名称“{name}”已被角色“{taken}”使用")
    return name


def _snapshot(session: Session, role: Role) -> dict[str, Any]:
    grants = session.scalars(
        select(RolePermission.permission)
        .where(RolePermission.role_code == role.code)
        .order_by(RolePermission.permission)
    )
    return {"name": role.name, "description": role.description, "permissions": list(grants)}


def create_role(session: Session, *, actor: Actor, data: RoleCreate) -> RoleRead:
    code = _check_code(data.code)
    permissions = ensure_known_permissions(data.permissions)
    ensure_can_grant_permissions(actor, permissions)
    if session.get(Role, code) is not None:
        raise Conflict(f"角色代码“{code}”已存在")
    name = _check_name_free(session, data.name, code=code)
    role = Role(code=code, name=name, description=data.description.strip())
    try:
        with session.begin_nested():  # two admins adding the same role: the second gets 409
            session.add(role)
            session.flush()
    except IntegrityError:
        raise Conflict(f"角色“{code}”或名称“{name}”已存在") from None
    session.add_all(RolePermission(role_code=code, permission=p) for p in permissions)
    session.flush()
    record(
        session,
        action="org.role_create",
        object_type="role",
        object_id=code,
        after=_snapshot(session, role),
        **actor.audit_fields(),
    )
    return get_role(session, actor=actor, code=code)


def _locked_role(session: Session, code: str) -> Role:
    role = session.get(Role, code, with_for_update=True)
    if role is None:
        raise NotFound(f"未找到角色“{code}”")
    return role


def update_role(session: Session, *, actor: Actor, code: str, changes: RoleUpdate) -> RoleRead:
    """Rename, describe, or set the grants (the whole list) of a role."""
    role = _locked_role(session, code)
    if role.is_superuser and not actor.superuser:
        raise Forbidden(f"只有系统管理员可以修改“{role.name}”角色")
    before = _snapshot(session, role)
    sent = changes.model_fields_set
    if "name" in sent:
        if changes.name is None:
            raise OrgRuleError("角色名称不能为空")
        role.name = _check_name_free(session, changes.name, code=code)
    if "description" in sent:
        role.description = (changes.description or "").strip()
    if "permissions" in sent:
        if changes.permissions is None:
            raise OrgRuleError("权限列表不能为 null；取消全部授权请传 []")
        _set_grants(session, actor, role, changes.permissions, before["permissions"])
    session.flush()
    after = _snapshot(session, role)
    if after != before:
        record(
            session,
            action="org.role_update",
            object_type="role",
            object_id=code,
            before=before,
            after=after,
            **actor.audit_fields(),
        )
    return get_role(session, actor=actor, code=code)


def _set_grants(
    session: Session, actor: Actor, role: Role, wanted: list[str], current: list[str]
) -> None:
    if role.is_superuser:
        raise OrgRuleError(f"“{role.name}”拥有全部权限，不能调整其授权")
    permissions = ensure_known_permissions(wanted)
    added = set(permissions) - set(current)
    ensure_can_grant_permissions(actor, added)
    removed = set(current) - set(permissions)
    if removed:
        session.execute(
            delete(RolePermission).where(
                RolePermission.role_code == role.code, RolePermission.permission.in_(removed)
            )
        )
    session.add_all(RolePermission(role_code=role.code, permission=p) for p in sorted(added))


def delete_role(session: Session, *, actor: Actor, code: str) -> None:
    """Only a role someone added, and only while nobody holds it."""
    role = _locked_role(session, code)
    if role.is_builtin:
        raise Conflict(f"“{role.name}”是系统内置角色，不能删除")
    if repo.role_holder_count(session, code):
        raise Conflict(f"仍有用户拥有“{role.name}”角色，请先为这些用户调整角色后再删除")
    before = _snapshot(session, role)
    session.delete(role)
    session.flush()
    record(
        session,
        action="org.role_delete",
        object_type="role",
        object_id=code,
        before=before,
        **actor.audit_fields(),
    )
