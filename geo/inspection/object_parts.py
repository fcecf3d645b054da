"""Use cases of a supervised object's business licences (经营许可证) and responsible
persons (责任人), DR-2: add, change, remove. Each change locks the object (inside the
actor's scope, else 404), is checked whole before it is written, and is audited."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import NotFound
from geo.inspection.models import BusinessLicence, ResponsiblePerson
from geo.inspection.object_rules import check_licence_dates, mobile, new_licence, new_person, text
from geo.inspection.object_schemas import (
    LicenceCreate,
    LicenceRead,
    LicenceUpdate,
    PersonCreate,
    PersonRead,
    PersonUpdate,
)
from geo.inspection.objects import licence_read, locked_object, person_read

__all__ = [
    "add_licence",
    "add_person",
    "delete_licence",
    "delete_person",
    "update_licence",
    "update_person",
]

Part = TypeVar("Part", BusinessLicence, ResponsiblePerson)
_LABELS = {BusinessLicence: "经营许可证", ResponsiblePerson: "责任人"}


def _part(session: Session, model: type[Part], *, enterprise_id: int, part_id: int) -> Part:
    """The licence or person of this object (locked), else 404."""
    found = session.scalar(
        select(model)
        .where(model.id == part_id, model.enterprise_id == enterprise_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound(f"该监管对象没有编号为 {part_id} 的{_LABELS[model]}，可能已被删除")
    return found


def _licence_snapshot(b: BusinessLicence) -> dict[str, Any]:
    return {
        "name": b.name, "number": b.number, "issuer": b.issuer, "valid_from": b.valid_from,
        "valid_to": b.valid_to, "scope": b.scope,
    }  # fmt: skip


def _person_snapshot(p: ResponsiblePerson) -> dict[str, Any]:
    return {"name": p.name, "duty": p.duty, "mobile": p.mobile}


def _audit(
    session: Session, actor: Actor, action: str, *, enterprise_id: int, path: str | None,
    part_id: int, before: Any = None, after: Any = None,
) -> None:  # fmt: skip
    record(
        session, action=f"inspection.{action}", object_type="enterprise",
        object_id=enterprise_id, before=before, after=after, region_path=path,
        detail=f"part_id={part_id}", **actor.audit_fields(),
    )  # fmt: skip


# ---- licences ---------------------------------------------------------------------------
def add_licence(
    session: Session, *, actor: Actor, enterprise_id: int, data: LicenceCreate
) -> LicenceRead:
    enterprise, path = locked_object(session, actor=actor, enterprise_id=enterprise_id)
    licence = new_licence(data)
    licence.enterprise_id = enterprise.id
    session.add(licence)
    session.flush()
    _audit(session, actor, "licence_create", enterprise_id=enterprise.id, path=path,
           part_id=licence.id, after=_licence_snapshot(licence))  # fmt: skip
    return licence_read(licence)


def update_licence(
    session: Session, *, actor: Actor, enterprise_id: int, licence_id: int, changes: LicenceUpdate
) -> LicenceRead:
    """Only the fields sent change; the dates are checked as they will be stored."""
    enterprise, path = locked_object(session, actor=actor, enterprise_id=enterprise_id)
    licence = _part(session, BusinessLicence, enterprise_id=enterprise.id, part_id=licence_id)
    before = _licence_snapshot(licence)
    sent = changes.model_fields_set
    valid_from = changes.valid_from if "valid_from" in sent else licence.valid_from
    valid_to = changes.valid_to if "valid_to" in sent else licence.valid_to
    check_licence_dates(valid_from, valid_to)
    if "name" in sent and changes.name is not None:
        licence.name = text(changes.name, "许可证名称", required=True) or licence.name
    if "number" in sent and changes.number is not None:
        licence.number = text(changes.number, "许可证编号", required=True) or licence.number
    if "issuer" in sent:
        licence.issuer = text(changes.issuer, "发证机关")
    if "scope" in sent:
        licence.scope = text(changes.scope, "许可范围")
    licence.valid_from, licence.valid_to = valid_from, valid_to
    after = _licence_snapshot(licence)
    if after != before:
        session.flush()
        _audit(session, actor, "licence_update", enterprise_id=enterprise.id, path=path,
               part_id=licence.id, before=before, after=after)  # fmt: skip
    return licence_read(licence)


def delete_licence(session: Session, *, actor: Actor, enterprise_id: int, licence_id: int) -> None:
    enterprise, path = locked_object(session, actor=actor, enterprise_id=enterprise_id)
    licence = _part(session, BusinessLicence, enterprise_id=enterprise.id, part_id=licence_id)
    before = _licence_snapshot(licence)
    session.delete(licence)
    session.flush()
    _audit(session, actor, "licence_delete", enterprise_id=enterprise.id, path=path,
           part_id=licence_id, before=before)  # fmt: skip


# ---- responsible persons ----------------------------------------------------------------
def add_person(
    session: Session, *, actor: Actor, enterprise_id: int, data: PersonCreate
) -> PersonRead:
    enterprise, path = locked_object(session, actor=actor, enterprise_id=enterprise_id)
    person = new_person(data)
    person.enterprise_id = enterprise.id
    session.add(person)
    session.flush()
    _audit(session, actor, "person_create", enterprise_id=enterprise.id, path=path,
           part_id=person.id, after=_person_snapshot(person))  # fmt: skip
    return person_read(person)


def update_person(
    session: Session, *, actor: Actor, enterprise_id: int, person_id: int, changes: PersonUpdate
) -> PersonRead:
    enterprise, path = locked_object(session, actor=actor, enterprise_id=enterprise_id)
    person = _part(session, ResponsiblePerson, enterprise_id=enterprise.id, part_id=person_id)
    before = _person_snapshot(person)
    sent = changes.model_fields_set
    if "mobile" in sent and changes.mobile is not None:
        person.mobile = mobile(changes.mobile)
    if "name" in sent and changes.name is not None:
        person.name = text(changes.name, "责任人姓名", required=True) or person.name
    if "duty" in sent:
        person.duty = text(changes.duty, "职务")
    after = _person_snapshot(person)
    if after != before:
        session.flush()
        _audit(session, actor, "person_update", enterprise_id=enterprise.id, path=path,
               part_id=person.id, before=before, after=after)  # fmt: skip
    return person_read(person)


def delete_person(session: Session, *, actor: Actor, enterprise_id: int, person_id: int) -> None:
    enterprise, path = locked_object(session, actor=actor, enterprise_id=enterprise_id)
    person = _part(session, ResponsiblePerson, enterprise_id=enterprise.id, part_id=person_id)
    before = _person_snapshot(person)
    session.delete(person)
    session.flush()
    _audit(session, actor, "person_delete", enterprise_id=enterprise.id, path=path,
           part_id=person_id, before=before)  # fmt: skip
