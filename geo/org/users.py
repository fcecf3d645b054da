"""User accounts (SYS-2): list (keyset by id), read, create, edit (credentials: see
`credentials`).

Scope (SYS-10): an actor manages only users of their region subtree; anyone else's id is
"not found". Anti-escalation: roles are granted only by an actor who holds all their
administrative permissions; another account is changed only by an actor who holds every
administrative permission it has, a superuser account only by a superuser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, DomainError, NotFound
from geo.core.identifiers import (
    is_valid_mobile,
    mask_resident_id,
    normalize_phone,
    normalize_resident_id,
)
from geo.core.scope import path_within
from geo.org import repository as repo
from geo.org.auth import revoke_sessions
from geo.org.errors import OrgRuleError
from geo.org.models import UserAccount, UserRole
from geo.org.passwords import check_password_rules, hash_password
from geo.org.rules import (
    database_refusals,
    ensure_can_grant_roles,
    ensure_can_manage_account,
    flush_unique,
    load_roles,
    scoped_region,
)
from geo.org.schemas import UserCreate, UserDetail, UserPage, UserRead, UserUpdate

__all__ = [
    "MAX_PAGE",
    "audit_user",
    "create_user",
    "get_user",
    "list_users",
    "managed_user",
    "update_user",
]

MAX_PAGE = 200
_PLACE_GONE = "所选的区划、部门或中队已被删除或不存在，请刷新后重新选择"
_ROLE_GONE = "所选的角色已被删除或不存在，请刷新后重新选择"
_PLACE_OR_ROLE_GONE = "所选的角色、部门或中队已被删除或不存在，请刷新后重新选择"
_ROLES_CHANGED = "该用户的角色刚被他人修改，请刷新后重试"
_USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")


# ---- reading ----------------------------------------------------------------------------
def _user_read(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "username": row.username,
        "display_name": row.display_name,
        "phone": row.phone,
        "id_number_masked": mask_resident_id(row.id_number),
        "region_id": row.region_id,
        "region_name": row.region_name,
        "department_id": row.department_id,
        "department_name": row.department_name,
        "squad_id": row.squad_id,
        "squad_name": row.squad_name,
        "roles": list(row.roles),
        "is_active": row.is_active,
        "locked": bool(row.locked),
        "last_login_at": row.last_login_at,
        "has_certificate": row.has_certificate,
    }


def _after_id(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 18:
        raise DomainError("翻页游标无效：请使用上一页返回的 next_cursor")
    return int(cursor)


def list_users(
    session: Session,
    *,
    actor: Actor,
    q: str | None = None,
    region_id: int | None = None,
    role: str | None = None,
    department_id: int | None = None,
    active: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> UserPage:
    """Users of the actor's scope, by id; `next_cursor` fetches the following page."""
    if not 1 <= limit <= MAX_PAGE:
        raise DomainError(f"每页条数应在 1～{MAX_PAGE} 之间")
    path = scoped_region(session, actor, region_id).path if region_id is not None else None
    rows = repo.user_rows(
        session,
        actor=actor,
        q=(q or "").strip() or None,
        region_path=path,
        role=role or None,
        department_id=department_id,
        active=active,
        after_id=_after_id(cursor),
        limit=limit + 1,  # one more tells whether a next page exists
    )
    page = rows[:limit]
    more = len(rows) > limit
    return UserPage(
        items=[UserRead(**_user_read(r)) for r in page],
        next_cursor=str(page[-1].id) if more else None,
    )


def _not_found(user_id: int) -> NotFound:
    return NotFound(f"未找到用户（编号 {user_id}），或不在您的管辖范围内")


def get_user(session: Session, *, actor: Actor, user_id: int) -> UserDetail:
    rows = repo.user_rows(session, actor=actor, user_id=user_id, limit=1)
    if not rows:
        raise _not_found(user_id)
    return UserDetail(**_user_read(rows[0]), window_ids=repo.user_window_ids(session, user_id))


