"""Departments: a tree inside the region hierarchy (SYS-2).

A department belongs to one region; its parent is a department of the same region or of
an ancestor region (a town's office may sit under a district bureau), never one of its
own descendants. It is deleted only once nothing hangs on it (sub-departments, people,
squads, service windows).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.core.identifiers import normalize_phone
from geo.core.scope import path_within
from geo.org import repository as repo
from geo.org.errors import OrgRuleError
from geo.org.models import Department
from geo.org.rules import flush_unique, required_name, scoped_region
from geo.org.schemas import (
    DepartmentCreate,
    DepartmentRead,
    DepartmentUpdate,
)

__all__ = [
    "create_department",
    "delete_department",
    "get_department",
    "list_departments",
    "update_department",
    "visible_department",
]


def _phone(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        return normalize_phone(raw)
    except ValueError as exc:
        raise OrgRuleError(str(exc)) from None


_GONE = "所选的上级部门或区划已被删除或不存在，请刷新后重新选择"


# ---- departments ------------------------------------------------------------------------
def _department_read(row: Any) -> DepartmentRead:
    return DepartmentRead(
        id=row.id,
        name=row.name,
        parent_id=row.parent_id,
        region_id=row.region_id,
        region_name=row.region_name,
        is_window_department=row.is_window_department,
        sort_order=row.sort_order,
        phone=row.phone,
    )


def _tree_order(rows: Sequence[Row[Any]]) -> list[Row[Any]]:
    """Depth first: each department followed by its sub-departments. A department whose
    parent the reader cannot see (a district bureau, for a town) is shown as a root."""
    visible = {r.id for r in rows}
    children: dict[int, list[Row[Any]]] = defaultdict(list)
    roots: list[Row[Any]] = []
    for r in rows:
        if r.parent_id in visible:
            children[r.parent_id].append(r)
        else:
            roots.append(r)
    roots.sort(key=lambda r: (r.region_path, r.sort_order, r.id), reverse=True)
    out: list[Row[Any]] = []
    stack = roots
    while stack:
        row = stack.pop()
        out.append(row)
        stack.extend(sorted(children[row.id], key=lambda r: (r.sort_order, r.id), reverse=True))
    return out


def list_departments(
    session: Session, *, actor: Actor, region_id: int | None = None
) -> list[DepartmentRead]:
    """The departments of the actor's scope (or of one region's subtree), tree-ordered."""
    path = scoped_region(session, actor, region_id).path if region_id is not None else None
    rows = repo.department_rows(session, actor=actor, region_path=path)
    return [_department_read(r) for r in _tree_order(rows)]


def get_department(session: Session, *, actor: Actor, department_id: int) -> DepartmentRead:
    rows = repo.department_rows(session, actor=actor, ids=[department_id])
    if not rows:
        raise _department_not_found(department_id)
    return _department_read(rows[0])


def _department_not_found(department_id: int) -> NotFound:
    return NotFound(f"未找到部门（编号 {department_id}），或不在您的管辖范围内")


def visible_department(session: Session, actor: Actor | None, department_id: int) -> Row[Any]:
    ref = repo.department_ref(session, actor=actor, department_id=department_id)
    if ref is None:
        raise _department_not_found(department_id)
    return ref


def _locked_department(
    session: Session, actor: Actor, department_id: int
) -> tuple[Department, str]:
    """The department (row-locked, found and locked through the actor's scope in one
    statement) and its region's path."""
    department = repo.lock_in_scope(session, Department, actor=actor, id_=department_id)
    if department is None:
        raise _department_not_found(department_id)
    region = repo.region_ref(session, department.region_id)
    assert region is not None
    return department, str(region.path)


def _check_parent(
    session: Session,
    actor: Actor | None,
    *,
    parent_id: int,
    region_path: str,
    self_id: int | None,
) -> None:
    """`actor=None` re-checks the parent a department already has (a town admin may keep
    a parent they cannot see, e.g. a district bureau)."""
    parent = visible_department(session, actor, parent_id)
    if not path_within(region_path, parent.path):
        raise OrgRuleError(
            f"上级部门“{parent.name}”不在本部门所属区划或其上级区划中，不能作为上级部门"
        )
    if self_id is not None and repo.is_department_descendant(
        session, candidate=parent_id, ancestor=self_id
    ):
        raise OrgRuleError("不能把部门设为它自己或它下级部门的下级")


def _check_department_name(
    session: Session, name: str, *, region_id: int, self_id: int | None
) -> None:
    stmt = select(Department.id).where(Department.region_id == region_id, Department.name == name)
    if self_id is not None:
        stmt = stmt.where(Department.id != self_id)
    if session.scalar(stmt) is not None:
        raise Conflict(f"本区划已有名为“{name}”的部门")


