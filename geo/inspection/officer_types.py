"""执法人员类型: the code list district administrators extend (在编执法人员, 协管员 …).
Everyone with `inspection.view` reads it; a type in use cannot be deleted."""

from __future__ import annotations

from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.inspection import officer_repository as repo
from geo.inspection.models import OfficerType
from geo.inspection.officer_schemas import OfficerTypeCreate, OfficerTypeRead, OfficerTypeUpdate
from geo.inspection.register_rules import VIEW, ensure_global_editor
from geo.org.rules import flush_unique

__all__ = [
    "create_officer_type",
    "delete_officer_type",
    "list_officer_types",
    "update_officer_type",
]

WHAT = "执法人员类型"


def list_officer_types(session: Session, *, actor: Actor) -> list[OfficerTypeRead]:
    actor.require(VIEW)
    return _all(session)


def _all(session: Session) -> list[OfficerTypeRead]:
    return [OfficerTypeRead(**r._mapping) for r in repo.officer_type_rows(session)]


def _read(session: Session, code: str) -> OfficerTypeRead:
    return next(t for t in _all(session) if t.code == code)


def _locked(session: Session, code: str) -> OfficerType:
    row = repo.lock_officer_type(session, code)
    if row is None:
        raise NotFound(f"未找到执法人员类型“{code}”")
    return row


def create_officer_type(
    session: Session, *, actor: Actor, data: OfficerTypeCreate
) -> OfficerTypeRead:
    ensure_global_editor(actor, WHAT)
    if session.get(OfficerType, data.code) is not None:
        raise Conflict(f"类型代码“{data.code}”已存在，请换一个代码")
    row = OfficerType(code=data.code, name=data.name.strip(), sort_order=data.sort_order)
    flush_unique(session, row, f"类型代码“{data.code}”已存在，请换一个代码")
    record(
        session, action="inspection.officer_type_create", object_type="officer_type",
        object_id=row.code, after={"name": row.name, "sort_order": row.sort_order},
        detail=f"新增执法人员类型“{row.name}”", **actor.audit_fields(),
    )  # fmt: skip
    return _read(session, row.code)


def update_officer_type(
    session: Session, *, actor: Actor, code: str, data: OfficerTypeUpdate
) -> OfficerTypeRead:
    ensure_global_editor(actor, WHAT)
    row = _locked(session, code)
    before = {"name": row.name, "sort_order": row.sort_order}
    row.name, row.sort_order = data.name.strip(), data.sort_order
    session.flush()
    after = {"name": row.name, "sort_order": row.sort_order}
    if after != before:
        record(
            session, action="inspection.officer_type_update", object_type="officer_type",
            object_id=code, before=before, after=after, **actor.audit_fields(),
        )  # fmt: skip
    return _read(session, code)


def delete_officer_type(session: Session, *, actor: Actor, code: str) -> None:
    ensure_global_editor(actor, WHAT)
    row = _locked(session, code)
    used = repo.officers_of_type(session, code)
    if used:
        raise Conflict(f"执法人员类型“{row.name}”还有 {used} 名执法人员在用，不能删除")
    before = {"name": row.name, "sort_order": row.sort_order}
    session.delete(row)
    session.flush()
    record(
        session, action="inspection.officer_type_delete", object_type="officer_type",
        object_id=code, before=before, **actor.audit_fields(),
    )  # fmt: skip
