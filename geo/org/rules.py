"""Rules shared by the organisation use cases: data scope (SYS-10) and anti-escalation.

Nobody can hand out more administrative power than they hold. A grant in the matrix
changes a role for the whole district, so it needs the actor to hold that permission
themselves. Giving a role to a user is narrower — the user is inside the actor's region
— so business permissions (events, inspections, cases, approvals...) may be given by any
user manager, but a role's administrative permissions (`system.*`) only by an actor who
holds them all, and a superuser role only by a superuser. A town's 区域管理员 therefore
staffs the town with grid members, officers and clerks, but cannot mint an administrator.
Objects of another town are "not found" (404), never "forbidden": an id someone guessed
reveals nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.core.scope import path_within
from geo.org import repository as repo
from geo.org.errors import OrgRuleError
from geo.org.permissions import PERMISSIONS, is_known

__all__ = [
    "FOREIGN_KEY_VIOLATION",
    "UNIQUE_VIOLATION",
    "administrative",
    "database_refusals",
    "flush_unique",
    "sqlstate",
    "required_name",
    "ensure_can_grant_permissions",
    "ensure_can_grant_roles",
    "ensure_can_manage_account",
    "ensure_known_permissions",
    "load_roles",
    "scoped_region",
]


def scoped_region(session: Session, actor: Actor, region_id: int) -> Row[Any]:
    """(id, name, path) of a region inside the actor's subtree, else 404."""
    region = repo.region_ref(session, region_id)
    if region is None or not path_within(region.path, actor.region_path):
        raise NotFound(f"未找到区划（编号 {region_id}），或不在您的管辖范围内")
    return region


def ensure_known_permissions(codes: Iterable[str]) -> list[str]:
    """The codes, de-duplicated and sorted; 422 naming every code the catalogue lacks."""
    unique = sorted(set(codes))
    unknown = [code for code in unique if not is_known(code)]
    if unknown:
        raise OrgRuleError(f"以下权限不存在：{'、'.join(unknown)}")
    return unique


def ensure_can_grant_permissions(actor: Actor, codes: Iterable[str]) -> None:
    """403 unless the actor holds every permission they are about to grant."""
    if actor.superuser:
        return
    missing = sorted(set(codes) - actor.permissions)
    if missing:
        labels = "、".join(f"“{PERMISSIONS[c].label}”（{c}）" for c in missing)
        raise Forbidden(f"您不能授予自己没有的权限：{labels}")


def load_roles(session: Session, codes: Iterable[str]) -> dict[str, Row[Any]]:
    """code → role row for every code; 422 naming the roles that do not exist."""
    unique = sorted(set(codes))
    found = repo.roles_by_code(session, unique)
    unknown = [code for code in unique if code not in found]
    if unknown:
        raise OrgRuleError(f"以下角色不存在：{'、'.join(unknown)}")
    return found


ADMINISTRATIVE = "system."


def administrative(codes: Iterable[str]) -> set[str]:
    """The permissions that administer the system (users, roles, regions, audit...)."""
    return {code for code in codes if code.startswith(ADMINISTRATIVE)}


def ensure_can_grant_roles(actor: Actor, roles: Iterable[Row[Any]]) -> None:
    """403 unless the actor may give every one of these roles to someone."""
    for role in roles:
        if role.is_superuser and not actor.superuser:
            raise Forbidden(f"只有系统管理员可以授予“{role.name}”角色")
        if actor.superuser:
            continue
        missing = sorted(administrative(role.permissions) - actor.permissions)
        if missing:
            raise Forbidden(
                f"您不能授予“{role.name}”角色：它包含您没有的管理权限 {'、'.join(missing)}"
            )


def ensure_can_manage_account(
    actor: Actor, *, name: str, is_self: bool, roles: Iterable[Row[Any]]
) -> None:
    """403 unless the actor may change this account: a superuser account only by a
    superuser; someone else's account only by an actor who holds every administrative
    permission it has (renaming, stripping, locking out or re-keying an account is a way
    to take its power away, or to act as it)."""
    if actor.superuser:
        return
    roles = list(roles)
    if any(role.is_superuser for role in roles):
        raise Forbidden("只有系统管理员可以管理系统管理员的账号")
    if is_self:
        return
    held = administrative(code for role in roles for code in role.permissions)
    missing = sorted(held - actor.permissions)
    if missing:
        labels = "、".join(f"“{PERMISSIONS[c].label}”" if c in PERMISSIONS else c for c in missing)
        raise Forbidden(f"“{name}”拥有您没有的管理权限（{labels}），其账号只能由上级管理员管理")


def required_name(raw: str | None, what: str) -> str:
    name = (raw or "").strip()
    if not name:
        raise OrgRuleError(f"{what}名称不能为空")
    return name


UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
GONE = "所选的区划、部门或人员已被删除或不存在，请刷新后重新选择"


def sqlstate(error: DBAPIError) -> str | None:
    """The SQLSTATE of a database refusal (psycopg's diagnostics), if any."""
    return getattr(getattr(error.orig, "diag", None), "sqlstate", None)


@contextmanager
def database_refusals(duplicate: str, *, gone: str = GONE) -> Iterator[None]:
    """What the database refuses when two people save at once, as 409: a duplicate
    (UNIQUE) or a link to a row someone else has just deleted (FOREIGN KEY). Any other
    refusal is a defect and stays one."""
    try:
        yield
    except IntegrityError as e:
        state = sqlstate(e)
        if state == UNIQUE_VIOLATION:
            raise Conflict(duplicate) from None
        if state == FOREIGN_KEY_VIOLATION:
            raise Conflict(gone) from None
        raise


def flush_unique(session: Session, obj: object, message: str, *, gone: str = GONE) -> None:
    """Insert or update under a savepoint: a concurrent duplicate becomes a 409 saying
    `message`, a link to a row deleted meanwhile a 409 saying `gone`."""
    with database_refusals(message, gone=gone), session.begin_nested():
        session.add(obj)
        session.flush()
