"""The SQL of the organisation domain (SYS-2): the reads behind the lists and the checks
that guard a change. Every list and every lookup by id goes through `readable(actor, …)`,
so an id of another town is simply not found (SYS-10)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from geo.core.actor import Actor
from geo.core.paging import like_pattern
from geo.core.scope import readable
from geo.org.models import (
    Department,
    Role,
    RolePermission,
    ServiceCentre,
    ServiceWindow,
    Squad,
    UserAccount,
    UserRole,
    WindowStaff,
)
from geo.region.models import Region

__all__ = [
    "department_ref",
    "department_rows",
    "department_usage",
    "is_department_descendant",
    "led_squads",
    "lock_in_scope",
    "region_ref",
    "role_holder_count",
    "role_rows",
    "roles_by_code",
    "squad_member_count",
    "squad_ref",
    "squad_rows",
    "staffed_windows",
    "user_ref",
    "user_rows",
    "user_window_ids",
]


def _in_subtree(region_id: Any, path: str) -> ColumnElement[bool]:
    """`region_id` lies in the subtree of the region at `path`."""
    subtree = select(Region.id).where(Region.path.op("<@")(func.text2ltree(path)))
    return region_id.in_(subtree)


def _visible(actor: Actor | None, region_id: Any) -> ColumnElement[bool]:
    return true() if actor is None else readable(actor, region_id)


Scoped = TypeVar("Scoped", Department, Squad, UserAccount)


def lock_in_scope(
    session: Session, model: type[Scoped], *, actor: Actor, id_: int
) -> Scoped | None:
    """The row, locked for the change to come, if it lies in the actor's scope, else None.
    One statement: PostgreSQL re-checks the scope filter on the row it waited for, so a
    row moved out of the scope meanwhile is not found rather than edited."""
    return session.scalar(
        select(model)
        .where(model.id == id_, readable(actor, model.region_id))
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    )


# ---- regions ----------------------------------------------------------------------------
def region_ref(session: Session, region_id: int) -> Row[Any] | None:
    """(id, name, path) of a region, or None."""
    return session.execute(
        select(Region.id, Region.name, func.ltree2text(Region.path).label("path")).where(
            Region.id == region_id
        )
    ).one_or_none()


# ---- roles ------------------------------------------------------------------------------
def role_rows(session: Session, *, actor: Actor, code: str | None = None) -> Sequence[Row[Any]]:
    """Roles with their grants and how many users of the actor's scope hold each."""
    grants = func.array(
        select(RolePermission.permission)
        .where(RolePermission.role_code == Role.code)
        .order_by(RolePermission.permission)
        .scalar_subquery()
    )
    holders = (
        select(func.count())
        .select_from(UserRole)
        .join(UserAccount, UserAccount.id == UserRole.user_id)
        .where(UserRole.role_code == Role.code, readable(actor, UserAccount.region_id))
        .scalar_subquery()
    )
    stmt = select(
        Role.code,
        Role.name,
        Role.description,
        Role.is_builtin,
        Role.is_superuser,
        grants.label("permissions"),
        holders.label("user_count"),
    ).order_by(Role.is_superuser.desc(), Role.is_builtin.desc(), Role.created_at, Role.code)
    if code is not None:
        stmt = stmt.where(Role.code == code)
    return session.execute(stmt).all()


def roles_by_code(session: Session, codes: Iterable[str]) -> dict[str, Row[Any]]:
    """code → (code, name, is_superuser, permissions) for the roles that exist."""
    grants = func.array(
        select(RolePermission.permission)
        .where(RolePermission.role_code == Role.code)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Role.code, Role.name, Role.is_superuser, grants.label("permissions")).where(
            Role.code.in_(list(codes))
        )
    ).all()
    return {row.code: row for row in rows}


def role_holder_count(session: Session, code: str) -> int:
    """Users holding the role, in every town (a role is shared by the whole district)."""
    return (
        session.scalar(select(func.count()).select_from(UserRole).where(UserRole.role_code == code))
        or 0
    )


