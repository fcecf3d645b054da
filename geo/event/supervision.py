"""Supervision messages (督办, GM-6).

The district centre sends a message on an open work order to whoever holds it now — the
assignee (a user, or any member of a department) once dispatched, the claiming
sub-centre dispatcher before and after that — with a reply time limit in working hours
or working days on the calendar. The receiver replies once; the receiver's box lists
unreplied messages first with the working time left (negative when overdue).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, false, or_, select, update
from sqlalchemy.orm import Session, aliased

from geo.audit.service import record
from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.core.scope import readable
from geo.event import repository as repo
from geo.event.deadlines import (
    after_working_days,
    after_working_hours,
    calendar_covering,
    working_hours_left,
)
from geo.event.errors import EventRuleError
from geo.event.models import Event, EventSupervision
from geo.event.oversight_schemas import (
    MAX_REPLY_DAYS,
    Box,
    ReplyUnit,
    SupervisionCreate,
    SupervisionRead,
)
from geo.event.workflow import Status
from geo.org.models import Department, UserAccount
from geo.region.models import Region

__all__ = ["list_supervisions", "reply", "send"]

SUPERVISE = "event.supervise"
_ASSIGNEE = (Status.DISPATCHED, Status.HANDLING, Status.REWORK)
_CLAIMER = (Status.CLAIMED, Status.ACCEPTED, Status.TO_CLOSE, Status.VERIFYING)
LIST_LIMIT = 200


def send(
    session: Session, *, actor: Actor, event_id: int, data: SupervisionCreate
) -> SupervisionRead:
    actor.require(SUPERVISE)
    if not actor.is_district_wide:
        raise Forbidden("督办消息由区指挥中心发起，您的账号不属于区级")
    actor.require("event.view")
    row = repo.event_row(session, actor=actor, event_id=event_id)
    if row is None:
        raise NotFound(f"未找到工单（编号 {event_id}），或不在您的管辖范围内")
    user_id, department_id = _receiver(row)
    now = datetime.now(SHANGHAI)
    supervision = EventSupervision(
        event_id=event_id,
        sender_id=actor.user_id,
        sender_name=actor.display_name,
        message=data.message.strip(),
        sent_at=now,
        reply_unit=data.reply_unit.value,
        reply_amount=data.reply_amount,
        reply_deadline=_reply_deadline(session, now=now, data=data),
        receiver_user_id=user_id,
        receiver_department_id=department_id,
    )
    session.add(supervision)
    session.flush()
    record(
        session, action="event.supervise", object_type="event_supervision",
        object_id=supervision.id,
        after={"event_id": event_id, "event_no": row.event_no, "message": supervision.message,
               "receiver_user_id": user_id, "receiver_department_id": department_id,
               "reply_deadline": supervision.reply_deadline},
        region_path=row.region_path, **actor.audit_fields(),
    )  # fmt: skip
    return _one(session, actor=actor, supervision_id=supervision.id)


def _receiver(row: Row[Any]) -> tuple[int | None, int | None]:
    """(user, department) holding the work order now."""
    status = Status(row.status)
    if not status.is_open:
        raise Conflict(f"工单已{status.label}，无需督办")
    if status in _ASSIGNEE:
        return row.assignee_user_id, row.assignee_department_id
    if status in _CLAIMER and row.claimed_by_id is not None:
        return row.claimed_by_id, None
    raise EventRuleError(
        f"工单当前状态为“{status.label}”，尚无承办人，不能督办；请先由分中心索取或由区指挥中心派遣"
    )


def _reply_deadline(session: Session, *, now: datetime, data: SupervisionCreate) -> datetime:
    if data.reply_unit is ReplyUnit.DAYS:
        if data.reply_amount > MAX_REPLY_DAYS:
            raise EventRuleError(f"回复时限最长 {MAX_REPLY_DAYS} 个工作日")
        return after_working_days(session, start=now, days=data.reply_amount)
    return after_working_hours(session, start=now, hours=data.reply_amount)


def reply(session: Session, *, actor: Actor, supervision_id: int, text: str) -> SupervisionRead:
    """The receiver's one reply; a second reply (or a concurrent one) answers 409."""
    actor.require("event.view")
    row = _row(session, actor=actor, supervision_id=supervision_id)
    if not _is_receiver(actor, row):
        who = row.receiver_user_name or row.receiver_department_name
        raise Forbidden(f"该督办消息发给了{who}，您不能回复")
    answer = text.strip()
    if not answer:
        raise EventRuleError("回复内容不能为空")
    if row.replied_at is not None:
        raise _already(row.replied_by_name)
    done = session.execute(
        update(EventSupervision)
        .where(EventSupervision.id == supervision_id, EventSupervision.replied_at.is_(None))
        .values(
            reply=answer,
            replied_at=datetime.now(SHANGHAI),
            replied_by_id=actor.user_id,
            replied_by_name=actor.display_name,
        )
        .returning(EventSupervision.id)
        .execution_options(synchronize_session=False)
    ).first()
    if done is None:
        raise _already(
            session.scalar(
                select(EventSupervision.replied_by_name).where(
                    EventSupervision.id == supervision_id
                )
            )
        )
    record(
        session, action="event.supervision_reply", object_type="event_supervision",
        object_id=supervision_id, before={"replied_at": None},
        after={"event_id": row.event_id, "reply": answer}, region_path=row.region_path,
        **actor.audit_fields(),
    )  # fmt: skip
    return _one(session, actor=actor, supervision_id=supervision_id)


