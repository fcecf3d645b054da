"""Use cases of the party members (党员): each belongs to an organisation of the actor's
scope (the member's region is the organisation's) and may be linked to one account, e.g.
a grid member who is a party member (党员网格员). Every change is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.core.paging import like_pattern
from geo.org.rules import flush_unique
from geo.party import repository as repo
from geo.party.models import PartyMember, PartyOrganisation
from geo.party.rules import (
    MANAGE,
    MAX_PAGE,
    VIEW,
    PartyRuleError,
    after_id,
    check_phone,
)
from geo.party.schemas import MemberPage, MemberRead, MemberWrite

__all__ = ["create_member", "delete_member", "get_member", "list_members", "update_member"]

_GONE = "所选的党组织或用户已被删除，请刷新后重新选择"


def _not_found(member_id: int) -> NotFound:
    return NotFound(f"未找到党员（编号 {member_id}），或不在您的管辖范围内")


def list_members(
    session: Session, *, actor: Actor, organisation_id: int | None = None,
    name: str | None = None, cursor: str | None = None, limit: int = 50,
) -> MemberPage:  # fmt: skip
    actor.require(VIEW)
    if not 1 <= limit <= MAX_PAGE:
        raise PartyRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
    name = (name or "").strip() or None
    rows = repo.member_rows(
        session, actor=actor, organisation_id=organisation_id,
        name=like_pattern(name) if name else None, after_id=after_id(cursor), limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    return MemberPage(
        items=[MemberRead(**r._mapping) for r in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


def get_member(session: Session, *, actor: Actor, member_id: int) -> MemberRead:
    actor.require(VIEW)
    rows = repo.member_rows(
        session, actor=actor, organisation_id=None, name=None, member_id=member_id
    )
    if not rows:
        raise _not_found(member_id)
    return MemberRead(**rows[0]._mapping)


def _organisation(session: Session, actor: Actor, organisation_id: int) -> PartyOrganisation:
    org = repo.lock_organisation(session, actor=actor, organisation_id=organisation_id)
    if org is None:
        raise NotFound(f"未找到党组织（编号 {organisation_id}），或不在您的管辖范围内")
    return org


def _check_user(session: Session, actor: Actor, data: MemberWrite, self_id: int | None) -> None:
    if data.user_id is None:
        return
    user = repo.user_in_scope(session, actor=actor, user_id=data.user_id)
    if user is None:
        raise NotFound(f"未找到用户（编号 {data.user_id}），或不在您的管辖范围内")
    other = repo.member_of_user(session, data.user_id, self_id=self_id)
    if other is not None:
        raise Conflict(f"用户“{user.display_name}”已关联党员“{other}”，一个账号只能关联一名党员")


def _state(m: PartyMember) -> dict[str, Any]:
    keys = ("name", "gender", "organisation_id", "status", "phone", "user_id", "region_id")
    out: dict[str, Any] = {k: getattr(m, k) for k in keys}
    out["joined_on"] = m.joined_on.isoformat() if m.joined_on else None
    return out


def _save(session: Session, actor: Actor, member: PartyMember, data: MemberWrite) -> None:
    phone = check_phone(data.phone)
    org = _organisation(session, actor, data.organisation_id)
    _check_user(session, actor, data, member.id)
    member.name = data.name.strip()
    member.gender = data.gender
    member.organisation_id = org.id
    member.region_id = org.region_id
    member.joined_on = data.joined_on
    member.status = data.status.value
    member.phone = phone
    member.user_id = data.user_id
    flush_unique(session, member, "该用户已关联一名党员", gone=_GONE)


def create_member(session: Session, *, actor: Actor, data: MemberWrite) -> MemberRead:
    actor.require(MANAGE)
    member = PartyMember()
    _save(session, actor, member, data)
    record(
        session, action="party.member_create", object_type="party_member", object_id=member.id,
        after=_state(member), region_path=repo.region_path(session, member.region_id),
        detail=f"新增党员“{member.name}”", **actor.audit_fields(),
    )  # fmt: skip
    return get_member(session, actor=actor, member_id=member.id)


def _locked(session: Session, actor: Actor, member_id: int) -> PartyMember:
    member = repo.lock_member(session, actor=actor, member_id=member_id)
    if member is None:
        raise _not_found(member_id)
    return member


def update_member(
    session: Session, *, actor: Actor, member_id: int, data: MemberWrite
) -> MemberRead:
    actor.require(MANAGE)
    member = _locked(session, actor, member_id)
    before = _state(member)
    _save(session, actor, member, data)
    after = _state(member)
    if after != before:
        record(
            session, action="party.member_update", object_type="party_member",
            object_id=member.id, before=before, after=after,
            region_path=repo.region_path(session, member.region_id), **actor.audit_fields(),
        )  # fmt: skip
    return get_member(session, actor=actor, member_id=member.id)


def delete_member(session: Session, *, actor: Actor, member_id: int) -> None:
    actor.require(MANAGE)
    member = _locked(session, actor, member_id)
    before = _state(member)
    path = repo.region_path(session, member.region_id)
    session.delete(member)
    session.flush()
    record(
        session, action="party.member_delete", object_type="party_member", object_id=member_id,
        before=before, region_path=path, detail=f"删除党员“{before['name']}”",
        **actor.audit_fields(),
    )  # fmt: skip