# ---- departments ------------------------------------------------------------------------
def department_rows(
    session: Session, *, actor: Actor, region_path: str | None = None, ids: list[int] | None = None
) -> Sequence[Row[Any]]:
    stmt = (
        select(
            Department.id,
            Department.name,
            Department.parent_id,
            Department.region_id,
            Region.name.label("region_name"),
            func.ltree2text(Region.path).label("region_path"),
            Department.is_window_department,
            Department.sort_order,
            Department.phone,
        )
        .join(Region, Region.id == Department.region_id)
        .where(readable(actor, Department.region_id))
    )
    if region_path is not None:
        stmt = stmt.where(_in_subtree(Department.region_id, region_path))
    if ids is not None:
        stmt = stmt.where(Department.id.in_(ids))
    return session.execute(stmt).all()


def department_ref(session: Session, *, actor: Actor | None, department_id: int) -> Row[Any] | None:
    """(id, name, region_id, path) of a department the actor may see, or None
    (`actor=None`: any, to re-check a link that already exists)."""
    return session.execute(
        select(
            Department.id,
            Department.name,
            Department.region_id,
            func.ltree2text(Region.path).label("path"),
        )
        .join(Region, Region.id == Department.region_id)
        .where(Department.id == department_id, _visible(actor, Department.region_id))
    ).one_or_none()


def department_usage(session: Session, department_id: int) -> dict[str, int]:
    """What still hangs on a department: sub-departments, users, squads, windows."""

    def count(model: Any, column: Any) -> Any:
        return (
            select(func.count()).select_from(model).where(column == department_id).scalar_subquery()
        )

    row = session.execute(
        select(
            count(Department, Department.parent_id).label("children"),
            count(UserAccount, UserAccount.department_id).label("users"),
            count(Squad, Squad.department_id).label("squads"),
            count(ServiceWindow, ServiceWindow.department_id).label("windows"),
        )
    ).one()
    return dict(row._mapping)


def is_department_descendant(session: Session, *, candidate: int, ancestor: int) -> bool:
    """True when `candidate` is `ancestor` itself or lies below it (a would-be cycle)."""
    up = (
        select(Department.id, Department.parent_id)
        .where(Department.id == candidate)
        .cte("up", recursive=True)
    )
    up = up.union_all(
        select(Department.id, Department.parent_id).join(up, Department.id == up.c.parent_id)
    )
    return bool(session.scalar(select(exists().where(up.c.id == ancestor))))


# ---- squads -----------------------------------------------------------------------------
def squad_rows(
    session: Session,
    *,
    actor: Actor,
    department_id: int | None = None,
    squad_id: int | None = None,
) -> Sequence[Row[Any]]:
    leader = aliased(UserAccount)
    members = (
        select(func.count())
        .select_from(UserAccount)
        .where(UserAccount.squad_id == Squad.id)
        .scalar_subquery()
    )
    stmt = (
        select(
            Squad.id,
            Squad.name,
            Squad.department_id,
            Squad.region_id,
            Squad.leader_id,
            leader.display_name.label("leader_name"),
            members.label("member_count"),
        )
        .outerjoin(leader, leader.id == Squad.leader_id)
        .where(readable(actor, Squad.region_id))
        .order_by(Squad.department_id, Squad.name, Squad.id)
    )
    if department_id is not None:
        stmt = stmt.where(Squad.department_id == department_id)
    if squad_id is not None:
        stmt = stmt.where(Squad.id == squad_id)
    return session.execute(stmt).all()


def squad_ref(session: Session, *, actor: Actor | None, squad_id: int) -> Row[Any] | None:
    """(id, name, department_id, region_id, path) of a squad the actor may see, or None
    (`actor=None`: any, to re-check a link that already exists)."""
    return session.execute(
        select(
            Squad.id,
            Squad.name,
            Squad.department_id,
            Squad.region_id,
            func.ltree2text(Region.path).label("path"),
        )
        .join(Region, Region.id == Squad.region_id)
        .where(Squad.id == squad_id, _visible(actor, Squad.region_id))
    ).one_or_none()


def squad_member_count(session: Session, squad_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(UserAccount).where(UserAccount.squad_id == squad_id)
        )
        or 0
    )


# ---- users ------------------------------------------------------------------------------
def user_ref(session: Session, *, actor: Actor | None, user_id: int) -> Row[Any] | None:
    """(id, display_name, region_id, path) of a user the actor may see, or None
    (`actor=None`: any, to re-check a link that already exists)."""
    return session.execute(
        select(
            UserAccount.id,
            UserAccount.display_name,
            UserAccount.region_id,
            func.ltree2text(Region.path).label("path"),
        )
        .join(Region, Region.id == UserAccount.region_id)
        .where(UserAccount.id == user_id, _visible(actor, UserAccount.region_id))
    ).one_or_none()


