"""Keys of Open311 clients (GIS-10): issue, list, revoke, and check a key a client sends.

A key is a random string shown once when issued; the database keeps its HMAC under
`APP_SECRET_KEY` (`geo.org.auth.token_digest`, as for session tokens). Each key may
report into one region's subtree; administrators see and manage the keys of their own
region subtree. Issuing and revoking are audited.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.orm import Session, aliased

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.core.paging import after_id
from geo.core.scope import ensure_readable_region, readable
from geo.open311.errors import KeyRefused, KeyRuleError
from geo.open311.models import Open311Key
from geo.open311.schemas import MAX_PAGE, KeyCreate, KeyIssued, KeyPage, KeyRead
from geo.org.auth import token_digest
from geo.org.models import UserAccount
from geo.region.models import Region

__all__ = [
    "DEMO_KEY",
    "authenticate_key",
    "insert_demo_key",
    "issue_key",
    "list_keys",
    "revoke_key",
]

# Written in the README for trying the interface; production mode refuses it (api.main).
DEMO_KEY = "demo-open311-key"
DEMO_KEY_NAME = "演示密钥"
MANAGE = "system.parameter.manage"
VIEW = "system.parameter.view"


# ---- the admin's use cases ---------------------------------------------------------------
def issue_key(session: Session, *, actor: Actor, data: KeyCreate) -> KeyIssued:
    actor.require(MANAGE)
    name = data.name.strip()
    if not name:
        raise KeyRuleError("请填写密钥名称（如使用该密钥的系统或单位）")
    ensure_readable_region(session, actor, data.region_id)
    plain = secrets.token_urlsafe(32)
    key = Open311Key(
        name=name, key_digest=token_digest(plain), region_id=data.region_id,
        created_by=actor.user_id,
    )  # fmt: skip
    session.add(key)
    session.flush()
    read = _read_one(session, actor=actor, key_id=key.id)
    record(
        session, action="open311.key_issue", object_type="open311_key", object_id=key.id,
        after={"name": name, "region_id": data.region_id}, region_path=_path(session, key),
        **actor.audit_fields(),
    )  # fmt: skip
    return KeyIssued(**read.model_dump(), key=plain)


def list_keys(
    session: Session,
    *,
    actor: Actor,
    include_revoked: bool = True,
    cursor: str | None = None,
    limit: int = 50,
) -> KeyPage:
    """Keys of the actor's region subtree, newest first (keyset-paged on id)."""
    actor.require(VIEW)
    if not 1 <= limit <= MAX_PAGE:
        raise KeyRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
    query = _key_select(actor)
    if not include_revoked:
        query = query.where(Open311Key.revoked_at.is_(None))
    after = after_id(cursor, error=KeyRuleError)
    if after is not None:
        query = query.where(Open311Key.id < after)
    rows = session.execute(query.order_by(Open311Key.id.desc()).limit(limit + 1)).all()
    page = rows[:limit]
    return KeyPage(
        items=[_read(r) for r in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


def revoke_key(session: Session, *, actor: Actor, key_id: int) -> KeyRead:
    """A revoked key is refused from then on; revoking cannot be undone (issue a new key)."""
    actor.require(MANAGE)
    current = _read_one(session, actor=actor, key_id=key_id)
    revoked = session.execute(
        update(Open311Key)
        .where(Open311Key.id == key_id, Open311Key.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
        .returning(Open311Key.id)
    ).scalar()
    if revoked is None:
        raise Conflict(f"密钥“{current.name}”已于之前吊销，无需重复操作")
    key = session.get(Open311Key, key_id)
    assert key is not None
    record(
        session, action="open311.key_revoke", object_type="open311_key", object_id=key_id,
        before={"revoked_at": None}, after={"revoked_at": datetime.now(UTC)},
        region_path=_path(session, key), detail=current.name, **actor.audit_fields(),
    )  # fmt: skip
    return _read_one(session, actor=actor, key_id=key_id)


# ---- the client's key ------------------------------------------------------------------
def authenticate_key(session: Session, *, api_key: str | None) -> Open311Key:
    """The key a client sent, if it is known and not revoked (403 otherwise); its
    last use is noted."""
    plain = (api_key or "").strip()
    if not plain:
        raise KeyRefused("缺少 api_key：提交事件须使用管理员发放的开放接口密钥")
    key = session.scalar(select(Open311Key).where(Open311Key.key_digest == token_digest(plain)))
    if key is None:
        raise KeyRefused("api_key 无效：请核对密钥，或向平台管理员申请")
    if key.revoked_at is not None:
        raise KeyRefused(f"api_key 已于 {key.revoked_at:%Y-%m-%d} 吊销，请向平台管理员申请新密钥")
    key.last_used_at = datetime.now(UTC)
    return key


def insert_demo_key(conn: Connection | Session, *, region_id: int, created_by: int | None) -> int:
    """The demo data's key (`DEMO_KEY`, district-wide): its HMAC under the current secret."""
    conn.execute(
        insert(Open311Key).values(
            name=DEMO_KEY_NAME, key_digest=token_digest(DEMO_KEY), region_id=region_id,
            created_by=created_by, is_demo=True,
        )
    )  # fmt: skip
    return 1


# ---- reading -----------------------------------------------------------------------------
_creator = aliased(UserAccount, name="creator")


def _key_select(actor: Actor) -> Any:
    return (
        select(
            Open311Key.id,
            Open311Key.name,
            Open311Key.region_id,
            Region.name.label("region_name"),
            Open311Key.created_by,
            _creator.display_name.label("created_by_name"),
            Open311Key.created_at,
            Open311Key.revoked_at,
            Open311Key.last_used_at,
            Open311Key.is_demo,
        )  # fmt: skip
        .join(Region, Region.id == Open311Key.region_id)
        .outerjoin(_creator, _creator.id == Open311Key.created_by)
        .where(readable(actor, Open311Key.region_id))
    )


def _read(row: Row[Any]) -> KeyRead:
    return KeyRead(**row._mapping, is_active=row.revoked_at is None)


def _read_one(session: Session, *, actor: Actor, key_id: int) -> KeyRead:
    row = session.execute(_key_select(actor).where(Open311Key.id == key_id)).first()
    if row is None:
        raise NotFound(f"未找到开放接口密钥（编号 {key_id}），或不在您的管辖范围内")
    return _read(row)


def _path(session: Session, key: Open311Key) -> str | None:
    return session.scalar(select(Region.path).where(Region.id == key.region_id))
