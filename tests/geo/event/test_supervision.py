"""Supervision messages (督办, GM-6): the district centre sends, the current handler of
the work order receives and replies once, the reply deadline is counted in working time
on the calendar (negative once overdue), towns are isolated, every step is audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.event import service, supervision
from geo.event.deadlines import after_working_days, after_working_hours
from geo.event.errors import EventRuleError
from geo.event.oversight_schemas import Box, ReplyUnit, SupervisionCreate
from geo.event.workflow import Status
from tests.conftest import scalar
from tests.geo.event.event_flow import user_id

URGE = SupervisionCreate(message="群众再次来电，请加快处置", reply_amount=4)


def _send(db: Session, actor_of: Callable[[str], Actor], event_id: int, data=URGE):  # noqa: ANN001, ANN202
    return supervision.send(db, actor=actor_of("center"), event_id=event_id, data=data)


def _audit(db: Session, action: str, object_id: int) -> dict:
    row = db.execute(
        text("""SELECT actor_name, after, region_path::text AS path FROM audit_log
                WHERE action = :a AND object_type = 'event_supervision' AND object_id = :id"""),
        {"a": action, "id": str(object_id)},
    ).one()
    return dict(row._mapping)


def test_the_centre_supervises_the_assignee_who_replies_once(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    event_id = at_status(Status.HANDLING)
    sent = _send(db, actor_of, event_id)
    assert sent.receiver_user_id == user_id(db, "ys_handler")
    assert sent.reply_deadline > sent.sent_at
    assert sent.remaining_hours is not None and 0 < sent.remaining_hours <= 4
    assert not sent.overdue
    audit = _audit(db, "event.supervise", sent.id)
    assert audit["after"]["event_id"] == event_id
    assert audit["path"].startswith("320582")

    handler = actor_of("ys_handler")
    (received,) = [
        s for s in supervision.list_supervisions(db, actor=handler, box=Box.RECEIVED)
        if s.id == sent.id
    ]  # fmt: skip
    assert received.message == URGE.message and received.reply is None

    done = supervision.reply(db, actor=handler, supervision_id=sent.id, text=" 已到现场处置 ")
    assert done.reply == "已到现场处置"
    assert done.replied_by_name == handler.display_name
    assert done.remaining_hours is None and not done.overdue
    assert _audit(db, "event.supervision_reply", sent.id)["after"]["reply"] == "已到现场处置"
    with pytest.raises(Conflict, match="已由.*回复"):
        supervision.reply(db, actor=handler, supervision_id=sent.id, text="再回复一次")

    outbox = supervision.list_supervisions(db, actor=actor_of("center"), box=Box.SENT)
    assert outbox[0].id == sent.id and outbox[0].reply == "已到现场处置"


def test_before_dispatch_the_claiming_dispatcher_receives_it(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    for status in (Status.CLAIMED, Status.ACCEPTED, Status.TO_CLOSE):
        sent = _send(db, actor_of, at_status(status))
        assert sent.receiver_user_id == user_id(db, "ys_dispatcher"), status


def test_a_department_assignee_is_answered_by_any_member(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    event_id = at_status(Status.ACCEPTED)
    handler = actor_of("ys_handler")
    assert handler.department_id is not None
    service.transition(
        db, actor=actor_of("ys_dispatcher"), event_id=event_id, action="dispatch",
        department_id=handler.department_id,
    )  # fmt: skip
    sent = _send(db, actor_of, event_id)
    assert (sent.receiver_user_id, sent.receiver_department_id) == (None, handler.department_id)
    assert sent.receiver_department_name
    assert supervision.reply(db, actor=handler, supervision_id=sent.id, text="收到").reply


@pytest.mark.parametrize(
    ("status", "error"),
    [(Status.REPORTED, EventRuleError), (Status.CLOSED, Conflict)],
)
def test_no_handler_or_closed_cannot_be_supervised(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int],
    status: Status, error: type[Exception],
) -> None:  # fmt: skip
    with pytest.raises(error):
        _send(db, actor_of, at_status(status))


def test_only_a_district_wide_supervisor_sends(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    event_id = at_status(Status.HANDLING)
    town_leader = actor_of("ys_leader")
    assert town_leader.can("event.supervise")
    with pytest.raises(Forbidden, match="区指挥中心"):
        supervision.send(db, actor=town_leader, event_id=event_id, data=URGE)
    with pytest.raises(Forbidden):
        supervision.send(db, actor=actor_of("ys_dispatcher"), event_id=event_id, data=URGE)
    with pytest.raises(NotFound):
        supervision.send(db, actor=actor_of("center"), event_id=2**62, data=URGE)


def test_only_the_receiver_replies_and_other_towns_do_not_see_it(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    sent = _send(db, actor_of, at_status(Status.HANDLING))
    with pytest.raises(Forbidden, match="发给了"):
        supervision.reply(db, actor=actor_of("ys_grid"), supervision_id=sent.id, text="我来回复")
    for other in ("tq_handler", "tq_dispatcher"):
        with pytest.raises(NotFound):
            supervision.reply(db, actor=actor_of(other), supervision_id=sent.id, text="回复")
        inbox = supervision.list_supervisions(db, actor=actor_of(other), box=Box.RECEIVED)
        assert sent.id not in {s.id for s in inbox}
    with pytest.raises(Forbidden):  # the sent box is the supervisors'
        supervision.list_supervisions(db, actor=actor_of("ys_handler"), box=Box.SENT)


def test_overdue_replies_show_negative_working_time_and_come_first(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    handler = actor_of("ys_handler")
    late = _send(db, actor_of, at_status(Status.HANDLING))
    answered = _send(db, actor_of, at_status(Status.HANDLING))
    supervision.reply(db, actor=handler, supervision_id=answered.id, text="已处理")
    # Due Monday 23 November 2026 at 10:00; read on Tuesday at 09:00: 10:00–12:00,
    # 13:30–17:30 on Monday and 08:30–09:00 on Tuesday have passed, 6.5 working hours.
    db.execute(
        text("UPDATE event_supervision SET reply_deadline = :d WHERE id IN (:a, :b)"),
        {"d": datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), "a": late.id, "b": answered.id},
    )
    now = datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)
    inbox = supervision.list_supervisions(db, actor=handler, box=Box.RECEIVED, now=now)
    ids = [s.id for s in inbox]
    assert ids.index(late.id) < ids.index(answered.id)  # unreplied first
    first = inbox[ids.index(late.id)]
    assert first.remaining_hours == -6.5 and first.overdue
    second = inbox[ids.index(answered.id)]
    assert second.remaining_hours is None and second.overdue  # replied after the deadline


def test_reply_limits_are_counted_on_the_calendar(db: Session) -> None:
    friday = datetime(2026, 11, 27, 16, 30, tzinfo=SHANGHAI)
    # 1 h left on Friday, the weekend skipped, 1 h on Monday from 08:30.
    assert after_working_hours(db, start=friday, hours=2) == datetime(
        2026, 11, 30, 9, 30, tzinfo=SHANGHAI
    )
    assert after_working_days(db, start=friday, days=1) == datetime(
        2026, 11, 30, 17, 30, tzinfo=SHANGHAI
    )


def test_a_limit_in_working_days_ends_at_closing_time_of_a_working_day(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    data = SupervisionCreate(message="请于两个工作日内书面回复", reply_unit=ReplyUnit.DAYS,
                             reply_amount=2)  # fmt: skip
    sent = _send(db, actor_of, at_status(Status.HANDLING), data)
    local = sent.reply_deadline.astimezone(SHANGHAI)
    assert (local.hour, local.minute) == (17, 30)
    assert scalar(db, "SELECT is_working FROM calendar_day WHERE day = :d", d=local.date())
    too_long = SupervisionCreate(message="x", reply_unit=ReplyUnit.DAYS, reply_amount=11)
    with pytest.raises(EventRuleError, match="最长"):
        _send(db, actor_of, at_status(Status.HANDLING), too_long)