def _user_select(actor: Actor) -> Select:
    roles = func.array(
        select(UserRole.role_code)
        .where(UserRole.user_id == UserAccount.id)
        .order_by(UserRole.role_code)
        .scalar_subquery()
    )
    locked = func.coalesce(UserAccount.locked_until > func.now(), literal(False))
    return (
        select(
            UserAccount.id,
            UserAccount.username,
            UserAccount.display_name,
            UserAccount.phone,
            UserAccount.id_number,
            UserAccount.region_id,
            Region.name.label("region_name"),
            UserAccount.department_id,
            Department.name.label("department_name"),
            UserAccount.squad_id,
            Squad.name.label("squad_name"),
            roles.label("roles"),
            UserAccount.is_active,
            locked.label("locked"),
            UserAccount.last_login_at,
            UserAccount.cert_fingerprint.is_not(None).label("has_certificate"),
        )
        .join(Region, Region.id == UserAccount.region_id)
        .outerjoin(Department, Department.id == UserAccount.department_id)
        .outerjoin(Squad, Squad.id == UserAccount.squad_id)
        .where(readable(actor, UserAccount.region_id))
    )


def user_rows(
    session: Session,
    *,
    actor: Actor,
    q: str | None = None,
    region_path: str | None = None,
    role: str | None = None,
    department_id: int | None = None,
    active: bool | None = None,
    after_id: int | None = None,
    limit: int = 50,
    user_id: int | None = None,
) -> Sequence[Row[Any]]:
    """Users of the actor's scope matching every filter, by id (keyset: `after_id`)."""
    stmt = _user_select(actor).order_by(UserAccount.id).limit(limit)
    conditions: list[ColumnElement[bool]] = []
    if user_id is not None:
        conditions.append(UserAccount.id == user_id)
    if q:
        pattern = like_pattern(q)
        conditions.append(
            or_(
                UserAccount.username.ilike(pattern, escape="\\"),
                UserAccount.display_name.ilike(pattern, escape="\\"),
                UserAccount.phone.ilike(pattern, escape="\\"),
            )
        )
    if region_path is not None:
        conditions.append(_in_subtree(UserAccount.region_id, region_path))
    if role is not None:
        conditions.append(
            exists().where(UserRole.user_id == UserAccount.id, UserRole.role_code == role)
        )
    if department_id is not None:
        conditions.append(UserAccount.department_id == department_id)
    if active is not None:
        conditions.append(UserAccount.is_active.is_(active))
    if after_id is not None:
        conditions.append(UserAccount.id > after_id)
    if conditions:
        stmt = stmt.where(and_(*conditions))
    return session.execute(stmt).all()


def user_window_ids(session: Session, user_id: int) -> list[int]:
    return list(
        session.scalars(
            select(WindowStaff.window_id)
            .where(WindowStaff.user_id == user_id)
            .order_by(WindowStaff.window_id)
        )
    )


def led_squads(session: Session, *, actor: Actor, user_id: int) -> Sequence[Row[Any]]:
    """(name, path, visible) of the squads the user leads; `visible`: in the actor's scope."""
    return session.execute(
        select(
            Squad.name,
            func.ltree2text(Region.path).label("path"),
            readable(actor, Squad.region_id).label("visible"),
        )
        .join(Region, Region.id == Squad.region_id)
        .where(Squad.leader_id == user_id)
        .order_by(Squad.id)
    ).all()


def staffed_windows(session: Session, *, actor: Actor, user_id: int) -> Sequence[Row[Any]]:
    """(centre, number, path, visible) of the windows the user staffs; `path`: the
    centre's region; `visible`: in the actor's scope."""
    return session.execute(
        select(
            ServiceCentre.name.label("centre"),
            ServiceWindow.number,
            func.ltree2text(Region.path).label("path"),
            readable(actor, ServiceCentre.region_id).label("visible"),
        )
        .select_from(WindowStaff)
        .join(ServiceWindow, ServiceWindow.id == WindowStaff.window_id)
        .join(ServiceCentre, ServiceCentre.id == ServiceWindow.centre_id)
        .join(Region, Region.id == ServiceCentre.region_id)
        .where(WindowStaff.user_id == user_id)
        .order_by(ServiceWindow.id)
    ).all()
