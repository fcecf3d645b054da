"""Law-enforcement squads (中队): a squad belongs to a department and lives in that
department's region; its leader is a person of that region's subtree, and it re-dispatches
the tasks sent to the squad."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.core.scope import path_within
from geo.org import repository as repo
from geo.org.departments import visible_department
from geo.org.errors import OrgRuleError
from geo.org.models import Squad
from geo.org.rules import flush_unique, required_name
from geo.org.schemas import SquadCreate, SquadRead, SquadUpdate

__all__ = ["create_squad", "delete_squad", "get_squad", "list_squads", "update_squad"]


_GONE = "所选的部门或中队长已被删除或不存在，请刷新后重新选择"


def _squad_read(row: Any) -> SquadRead:
    return SquadRead(
        id=row.id,
        name=row.name,
        department_id=row.department_id,
        region_id=row.region_id,
        leader_id=row.leader_id,
        leader_name=row.leader_name,
        member_count=row.member_count,
    )


def list_squads(
    session: Session, *, actor: Actor, department_id: int | None = None
) -> list[SquadRead]:
    rows = repo.squad_rows(session, actor=actor, department_id=department_id)
    return [_squad_read(r) for r in rows]


def get_squad(session: Session, *, actor: Actor, squad_id: int) -> SquadRead:
    rows = repo.squad_rows(session, actor=actor, squad_id=squad_id)
    if not rows:
        raise _squad_not_found(squad_id)
    return _squad_read(rows[0])


def _squad_not_found(squad_id: int) -> NotFound:
    return NotFound(f"未找到中队（编号 {squad_id}），或不在您的管辖范围内")


def _check_leader(
    session: Session, actor: Actor | None, *, leader_id: int, squad_path: str
) -> None:
    """`actor=None` re-checks the leader a squad already has."""
    leader = repo.user_ref(session, actor=actor, user_id=leader_id)
    if leader is None:
        raise NotFound(f"未找到人员（编号 {leader_id}），或不在您的管辖范围内")
    if not path_within(leader.path, squad_path):
        raise OrgRuleError(f"“{leader.display_name}”不属于本中队所在区划，不能担任中队长")


def _check_squad_name(
    session: Session, name: str, *, department_id: int, self_id: int | None
) -> None:
    stmt = select(Squad.id).where(Squad.department_id == department_id, Squad.name == name)
    if self_id is not None:
        stmt = stmt.where(Squad.id != self_id)
    if session.scalar(stmt) is not None:
        raise Conflict(f"本部门已有名为“{name}”的中队")


def _squad_snapshot(s: Squad) -> dict[str, Any]:
    return {
        "name": s.name,
        "department_id": s.department_id,
        "region_id": s.region_id,
        "leader_id": s.leader_id,
    }


def create_squad(session: Session, *, actor: Actor, data: SquadCreate) -> SquadRead:
    department = visible_department(session, actor, data.department_id)
    name = required_name(data.name, "中队")
    _check_squad_name(session, name, department_id=department.id, self_id=None)
    if data.leader_id is not None:
        _check_leader(session, actor, leader_id=data.leader_id, squad_path=department.path)
    squad = Squad(
        name=name,
        department_id=department.id,
        region_id=department.region_id,
        leader_id=data.leader_id,
    )
    flush_unique(session, squad, f"本部门已有名为“{name}”的中队", gone=_GONE)
    record(
        session,
        action="org.squad_create",
        object_type="squad",
        object_id=squad.id,
        after=_squad_snapshot(squad),
        region_path=department.path,
        **actor.audit_fields(),
    )
    return get_squad(session, actor=actor, squad_id=squad.id)


def _locked_squad(session: Session, actor: Actor, squad_id: int) -> tuple[Squad, str]:
    """The squad (row-locked, found and locked through the actor's scope in one
    statement) and its region's path."""
    squad = repo.lock_in_scope(session, Squad, actor=actor, id_=squad_id)
    if squad is None:
        raise _squad_not_found(squad_id)
    region = repo.region_ref(session, squad.region_id)
    assert region is not None
    return squad, str(region.path)


def update_squad(
    session: Session, *, actor: Actor, squad_id: int, changes: SquadUpdate
) -> SquadRead:
    """Every change is checked before anything is written."""
    squad, path = _locked_squad(session, actor, squad_id)
    before = _squad_snapshot(squad)
    sent = changes.model_fields_set
    department_id, region_id = squad.department_id, squad.region_id
    moved = "department_id" in sent and changes.department_id != squad.department_id
    if moved:
        if changes.department_id is None:
            raise OrgRuleError("中队必须属于一个部门")
        if repo.squad_member_count(session, squad_id):
            raise Conflict("中队还有队员，不能调整所属部门；请先调整队员")
        department = visible_department(session, actor, changes.department_id)
        department_id, region_id, path = department.id, department.region_id, department.path
    name = required_name(changes.name, "中队") if "name" in sent else squad.name
    if name != squad.name or moved:
        _check_squad_name(session, name, department_id=department_id, self_id=squad.id)
    new_leader = "leader_id" in sent and changes.leader_id != squad.leader_id
    leader_id = changes.leader_id if new_leader else squad.leader_id
    if leader_id is not None and (new_leader or moved):
        actor_or_none = actor if new_leader else None
        _check_leader(session, actor_or_none, leader_id=leader_id, squad_path=path)
    squad.department_id, squad.region_id = department_id, region_id
    squad.name, squad.leader_id = name, leader_id
    flush_unique(session, squad, f"本部门已有名为“{name}”的中队", gone=_GONE)
    after = _squad_snapshot(squad)
    if after != before:
        record(
            session,
            action="org.squad_update",
            object_type="squad",
            object_id=squad.id,
            before=before,
            after=after,
            region_path=path,
            **actor.audit_fields(),
        )
    return get_squad(session, actor=actor, squad_id=squad.id)


def delete_squad(session: Session, *, actor: Actor, squad_id: int) -> None:
    squad, path = _locked_squad(session, actor, squad_id)
    members = repo.squad_member_count(session, squad_id)
    if members:
        raise Conflict(f"中队“{squad.name}”还有 {members} 名队员，不能删除")
    before = _squad_snapshot(squad)
    session.delete(squad)
    session.flush()
    record(
        session,
        action="org.squad_delete",
        object_type="squad",
        object_id=squad_id,
        before=before,
        region_path=path,
        **actor.audit_fields(),
    )
