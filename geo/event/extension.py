"""Extension requests (延期申请, GM-7).

The assignee of a work order asks for N more working days with a reason; at most one
request is under review per work order. The town's sub-centre reviews it first (一级审核):
a refusal ends it, an approval sends it to the district centre (二级审核), whose approval
moves the work order's deadline N working days on the calendar, from the current
deadline. Every review is a guarded update on the request's status: of two reviewers
acting at once exactly one wins, the other gets 409 with the current state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.core.scope import readable
from geo.event import repository as repo
from geo.event.deadlines import after_working_days
from geo.event.errors import EventRuleError
from geo.event.models import EXTENSION_PENDING_STATUSES, Event, EventExtension
from geo.event.oversight_schemas import (
    ExtensionCreate,
    ExtensionRead,
    ExtensionReview,
    ExtensionStatus,
)
from geo.event.service import EXTEND
from geo.event.workflow import Status
from geo.region.models import Region

__all__ = ["EXTEND", "list_extensions", "request_extension", "review_extension"]

REVIEW = "event.review_extension"
_ASSIGNEE = (Status.DISPATCHED, Status.HANDLING, Status.REWORK)
LIST_LIMIT = 200
S = ExtensionStatus


def request_extension(
    session: Session, *, actor: Actor, event_id: int, data: ExtensionCreate
) -> ExtensionRead:
    actor.require("event.handle")
    actor.require("event.view")
    row = repo.event_row(session, actor=actor, event_id=event_id)
    if row is None:
        raise NotFound(f"未找到工单（编号 {event_id}），或不在您的管辖范围内")
    if Status(row.status) not in _ASSIGNEE:
        raise Conflict(f"工单当前状态为“{Status(row.status).label}”，不能申请延期")
    if not (
        row.assignee_user_id == actor.user_id
        or (row.assignee_department_id is not None
            and row.assignee_department_id == actor.department_id)
    ):  # fmt: skip
        who = row.assignee_user_name or row.assignee_department_name or "其他人员"
        raise Forbidden(f"该工单派给了{who}，只有承办人可以申请延期")
    _refuse_second_pending(session, event_id=event_id)
    extension = EventExtension(
        event_id=event_id,
        days=data.days,
        reason=data.reason.strip(),
        status=S.REQUESTED.value,
        requested_by_id=actor.user_id,
        requested_by_name=actor.display_name,
        requested_at=datetime.now(SHANGHAI),
    )
    try:
        with session.begin_nested():  # a concurrent request hits the partial unique index
            session.add(extension)
            session.flush()
    except IntegrityError:
        raise _pending_exists() from None
    record(
        session, action="event.extension_request", object_type="event_extension",
        object_id=extension.id,
        after={"event_id": event_id, "event_no": row.event_no, "days": data.days,
               "reason": extension.reason, "status": extension.status},
        region_path=row.region_path, **actor.audit_fields(),
    )  # fmt: skip
    return _one(session, actor=actor, extension_id=extension.id)


def _refuse_second_pending(session: Session, *, event_id: int) -> None:
    pending = select(EventExtension.id).where(
        EventExtension.event_id == event_id, EventExtension.status.in_(_PENDING)
    )
    if session.scalar(select(exists(pending))):
        raise _pending_exists()


_PENDING = EXTENSION_PENDING_STATUSES


def _pending_exists() -> Conflict:
    return Conflict("该工单已有一项延期申请正在审核，请等待审核结果后再申请")


# ---- review ------------------------------------------------------------------------------
def review_extension(
    session: Session, *, actor: Actor, extension_id: int, data: ExtensionReview
) -> ExtensionRead:
    """First level (the town's sub-centre) or second level (the district centre), chosen
    by the request's status; the reviewer must be of that level."""
    actor.require(REVIEW)
    row = _row(session, actor=actor, extension_id=extension_id)
    current = S(row.status)
    if data.expected_status is not None and data.expected_status is not current:
        raise _decided(current)
    opinion = (data.opinion or "").strip() or None
    if not data.approve and not opinion:
        raise EventRuleError("不同意延期须填写审核意见")
    if current is S.REQUESTED:
        if actor.is_district_wide:
            raise Forbidden(
                "该申请尚待镇（街道）分中心一级审核，区指挥中心须在一级审核通过后再审核"
            )
        target = S.FIRST_APPROVED if data.approve else S.REJECTED
        values = _reviewed_by("first", actor, opinion)
    elif current is S.FIRST_APPROVED:
        if not actor.is_district_wide:
            raise Forbidden("该申请已通过一级审核，二级审核由区指挥中心进行")
        target = S.APPROVED if data.approve else S.REJECTED
        values = _reviewed_by("second", actor, opinion)
    else:
        raise _decided(current)
    if target is S.APPROVED:
        values.update(_extended_deadline(session, row=row))
    _guarded(session, extension_id=extension_id, expected=current, target=target, values=values)
    if target is S.APPROVED:
        _extend_event(session, actor=actor, row=row, values=values, opinion=opinion)
    record(
        session, action="event.extension_review", object_type="event_extension",
        object_id=extension_id, before={"status": current.value},
        after={"status": target.value, "approve": data.approve,
               "level": 1 if current is S.REQUESTED else 2,
               **{k: v for k, v in values.items() if k.endswith("deadline")}},
        region_path=row.region_path, detail=opinion, **actor.audit_fields(),
    )  # fmt: skip
    return _one(session, actor=actor, extension_id=extension_id)


def _reviewed_by(level: str, actor: Actor, opinion: str | None) -> dict[str, Any]:
    return {
        f"{level}_reviewer_id": actor.user_id,
        f"{level}_reviewer_name": actor.display_name,
        f"{level}_opinion": opinion,
        f"{level}_reviewed_at": datetime.now(SHANGHAI),
    }


def _decided(current: ExtensionStatus) -> Conflict:
    return Conflict(f"该延期申请已被他人审核，当前状态为“{current.label}”，请刷新后再操作")


def _guarded(
    session: Session,
    *,
    extension_id: int,
    expected: ExtensionStatus,
    target: ExtensionStatus,
    values: dict[str, Any],
) -> None:
    """UPDATE … WHERE status = :expected — the loser of a race sees the winner's status."""
    done = session.execute(
        update(EventExtension)
        .where(EventExtension.id == extension_id, EventExtension.status == expected.value)
        .values(status=target.value, **values)
        .returning(EventExtension.id)
        .execution_options(synchronize_session=False)
    ).first()
    if done is None:
        now = session.scalar(select(EventExtension.status).where(EventExtension.id == extension_id))
        if now is None:
            raise NotFound(f"延期申请（编号 {extension_id}）已不存在")
        raise _decided(S(now))


def _extended_deadline(session: Session, *, row: Row[Any]) -> dict[str, Any]:
    """The deadline N working days after the current one (or after now, if none)."""
    if not Status(row.event_status).is_open:
        raise Conflict(f"工单已{Status(row.event_status).label}，无需延期")
    start = row.event_deadline or datetime.now(SHANGHAI)
    return {
        "old_deadline": row.event_deadline,
        "new_deadline": after_working_days(session, start=start, days=row.days),
    }


def _extend_event(
    session: Session, *, actor: Actor, row: Row[Any], values: dict[str, Any], opinion: str | None
) -> None:
    old, new = values["old_deadline"], values["new_deadline"]
    moved = session.execute(
        update(Event)
        .where(
            Event.id == row.event_id,
            Event.deadline.is_not_distinct_from(old),
            Event.status.in_([s.value for s in Status if s.is_open]),
        )
        .values(deadline=new, updated_at=datetime.now(SHANGHAI))
        .returning(Event.status)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:
        raise Conflict("工单的处置期限或状态已被他人修改，请刷新后再审核")
    status = moved.status
    until = f"{new.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
    note = f"延期 {row.days} 个工作日，期限延至 {until}；申请理由：{row.reason}"
    repo.insert_action(
        session, event_id=row.event_id, action=EXTEND, from_status=status, to_status=status,
        actor_id=actor.user_id, actor_name=actor.display_name,
        opinion=note + (f"；审核意见：{opinion}" if opinion else ""),
    )  # fmt: skip
    record(
        session, action="event.extend", object_type="event", object_id=row.event_id,
        before={"deadline": old}, after={"deadline": new, "extension_id": row.id},
        region_path=row.region_path, **actor.audit_fields(),
    )  # fmt: skip


# ---- reading -----------------------------------------------------------------------------
def list_extensions(
    session: Session, *, actor: Actor, pending: bool = False
) -> list[ExtensionRead]:
    """pending: the requests waiting for the actor's review level (the sub-centre sees
    those to review first, the district centre those past the first level); otherwise
    every request of the actor's scope, newest first."""
    actor.require("event.view")
    query = _select(actor)
    if pending:
        actor.require(REVIEW)
        waiting = S.FIRST_APPROVED if actor.is_district_wide else S.REQUESTED
        query = query.where(EventExtension.status == waiting.value).order_by(EventExtension.id)
    else:
        query = query.order_by(EventExtension.id.desc())
    return [_read(r) for r in session.execute(query.limit(LIST_LIMIT)).all()]


def _select(actor: Actor) -> Any:
    return (
        select(
            *EventExtension.__table__.c,
            Event.event_no,
            Event.title.label("event_title"),
            Event.status.label("event_status"),
            Event.deadline.label("event_deadline"),
            Region.path.label("region_path"),
        )
        .join(Event, Event.id == EventExtension.event_id)
        .join(Region, Region.id == Event.region_id)
        .where(readable(actor, Event.region_id))
    )


def _row(session: Session, *, actor: Actor, extension_id: int) -> Row[Any]:
    row: Row[Any] | None = session.execute(
        _select(actor).where(EventExtension.id == extension_id)
    ).first()
    if row is None:
        raise NotFound(f"未找到延期申请（编号 {extension_id}），或不在您的管辖范围内")
    return row


def _read(row: Row[Any]) -> ExtensionRead:
    status = S(row.status)
    fields = {k: v for k, v in row._mapping.items() if k in ExtensionRead.model_fields}
    return ExtensionRead(**{**fields, "status": status}, status_label=status.label)


def _one(session: Session, *, actor: Actor, extension_id: int) -> ExtensionRead:
    return _read(_row(session, actor=actor, extension_id=extension_id))