# ---- field rules ------------------------------------------------------------------------
def _username(raw: str) -> str:
    name = raw.strip().lower()
    if not 3 <= len(name) <= 32:
        raise OrgRuleError(f"用户名“{name}”须为 3～32 个字符")
    if not ("a" <= name[0] <= "z"):
        raise OrgRuleError(f"用户名“{name}”须以英文字母开头")
    if not _USERNAME.fullmatch(name):
        raise OrgRuleError(
            f"用户名“{name}”只能包含小写英文字母、数字、下划线（_）、点（.）和连字符（-）"
        )
    return name


def _display_name(raw: str | None) -> str:
    name = (raw or "").strip()
    if not name:
        raise OrgRuleError("姓名不能为空")
    return name


def _mobile(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    if not is_valid_mobile(raw):
        raise OrgRuleError(f"手机号码“{raw}”无效：应为 11 位手机号，如 13812345678")
    return normalize_phone(raw)


def _id_number(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        return normalize_resident_id(raw)
    except ValueError as exc:
        raise OrgRuleError(str(exc)) from None


def _placement(
    session: Session,
    actor: Actor,
    *,
    region_path: str,
    department_id: int | None,
    squad_id: int | None,
    kept: tuple[int | None, int | None] = (None, None),
) -> tuple[int | None, int | None]:
    """(department, squad) checked against the user's region; a squad alone brings its
    department. Both lie in the user's region or above; a newly chosen one must be visible
    to the actor (`kept`: the ones the user already has, which may be out of sight)."""
    if squad_id is not None:
        scope = None if squad_id == kept[1] else actor
        squad = repo.squad_ref(session, actor=scope, squad_id=squad_id)
        if squad is None:
            raise NotFound(f"未找到中队（编号 {squad_id}），或不在您的管辖范围内")
        if not path_within(region_path, squad.path):
            raise OrgRuleError(f"中队“{squad.name}”不属于该用户所在区划，请重新选择中队")
        if department_id is None:
            department_id = squad.department_id
        elif department_id != squad.department_id:
            raise OrgRuleError(f"中队“{squad.name}”不属于所选部门")
    if department_id is not None:
        scope = None if department_id == kept[0] else actor
        department = repo.department_ref(session, actor=scope, department_id=department_id)
        if department is None:
            raise NotFound(f"未找到部门（编号 {department_id}），或不在您的管辖范围内")
        if not path_within(region_path, department.path):
            raise OrgRuleError(
                f"部门“{department.name}”不属于该用户所在区划或其上级区划，请重新选择部门"
            )
    return department_id, squad_id


def _role_codes(session: Session, user_id: int) -> list[str]:
    return list(
        session.scalars(
            select(UserRole.role_code)
            .where(UserRole.user_id == user_id)
            .order_by(UserRole.role_code)
        )
    )


def _snapshot(user: UserAccount, roles: Iterable[str]) -> dict[str, Any]:
    """What the audit log keeps of an account: never the hash, the ID number masked."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "phone": user.phone,
        "id_number": mask_resident_id(user.id_number),
        "region_id": user.region_id,
        "department_id": user.department_id,
        "squad_id": user.squad_id,
        "roles": sorted(roles),
        "is_active": user.is_active,
    }


def audit_user(
    session: Session,
    actor: Actor,
    action: str,
    user: UserAccount,
    *,
    before: Any = None,
    after: Any = None,
    detail: str | None = None,
) -> None:
    region = repo.region_ref(session, user.region_id)
    record(
        session,
        action=action,
        object_type="user_account",
        object_id=user.id,
        before=before,
        after=after,
        detail=detail,
        region_path=region.path if region else None,
        **actor.audit_fields(),
    )


# ---- creating and editing ---------------------------------------------------------------
def create_user(session: Session, *, actor: Actor, data: UserCreate) -> UserDetail:
    username = _username(data.username)
    display_name = _display_name(data.display_name)
    phone, id_number = _mobile(data.phone), _id_number(data.id_number)
    check_password_rules(data.password, username=username)
    region = scoped_region(session, actor, data.region_id)
    department_id, squad_id = _placement(
        session,
        actor,
        region_path=region.path,
        department_id=data.department_id,
        squad_id=data.squad_id,
    )
    roles = load_roles(session, data.roles)
    ensure_can_grant_roles(actor, roles.values())
    if session.scalar(select(UserAccount.id).where(UserAccount.username == username)):
        raise Conflict(f"用户名“{username}”已被使用")
    user = UserAccount(
        username=username,
        display_name=display_name,
        phone=phone,
        id_number=id_number,
        region_id=region.id,
        department_id=department_id,
        squad_id=squad_id,
        password_hash=hash_password(data.password),
    )
    flush_unique(session, user, f"用户名“{username}”已被使用", gone=_PLACE_GONE)
    with database_refusals(_ROLES_CHANGED, gone=_ROLE_GONE), session.begin_nested():
        session.add_all(UserRole(user_id=user.id, role_code=code) for code in roles)
        session.flush()  # a role deleted meanwhile: 409, not a broken transaction
    audit_user(session, actor, "org.user_create", user, after=_snapshot(user, roles))
    return get_user(session, actor=actor, user_id=user.id)


def managed_user(session: Session, actor: Actor, user_id: int) -> tuple[UserAccount, list[str]]:
    """The account and its roles, if the actor may change it. It is found and row-locked
    through the actor's scope in one statement: moved out of the scope meanwhile, it is
    not found."""
    user = repo.lock_in_scope(session, UserAccount, actor=actor, id_=user_id)
    if user is None:
        raise _not_found(user_id)
    roles = _role_codes(session, user_id)
    ensure_can_manage_account(
        actor,
        name=user.display_name,
        is_self=user.id == actor.user_id,
        roles=load_roles(session, roles).values(),
    )
    return user, roles


def update_user(session: Session, *, actor: Actor, user_id: int, changes: UserUpdate) -> UserDetail:
    """Change the fields sent, all checked before anything is written; deactivating an
    account ends its sessions at once."""
    user, roles = managed_user(session, actor, user_id)
    before = _snapshot(user, roles)
    sent = changes.model_fields_set
    values: dict[str, Any] = {}
    if "display_name" in sent:
        values["display_name"] = _display_name(changes.display_name)
    # A form sends back what it showed: unchanged values are not judged again.
    if "phone" in sent and changes.phone != user.phone:
        values["phone"] = _mobile(changes.phone)
    if "id_number" in sent and changes.id_number != user.id_number:
        values["id_number"] = _id_number(changes.id_number)
    if sent & {"region_id", "department_id", "squad_id"}:
        values.update(_new_place(session, actor, user, changes))
    if "is_active" in sent:
        values["is_active"] = _active_value(actor, user, changes.is_active)
    added: list[str] = []
    removed: list[str] = []
    if "roles" in sent:
        if changes.roles is None:
            raise OrgRuleError("角色列表不能为 null；取消全部角色请传 []")
        added, removed = _role_change(session, actor, user, current=roles, wanted=changes.roles)
    deactivating = user.is_active and values.get("is_active") is False
    # A role, department or squad deleted meanwhile: 409, and the transaction stays usable.
    with database_refusals(_ROLES_CHANGED, gone=_PLACE_OR_ROLE_GONE), session.begin_nested():
        for field, value in values.items():
            setattr(user, field, value)
        if removed:
            session.execute(
                delete(UserRole).where(UserRole.user_id == user.id, UserRole.role_code.in_(removed))
            )
        session.add_all(UserRole(user_id=user.id, role_code=code) for code in added)
        session.flush()
    if deactivating:
        revoke_sessions(session, user_id=user.id)
        session.flush()
    after = _snapshot(user, (set(roles) - set(removed)) | set(added))
    if after != before:
        audit_user(session, actor, "org.user_update", user, before=before, after=after)
    return get_user(session, actor=actor, user_id=user.id)


def _new_place(
    session: Session, actor: Actor, user: UserAccount, changes: UserUpdate
) -> dict[str, int | None]:
    """The region, department and squad after the change, checked together."""
    sent = changes.model_fields_set
    if "region_id" in sent and changes.region_id is None:
        raise OrgRuleError("用户必须属于一个区划")
    region_id = changes.region_id if "region_id" in sent else user.region_id
    department_id = changes.department_id if "department_id" in sent else user.department_id
    squad_id = changes.squad_id if "squad_id" in sent else user.squad_id
    if (region_id, department_id, squad_id) == (user.region_id, user.department_id, user.squad_id):
        return {}  # the form sent what is there: nothing to check
    assert region_id is not None
    region = scoped_region(session, actor, region_id)
    if region.id != user.region_id:
        _check_links_follow(session, actor, user, region)
    if "department_id" in sent and "squad_id" not in sent and squad_id is not None:
        # Leaving the department ends the squad membership that came with it.
        squad = repo.squad_ref(session, actor=None, squad_id=squad_id)
        if squad is None or squad.department_id != department_id:
            squad_id = None
    department_id, squad_id = _placement(
        session,
        actor,
        region_path=region.path,
        department_id=department_id,
        squad_id=squad_id,
        kept=(user.department_id, user.squad_id),
    )
    return {"region_id": region.id, "department_id": department_id, "squad_id": squad_id}


def _check_links_follow(session: Session, actor: Actor, user: UserAccount, region: Any) -> None:
    """A move must not drag the user's posts into another town: a squad leader stays in
    the squad's region (the leader rule), a clerk on the branch of the region tree of the
    centres whose windows they staff (the window-department rule). 422 naming what to
    change first; a squad or centre outside the actor's scope is not named."""
    path = str(region.path)
    squads = [
        f"中队“{s.name}”的中队长" if s.visible else "一个中队的中队长"
        for s in repo.led_squads(session, actor=actor, user_id=user.id)
        if not path_within(path, s.path)
    ]
    windows = [
        f"“{w.centre}”窗口 {w.number}" if w.visible else "一个服务窗口"
        for w in repo.staffed_windows(session, actor=actor, user_id=user.id)
        if not (path_within(path, w.path) or path_within(w.path, path))
    ]
    if squads:
        raise OrgRuleError(
            f"“{user.display_name}”担任{'、'.join(squads)}，调到“{region.name}”后不在中队所在"
            "区划内：请先更换中队长，再调整所属区划"
        )
    if windows:
        raise OrgRuleError(
            f"“{user.display_name}”在{'、'.join(windows)}工作，调到“{region.name}”后不在"
            "该服务中心所在区划：请先调整窗口人员，再调整所属区划"
        )


def _role_change(
    session: Session,
    actor: Actor,
    user: UserAccount,
    *,
    current: list[str],
    wanted: list[str],
) -> tuple[list[str], list[str]]:
    """(added, removed) role codes, once the actor may make the change."""
    wanted_roles = load_roles(session, wanted)
    added = sorted(set(wanted_roles) - set(current))
    ensure_can_grant_roles(actor, [wanted_roles[code] for code in added])
    removed = sorted(set(current) - set(wanted_roles))
    for role in load_roles(session, removed).values():
        if role.is_superuser and user.id == actor.user_id:
            raise OrgRuleError(f"不能取消自己的“{role.name}”角色，请由其他管理员操作")
    return added, removed


def _active_value(actor: Actor, user: UserAccount, value: bool | None) -> bool:
    if value is None:
        raise OrgRuleError("请说明账号是否启用")
    if not value and user.id == actor.user_id:
        raise OrgRuleError("不能停用自己的账号")
    return value
