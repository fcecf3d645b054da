"""Registering a case (立案登记) and reading it back. The case procedures (LE-4, LE-5)
build on the registered row in a later step; a dispatched task that turns into a case
calls `register_case` inside its own transition (see `geo.task.service`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.case.models import CaseRecord, CaseSource, CaseStatus, Procedure
from geo.case.schemas import PROCEDURE_LABELS, SOURCE_LABELS, STATUS_LABELS, CaseCreate, CaseRead
from geo.core.actor import Actor
from geo.core.errors import NotFound
from geo.core.numbering import next_number
from geo.core.scope import readable
from geo.org.models import UserAccount
from geo.region.models import Region

__all__ = ["CASE_PREFIX", "get_case", "register_case"]

CASE_PREFIX = "AJ"


def register_case(
    session: Session,
    *,
    actor: Actor,
    data: CaseCreate,
    geom: Any,
    region_id: int,
    region_path: str,
    address: str | None = None,
    enterprise_id: int | None = None,
) -> CaseRecord:
    """A new case record with the next AJ number, at `geom` (a stored point) in the region;
    audited in the caller's transaction."""
    actor.require("case.register")
    case = CaseRecord(
        number=next_number(session, prefix=CASE_PREFIX, digits=4),
        procedure=Procedure(data.procedure).value,
        source=CaseSource(data.source).value,
        status=CaseStatus.REGISTERED.value,
        title=data.title,
        facts=data.facts,
        party_name=data.party_name,
        enterprise_id=enterprise_id,
        address=address,
        registered_by=actor.user_id,
        region_id=region_id,
        geom=geom,
    )
    session.add(case)
    session.flush()
    record(
        session, action="case.register", object_type="case_record", object_id=case.id,
        after={"number": case.number, "procedure": case.procedure, "source": case.source,
               "title": case.title, "party_name": case.party_name},
        region_path=region_path, **actor.audit_fields(),
    )  # fmt: skip
    return case


def get_case(session: Session, *, actor: Actor, case_id: int) -> CaseRead:
    actor.require("case.view")
    row = _case_row(session, actor=actor, case_id=case_id)
    if row is None:
        raise NotFound(f"未找到案件（编号 {case_id}），或不在您的管辖范围内")
    values = dict(row._mapping)
    return CaseRead(
        **values,
        procedure_label=PROCEDURE_LABELS[Procedure(row.procedure)],
        source_label=SOURCE_LABELS[CaseSource(row.source)],
        status_label=STATUS_LABELS.get(row.status, row.status),
    )


def _case_row(session: Session, *, actor: Actor, case_id: int) -> Row[Any] | None:
    from geo.task.models import EnforcementTask

    result: Any = session.execute(
        select(
            CaseRecord.id,
            CaseRecord.number,
            CaseRecord.procedure,
            CaseRecord.source,
            CaseRecord.status,
            CaseRecord.title,
            CaseRecord.facts,
            CaseRecord.party_name,
            CaseRecord.enterprise_id,
            CaseRecord.address,
            func.ST_X(CaseRecord.geom).label("lon"),
            func.ST_Y(CaseRecord.geom).label("lat"),
            CaseRecord.region_id,
            Region.name.label("region_name"),
            CaseRecord.registered_by,
            UserAccount.display_name.label("registered_by_name"),
            CaseRecord.registered_at,
            EnforcementTask.id.label("task_id"),
            EnforcementTask.number.label("task_number"),
        )  # fmt: skip
        .join(UserAccount, UserAccount.id == CaseRecord.registered_by)
        .outerjoin(Region, Region.id == CaseRecord.region_id)
        .outerjoin(EnforcementTask, EnforcementTask.case_id == CaseRecord.id)
        .where(CaseRecord.id == case_id, readable(actor, CaseRecord.region_id))
    )
    row: Row[Any] | None = result.first()
    return row
