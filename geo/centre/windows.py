"""Use cases of service windows and their staff (SYS-7).

A window belongs to a centre, optionally to one of its halls, and to a window department
(窗口部门, the only ones the manual's window form offers) on the centre's branch of the
region tree; its number is unique in the centre. Its staff are active users of the
actor's scope; a person on several windows picks one at sign-in, and a session keeps
its window only while its user staffs it. Reached through the actor's scope only (404
outside it); every change locks the window row first and is audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from geo.centre.schemas import StaffRead, WindowCreate, WindowRead, WindowUpdate
from geo.centre.service import CentreRuleBroken, _audit, _centre, _change, _flush, _remove
from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.core.scope import readable
from geo.org.models import (
    AuthSession,
    Department,
    Hall,
    ServiceCentre,
    ServiceWindow,
    UserAccount,
    WindowStaff,
)
from geo.org.rules import database_refusals
from geo.region.models import Region

__all__ = [
    "create_window",
    "delete_window",
    "list_windows",
    "replace_window_staff",
    "update_window",
]


def _window_rows(session: Session, *, where: Any) -> list[WindowRead]:
    """Windows with their hall, department and staff: two queries, whatever the count."""
    hall = aliased(Hall)
    rows = session.execute(
        select(
            ServiceWindow.id, ServiceWindow.name, ServiceWindow.number, ServiceWindow.hall_id,
            hall.name.label("hall_name"), ServiceWindow.department_id,
            Department.name.label("department_name"),
        )
        .outerjoin(hall, hall.id == ServiceWindow.hall_id)
        .join(Department, Department.id == ServiceWindow.department_id)
        .where(where)
        .order_by(ServiceWindow.number)
    ).all()  # fmt: skip
    staff: dict[int, list[StaffRead]] = {row.id: [] for row in rows}
    for window_id, user_id, name in session.execute(
        select(WindowStaff.window_id, UserAccount.id, UserAccount.display_name)
        .join(UserAccount, UserAccount.id == WindowStaff.user_id)
        .where(WindowStaff.window_id.in_(list(staff)))
        .order_by(UserAccount.display_name, UserAccount.id)
    ):
        staff[window_id].append(StaffRead(id=user_id, display_name=name))
    return [WindowRead(**row._mapping, staff=staff[row.id]) for row in rows]


def list_windows(session: Session, *, actor: Actor, centre_id: int) -> list[WindowRead]:
    _centre(session, actor, centre_id)
    return _window_rows(session, where=ServiceWindow.centre_id == centre_id)


def _window(
    session: Session, actor: Actor, window_id: int, *, lock: bool = False
) -> tuple[ServiceWindow, ServiceCentre]:
    """The window of a centre in the actor's scope; `lock`: the window row-locked and
    re-read, so two people saving it are served one after the other."""
    query = (
        select(ServiceWindow, ServiceCentre)
        .join(ServiceCentre, ServiceCentre.id == ServiceWindow.centre_id)
        .where(ServiceWindow.id == window_id, readable(actor, ServiceCentre.region_id))
    )
    if lock:
        query = query.with_for_update(of=ServiceWindow).execution_options(populate_existing=True)
    row = session.execute(query).first()
    if row is None:
        raise NotFound(f"未找到窗口（编号 {window_id}），或不在您的管辖范围内")
    return row[0], row[1]


def _check_department(
    session: Session, actor: Actor, centre: ServiceCentre, department_id: int
) -> None:
    """A window department of the actor's scope, on the centre's branch of the tree (the
    centre's region, above it, or below it — never another town's)."""
    department = session.scalar(
        select(Department).where(
            Department.id == department_id, readable(actor, Department.region_id)
        )
    )
    if department is None:
        raise NotFound(f"未找到部门（编号 {department_id}），或不在您的管辖范围内")
    if not department.is_window_department:
        raise CentreRuleBroken(
            f"“{department.name}”不是窗口部门：只有设置为窗口部门的部门才能开设窗口"
        )
    dept_region, centre_region = aliased(Region), aliased(Region)
    same_branch = session.scalar(
        select(
            or_(
                dept_region.path.bool_op("@>")(centre_region.path),
                dept_region.path.bool_op("<@")(centre_region.path),
            )
        )
        .select_from(dept_region)
        .join(centre_region, centre_region.id == centre.region_id)
        .where(dept_region.id == department.region_id)
    )
    if not same_branch:
        raise CentreRuleBroken(f"部门“{department.name}”不属于服务中心“{centre.name}”所在区划")


def _check_hall(session: Session, centre: ServiceCentre, hall_id: int | None) -> None:
    if hall_id is None:
        return
    owner = session.scalar(select(Hall.centre_id).where(Hall.id == hall_id))
    if owner != centre.id:
        raise CentreRuleBroken(f"所选大厅（编号 {hall_id}）不属于服务中心“{centre.name}”")


def _number_taken(number: str) -> str:
    return f"窗口编号 {number} 在本中心已被使用，请换一个编号"


def _check_number_free(
    session: Session, centre_id: int, number: str, self_id: int | None = None
) -> None:
    clash = session.scalar(
        select(ServiceWindow.id).where(
            ServiceWindow.centre_id == centre_id,
            ServiceWindow.number == number,
            ServiceWindow.id.is_distinct_from(self_id),
        )
    )
    if clash is not None:
        raise Conflict(_number_taken(number))


def _window_fields(window: ServiceWindow) -> dict[str, Any]:
    keys = ("centre_id", "hall_id", "department_id", "name", "number")
    return {k: getattr(window, k) for k in keys}


def create_window(
    session: Session, *, actor: Actor, centre_id: int, data: WindowCreate
) -> WindowRead:
    centre = _centre(session, actor, centre_id)
    _check_department(session, actor, centre, data.department_id)
    _check_hall(session, centre, data.hall_id)
    number = data.number.strip()
    _check_number_free(session, centre.id, number)
    window = ServiceWindow(
        centre_id=centre.id, hall_id=data.hall_id, department_id=data.department_id,
        name=data.name.strip(), number=number,
    )  # fmt: skip
    _flush(session, _number_taken(number), new=window)
    _audit(
        session, actor, action="window.create", object_type="service_window",
        object_id=window.id, region_id=centre.region_id, after=_window_fields(window),
        detail=f"在“{centre.name}”新增窗口 {number}“{window.name}”",
    )  # fmt: skip
    return _window_rows(session, where=ServiceWindow.id == window.id)[0]


def update_window(
    session: Session, *, actor: Actor, window_id: int, data: WindowUpdate
) -> WindowRead:
    window, centre = _window(session, actor, window_id, lock=True)
    before = _window_fields(window)
    after = dict(before)
    if data.department_id is not None and data.department_id != window.department_id:
        _check_department(session, actor, centre, data.department_id)
        after["department_id"] = data.department_id
    if "hall_id" in data.model_fields_set:
        _check_hall(session, centre, data.hall_id)
        after["hall_id"] = data.hall_id
    if data.number is not None and data.number.strip() != window.number:
        _check_number_free(session, centre.id, data.number.strip(), window.id)
        after["number"] = data.number.strip()
    if data.name is not None:
        after["name"] = data.name.strip()
    if after != before:
        _change(session, _number_taken(after["number"]), window, after)
        _audit(
            session, actor, action="window.update", object_type="service_window",
            object_id=window.id, region_id=centre.region_id, before=before, after=after,
            detail=f"修改“{centre.name}”的窗口 {window.number}“{window.name}”",
        )  # fmt: skip
    return _window_rows(session, where=ServiceWindow.id == window.id)[0]


def delete_window(session: Session, *, actor: Actor, window_id: int) -> None:
    window, centre = _window(session, actor, window_id, lock=True)
    before = {**_window_fields(window), "staff": _staff_ids(session, window.id)}
    # Its staff assignments go with it (ON DELETE CASCADE), sessions forget it (SET NULL).
    _remove(session, window, in_use=f"窗口 {window.number} 仍被其他数据使用，不能删除")
    _audit(
        session, actor, action="window.delete", object_type="service_window",
        object_id=window_id, region_id=centre.region_id, before=before,
        detail=f"删除“{centre.name}”的窗口 {before['number']}“{before['name']}”",
    )  # fmt: skip


def _staff_ids(session: Session, window_id: int) -> list[int]:
    return list(
        session.scalars(
            select(WindowStaff.user_id)
            .where(WindowStaff.window_id == window_id)
            .order_by(WindowStaff.user_id)
        )
    )


def _store_staff(session: Session, window_id: int, user_ids: list[int]) -> None:
    """The window's staff become `user_ids`; the open sessions of people taken off it
    forget it, in the same transaction (they pick another window or none)."""
    gone = "所选的人员已被删除，请刷新后重新选择"
    with database_refusals("窗口人员刚被他人修改，请刷新后重试", gone=gone), session.begin_nested():
        session.execute(delete(WindowStaff).where(WindowStaff.window_id == window_id))
        if user_ids:
            session.execute(
                insert(WindowStaff), [{"window_id": window_id, "user_id": u} for u in user_ids]
            )
    session.execute(
        update(AuthSession)
        .where(
            AuthSession.window_id == window_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.user_id.not_in(user_ids),
        )
        .values(window_id=None)
    )


def replace_window_staff(
    session: Session, *, actor: Actor, window_id: int, user_ids: list[int]
) -> WindowRead:
    """The window's staff become exactly `user_ids` (active users of the actor's scope)."""
    window, centre = _window(session, actor, window_id, lock=True)
    wanted = sorted(set(user_ids))
    users = session.execute(
        select(UserAccount.id, UserAccount.display_name, UserAccount.is_active).where(
            UserAccount.id.in_(wanted), readable(actor, UserAccount.region_id)
        )
    ).all()
    missing = sorted(set(wanted) - {u.id for u in users})
    if missing:
        ids = "、".join(str(i) for i in missing)
        raise NotFound(f"未找到用户（编号 {ids}），或不在您的管辖范围内")
    inactive = [u.display_name for u in users if not u.is_active]
    if inactive:
        raise CentreRuleBroken(f"用户已停用，不能安排到窗口：{'、'.join(inactive)}")
    before = _staff_ids(session, window.id)
    if before != wanted:
        _store_staff(session, window.id, wanted)
        _audit(
            session, actor, action="window.staff", object_type="service_window",
            object_id=window.id, region_id=centre.region_id,
            before={"user_ids": before}, after={"user_ids": wanted},
            detail=f"设置“{centre.name}”窗口 {window.number} 的人员（{len(wanted)} 人）",
        )  # fmt: skip
    return _window_rows(session, where=ServiceWindow.id == window.id)[0]