def _department_snapshot(d: Department) -> dict[str, Any]:
    return {
        "name": d.name,
        "parent_id": d.parent_id,
        "region_id": d.region_id,
        "is_window_department": d.is_window_department,
        "sort_order": d.sort_order,
        "phone": d.phone,
    }


def create_department(session: Session, *, actor: Actor, data: DepartmentCreate) -> DepartmentRead:
    region = scoped_region(session, actor, data.region_id)
    name = required_name(data.name, "部门")
    if data.parent_id is not None:
        _check_parent(
            session, actor, parent_id=data.parent_id, region_path=region.path, self_id=None
        )
    _check_department_name(session, name, region_id=region.id, self_id=None)
    department = Department(
        name=name,
        parent_id=data.parent_id,
        region_id=region.id,
        is_window_department=data.is_window_department,
        sort_order=data.sort_order,
        phone=_phone(data.phone),
    )
    flush_unique(session, department, f"本区划已有名为“{name}”的部门", gone=_GONE)
    record(
        session,
        action="org.department_create",
        object_type="department",
        object_id=department.id,
        after=_department_snapshot(department),
        region_path=region.path,
        **actor.audit_fields(),
    )
    return get_department(session, actor=actor, department_id=department.id)


def _usage_text(usage: dict[str, int], keys: Sequence[str]) -> str:
    labels = {
        "children": "个下级部门",
        "users": "名人员",
        "squads": "个中队",
        "windows": "个服务窗口",
    }
    return "、".join(f"{usage[k]} {labels[k]}" for k in keys if usage[k])


def update_department(
    session: Session, *, actor: Actor, department_id: int, changes: DepartmentUpdate
) -> DepartmentRead:
    """Every change is checked before anything is written."""
    department, region_path = _locked_department(session, actor, department_id)
    before = _department_snapshot(department)
    sent = changes.model_fields_set
    region_id = department.region_id
    if "region_id" in sent and changes.region_id != department.region_id:
        region_id, region_path = _region_for_move(session, actor, department, changes.region_id)
    moved = region_id != department.region_id
    new_parent = "parent_id" in sent and changes.parent_id != department.parent_id
    parent_id = changes.parent_id if new_parent else department.parent_id
    if parent_id is not None and (new_parent or moved):
        _check_parent(
            session,
            actor if new_parent else None,
            parent_id=parent_id,
            region_path=region_path,
            self_id=department.id,
        )
    name = required_name(changes.name, "部门") if "name" in sent else department.name
    if name != department.name or moved:
        _check_department_name(session, name, region_id=region_id, self_id=department.id)
    window = department.is_window_department
    if "is_window_department" in sent:
        window = _window_flag(session, department, changes.is_window_department)
    phone = department.phone
    if "phone" in sent and changes.phone != department.phone:
        phone = _phone(changes.phone)
    sort_order = (changes.sort_order or 0) if "sort_order" in sent else department.sort_order
    department.region_id, department.parent_id, department.name = region_id, parent_id, name
    department.is_window_department, department.phone = window, phone
    department.sort_order = sort_order
    flush_unique(session, department, f"本区划已有名为“{name}”的部门", gone=_GONE)
    after = _department_snapshot(department)
    if after != before:
        record(
            session,
            action="org.department_update",
            object_type="department",
            object_id=department.id,
            before=before,
            after=after,
            region_path=region_path,
            **actor.audit_fields(),
        )
    return get_department(session, actor=actor, department_id=department.id)


def _region_for_move(
    session: Session, actor: Actor, department: Department, region_id: int | None
) -> tuple[int, str]:
    """(id, path) of the region an empty department moves to."""
    if region_id is None:
        raise OrgRuleError("部门必须属于一个区划")
    region = scoped_region(session, actor, region_id)
    usage = repo.department_usage(session, department.id)
    if any(usage.values()):
        busy = _usage_text(usage, ("children", "users", "squads", "windows"))
        raise Conflict(f"部门下还有{busy}，不能调整所属区划")
    return region.id, str(region.path)


def _window_flag(session: Session, department: Department, value: bool | None) -> bool:
    if value is None:
        raise OrgRuleError("请说明是否为窗口部门")
    if not value and department.is_window_department:
        windows = repo.department_usage(session, department.id)["windows"]
        if windows:
            raise Conflict(f"该部门还有 {windows} 个服务窗口，不能取消窗口部门")
    return value


def delete_department(session: Session, *, actor: Actor, department_id: int) -> None:
    department, region_path = _locked_department(session, actor, department_id)
    usage = repo.department_usage(session, department_id)
    if any(usage.values()):
        busy = _usage_text(usage, ("children", "users", "squads", "windows"))
        raise Conflict(f"部门“{department.name}”下还有{busy}，不能删除")
    before = _department_snapshot(department)
    session.delete(department)
    session.flush()
    record(
        session,
        action="org.department_delete",
        object_type="department",
        object_id=department_id,
        before=before,
        region_path=region_path,
        **actor.audit_fields(),
    )
