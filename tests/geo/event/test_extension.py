"""Extension requests (延期申请, GM-7): the assignee asks, the town's sub-centre reviews
first, the district centre second; the approved days move the deadline on the calendar
(weekends and holidays skipped); the wrong level and other towns are refused; of two
reviewers at once exactly one wins; every step is audited."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.db import get_engine
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.event import extension, service
from geo.event.deadlines import after_working_days
from geo.event.errors import EventRuleError
from geo.event.oversight_schemas import ExtensionCreate, ExtensionReview, ExtensionStatus
from geo.event.schemas import EventCreate
from geo.event.workflow import Status
from tests.conftest import scalar
from tests.geo.event.event_flow import fields, grid_point, performer, shortest_paths
from tests.geo.org.racing import actor_named, race

ASK = ExtensionCreate(days=2, reason="需协调车主，等待交警协查")
YES = ExtensionReview(approve=True, opinion="同意")
NO = ExtensionReview(approve=False, opinion="理由不充分，请按期办结")
FRIDAY = datetime(2026, 12, 4, 17, 30, tzinfo=SHANGHAI)


def _ask(db: Session, actor_of: Callable[[str], Actor], event_id: int, data=ASK):  # noqa: ANN001, ANN202
    return extension.request_extension(
        db, actor=actor_of("ys_handler"), event_id=event_id, data=data
    )


def _review(db: Session, actor_of: Callable[[str], Actor], who: str, extension_id: int, data):  # noqa: ANN001, ANN202
    return extension.review_extension(db, actor=actor_of(who), extension_id=extension_id, data=data)


def _deadline(db: Session, event_id: int) -> datetime:
    return db.execute(
        text("SELECT deadline FROM event WHERE id = :id"), {"id": event_id}
    ).scalar_one()


def _audits(db: Session, object_type: str, object_id: int) -> list[str]:
    return list(
        db.execute(
            text("""SELECT action FROM audit_log WHERE object_type = :t AND object_id = :id
                    ORDER BY id"""),
            {"t": object_type, "id": str(object_id)},
        ).scalars()
    )


def test_both_levels_approve_and_the_deadline_moves_across_weekend_and_holiday(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    event_id = at_status(Status.HANDLING)
    # Due Friday 4 December 2026; Monday the 7th is made a holiday: two more working days
    # are Tuesday the 8th and Wednesday the 9th.
    db.execute(text("UPDATE event SET deadline = :d WHERE id = :id"), {"d": FRIDAY, "id": event_id})
    db.execute(
        text("""UPDATE calendar_day SET kind = 'holiday', is_working = false,
                       name = '测试假日' WHERE day = '2026-12-07'""")
    )
    asked = _ask(db, actor_of, event_id)
    assert asked.status is ExtensionStatus.REQUESTED and asked.status_label == "待一级审核"

    first = _review(db, actor_of, "ys_dispatcher", asked.id, YES)
    assert first.status is ExtensionStatus.FIRST_APPROVED
    assert first.first_reviewer_name and first.first_opinion == "同意"
    assert _deadline(db, event_id) == FRIDAY  # not before the second level

    final = _review(db, actor_of, "center", asked.id, YES)
    expected = datetime(2026, 12, 9, 17, 30, tzinfo=SHANGHAI)
    assert final.status is ExtensionStatus.APPROVED
    assert (final.old_deadline, final.new_deadline) == (FRIDAY, expected)
    assert _deadline(db, event_id) == expected

    detail = service.get_event(db, actor=actor_of("ys_handler"), event_id=event_id)
    last = detail.history[-1]
    assert (last.action, last.action_label) == ("extend", "延期")
    assert last.from_status == last.to_status == Status.HANDLING
    assert "2026-12-09 17:30" in (last.opinion or "")
    assert _audits(db, "event_extension", asked.id) == [
        "event.extension_request", "event.extension_review", "event.extension_review",
    ]  # fmt: skip
    assert _audits(db, "event", event_id)[-1] == "event.extend"


def test_the_new_deadline_counts_from_the_current_one(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    event_id = at_status(Status.DISPATCHED)
    before = _deadline(db, event_id)
    asked = _ask(db, actor_of, event_id, ExtensionCreate(days=5, reason="跨部门协调"))
    _review(db, actor_of, "ys_dispatcher", asked.id, YES)
    _review(db, actor_of, "center", asked.id, ExtensionReview(approve=True))
    assert _deadline(db, event_id) == after_working_days(db, start=before, days=5)


def test_a_first_level_refusal_ends_the_request(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    event_id = at_status(Status.HANDLING)
    before = _deadline(db, event_id)
    asked = _ask(db, actor_of, event_id)
    with pytest.raises(EventRuleError, match="审核意见"):
        _review(db, actor_of, "ys_dispatcher", asked.id, ExtensionReview(approve=False))
    refused = _review(db, actor_of, "ys_dispatcher", asked.id, NO)
    assert refused.status is ExtensionStatus.REJECTED and refused.first_opinion == NO.opinion
    with pytest.raises(Conflict, match="未批准"):
        _review(db, actor_of, "center", asked.id, YES)
    assert _deadline(db, event_id) == before
    assert _ask(db, actor_of, event_id).status is ExtensionStatus.REQUESTED  # may ask again


def test_a_second_level_refusal_keeps_the_deadline(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    event_id = at_status(Status.HANDLING)
    before = _deadline(db, event_id)
    asked = _ask(db, actor_of, event_id)
    _review(db, actor_of, "ys_dispatcher", asked.id, YES)
    refused = _review(db, actor_of, "center", asked.id, NO)
    assert refused.status is ExtensionStatus.REJECTED and refused.new_deadline is None
    assert _deadline(db, event_id) == before
    assert "extend" not in {
        h.action for h in service.get_event(db, actor=actor_of("center"), event_id=event_id).history
    }


def test_one_request_under_review_at_a_time(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    event_id = at_status(Status.HANDLING)
    asked = _ask(db, actor_of, event_id)
    with pytest.raises(Conflict, match="正在审核"):
        _ask(db, actor_of, event_id)
    _review(db, actor_of, "ys_dispatcher", asked.id, YES)
    with pytest.raises(Conflict, match="正在审核"):  # still pending at the second level
        _ask(db, actor_of, event_id)


def test_each_level_is_reviewed_by_its_own_desk(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    asked = _ask(db, actor_of, at_status(Status.HANDLING))
    with pytest.raises(Forbidden, match="一级审核"):
        _review(db, actor_of, "center", asked.id, YES)
    with pytest.raises(Forbidden, match="延期审核"):  # no event.review_extension
        _review(db, actor_of, "ys_handler", asked.id, YES)
    pending_town = extension.list_extensions(db, actor=actor_of("ys_dispatcher"), pending=True)
    pending_centre = extension.list_extensions(db, actor=actor_of("center"), pending=True)
    assert asked.id in {e.id for e in pending_town}
    assert asked.id not in {e.id for e in pending_centre}

    _review(db, actor_of, "ys_dispatcher", asked.id, YES)
    with pytest.raises(Forbidden, match="二级审核由区指挥中心"):
        _review(db, actor_of, "ys_dispatcher", asked.id, YES)
    pending_town = extension.list_extensions(db, actor=actor_of("ys_dispatcher"), pending=True)
    pending_centre = extension.list_extensions(db, actor=actor_of("center"), pending=True)
    assert asked.id not in {e.id for e in pending_town}
    assert asked.id in {e.id for e in pending_centre}


def test_other_towns_neither_see_nor_review(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    asked = _ask(db, actor_of, at_status(Status.HANDLING))
    with pytest.raises(NotFound):
        _review(db, actor_of, "tq_dispatcher", asked.id, YES)
    for pending in (True, False):
        seen = extension.list_extensions(db, actor=actor_of("tq_dispatcher"), pending=pending)
        assert asked.id not in {e.id for e in seen}
    with pytest.raises(NotFound):
        extension.request_extension(
            db, actor=actor_of("tq_handler"), event_id=asked.event_id, data=ASK
        )


def test_only_the_assignee_asks_while_handling(
    db: Session, actor_of: Callable[[str], Actor], at_status: Callable[[Status], int]
) -> None:
    event_id = at_status(Status.HANDLING)
    with pytest.raises(Forbidden, match="只有承办人"):
        extension.request_extension(db, actor=actor_of("ys_grid"), event_id=event_id, data=ASK)
    with pytest.raises(Conflict, match="不能申请延期"):
        _ask(db, actor_of, at_status(Status.TO_CLOSE))


# ---- two reviewers at once (committed data, cleaned up) ------------------------------------
@pytest.fixture
def committed_request(demo_area) -> Iterator[Callable[[int], tuple[int, int]]]:  # noqa: ANN001
    """A committed work order in handling with an extension request; deleted afterwards."""
    event_ids: list[int] = []

    def make(level: int) -> tuple[int, int]:
        with Session(get_engine()) as s:
            lon, lat = grid_point(s)
            data = EventCreate(title="延期并发审核测试", category_code="0101", lon=lon, lat=lat)
            event_id = service.report_event(s, actor=actor_named("ys_grid"), data=data).id
            event_ids.append(event_id)
            s.commit()
            for t in shortest_paths()[Status.HANDLING]:
                service.transition(
                    s, actor=actor_named(performer(t)), event_id=event_id, action=t.action,
                    **fields(s, t),
                )  # fmt: skip
            asked = extension.request_extension(
                s, actor=actor_named("ys_handler"), event_id=event_id, data=ASK
            )
            if level == 2:
                extension.review_extension(
                    s, actor=actor_named("ys_dispatcher"), extension_id=asked.id, data=YES
                )
            s.commit()
            return event_id, asked.id

    try:
        yield make
    finally:
        with get_engine().begin() as conn:
            conn.execute(text("DELETE FROM event WHERE id = ANY(:ids)"), {"ids": event_ids})


@pytest.mark.parametrize(
    ("level", "first", "second", "winner"),
    [
        (1, "ys_dispatcher", "ys_dispatcher", ExtensionStatus.FIRST_APPROVED),
        (2, "center", "admin", ExtensionStatus.APPROVED),
    ],
)
def test_two_reviewers_at_once_one_wins_the_other_gets_409(
    committed_request,
    level: int,
    first: str,
    second: str,
    winner: ExtensionStatus,  # noqa: ANN001
) -> None:
    event_id, extension_id = committed_request(level)
    with Session(get_engine()) as s:
        before = _deadline(s, event_id)
    approve, refuse = actor_named(first), actor_named(second)

    def approves(session: Session) -> object:
        return extension.review_extension(
            session, actor=approve, extension_id=extension_id, data=YES
        )

    def refuses(session: Session) -> object:
        return extension.review_extension(session, actor=refuse, extension_id=extension_id, data=NO)

    outcome = race(approves, refuses)
    assert isinstance(outcome, Conflict), outcome
    assert f"当前状态为“{winner.label}”" in outcome.detail
    with Session(get_engine()) as s:
        assert (
            scalar(s, "SELECT status FROM event_extension WHERE id = :id", id=extension_id)
            == winner
        )
        extended = _deadline(s, event_id)
        if level == 2:  # moved once, by the winner
            assert extended == after_working_days(s, start=before, days=ASK.days)
            assert scalar(s, "SELECT count(*) FROM event_action WHERE event_id = :id "
                             "AND action = 'extend'", id=event_id) == 1  # fmt: skip
        else:
            assert extended == before