def _already(by: str | None) -> Conflict:
    return Conflict(f"该督办消息已由{by or '他人'}回复，不能重复回复")


def _is_receiver(actor: Actor, row: Row[Any]) -> bool:
    return row.receiver_user_id == actor.user_id or (
        row.receiver_department_id is not None and row.receiver_department_id == actor.department_id
    )


def list_supervisions(
    session: Session, *, actor: Actor, box: Box, now: datetime | None = None
) -> list[SupervisionRead]:
    """Received: messages to the actor (or their department), unreplied first, the
    nearest deadline first. Sent: the actor's messages, newest first."""
    actor.require("event.view")
    if box is Box.SENT:
        actor.require(SUPERVISE)
        where = EventSupervision.sender_id == actor.user_id
        order: list[Any] = [EventSupervision.id.desc()]
    else:
        department = (
            EventSupervision.receiver_department_id == actor.department_id
            if actor.department_id is not None
            else false()
        )
        where = or_(EventSupervision.receiver_user_id == actor.user_id, department)
        order = [
            EventSupervision.replied_at.is_not(None),
            EventSupervision.reply_deadline,
            EventSupervision.id,
        ]
    rows = session.execute(_select(actor).where(where).order_by(*order).limit(LIST_LIMIT)).all()
    return _reads(session, list(rows), now=now)


# ---- reading -----------------------------------------------------------------------------
_receiver_user = aliased(UserAccount, name="receiver_user")


def _select(actor: Actor) -> Any:
    """Supervisions with their work order and receiver names (one query, no N+1)."""
    return (
        select(
            *EventSupervision.__table__.c,
            Event.event_no,
            Event.title.label("event_title"),
            Event.status.label("event_status"),
            Region.path.label("region_path"),
            _receiver_user.display_name.label("receiver_user_name"),
            Department.name.label("receiver_department_name"),
        )
        .join(Event, Event.id == EventSupervision.event_id)
        .join(Region, Region.id == Event.region_id)
        .outerjoin(_receiver_user, _receiver_user.id == EventSupervision.receiver_user_id)
        .outerjoin(Department, Department.id == EventSupervision.receiver_department_id)
        .where(readable(actor, Event.region_id))
    )


def _row(session: Session, *, actor: Actor, supervision_id: int) -> Row[Any]:
    row: Row[Any] | None = session.execute(
        _select(actor).where(EventSupervision.id == supervision_id)
    ).first()
    if row is None:
        raise NotFound(f"未找到督办消息（编号 {supervision_id}），或不在您的管辖范围内")
    return row


def _one(session: Session, *, actor: Actor, supervision_id: int) -> SupervisionRead:
    return _reads(session, [_row(session, actor=actor, supervision_id=supervision_id)])[0]


def _reads(
    session: Session, rows: list[Row[Any]], *, now: datetime | None = None
) -> list[SupervisionRead]:
    """Each row with its working hours left (one calendar load for the whole list)."""
    now = now or datetime.now(SHANGHAI)
    waiting = [r.reply_deadline for r in rows if r.replied_at is None]
    calendar = calendar_covering(session, [now, *waiting]) if waiting else None
    out = []
    for r in rows:
        left = None
        if r.replied_at is None and calendar is not None:
            left = working_hours_left(calendar, deadline=r.reply_deadline, now=now)
        fields = {k: v for k, v in r._mapping.items() if k in SupervisionRead.model_fields}
        out.append(
            SupervisionRead(
                **fields, remaining_hours=left, overdue=(r.replied_at or now) > r.reply_deadline
            )
        )
    return out
