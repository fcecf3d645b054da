"""The work-order process, generated from `TRANSITIONS`: every legal move works for the
demo user who holds it, every other (status, action) pair is refused with the reason,
permissions and holders are enforced, history and audit rows are written; reporting
locates the grid; towns are isolated; concurrent claims never share a work order."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.db import get_engine
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.event import service
from geo.event.errors import EventRuleError
from geo.event.models import STATUS_CHECK
from geo.event.schemas import EventCreate
from geo.event.workflow import (
    ACTION_PERMISSIONS,
    TRANSITIONS,
    Action,
    Status,
    actions_from,
)
from tests.conftest import scalar
from tests.geo.event.event_flow import OPINION, fields, grid_point, performer, user_id
from tests.geo.org.racing import actor_named, race

LEGAL = sorted(TRANSITIONS, key=lambda k: (list(Status).index(k[0]), list(Action).index(k[1])))


def test_the_table_reaches_every_status_and_every_open_status_can_move() -> None:
    from tests.geo.event.event_flow import shortest_paths

    assert set(shortest_paths()) == set(Status)
    for status in Status:
        assert bool(actions_from(status)) == status.is_open, status


def test_the_database_accepts_exactly_the_workflow_statuses(db: Session) -> None:
    definition = scalar(
        db,
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'ck_event_status'",
    )
    assert all(f"'{s.value}'" in str(definition) for s in Status)
    assert str(definition).count("'") == 2 * len(Status)
    assert all(s.value in STATUS_CHECK for s in Status)


# ---- every legal transition ----------------------------------------------------------------
@pytest.mark.parametrize(("source", "action"), LEGAL, ids=lambda v: str(v))
def test_a_legal_transition_moves_the_work_order_and_records_it(
    db: Session, actor_of: Callable[[str], Actor], at_status, source: Status, action: Action
) -> None:
    t = TRANSITIONS[(source, action)]
    event_id = at_status(source)
    actor = actor_of(performer(t))
    detail = service.transition(
        db, actor=actor, event_id=event_id, action=action, expected_status=source,
        **fields(db, t),
    )  # fmt: skip
    assert detail.status is t.target
    assert detail.is_open == t.target.is_open
    assert (detail.closed_at is not None) == (not t.target.is_open)
    last = detail.history[-1]
    assert (last.action, last.from_status, last.to_status) == (action, source, t.target)
    assert last.actor_id == actor.user_id
    assert last.opinion == fields(db, t).get("opinion")
    assert detail.history[0].action == "report"
    audit = db.execute(
        text("""SELECT actor_id, before, after, region_path FROM audit_log
                WHERE object_type = 'event' AND object_id = :id AND action = :a
                ORDER BY id DESC LIMIT 1"""),
        {"id": str(event_id), "a": f"event.{action.value}"},
    ).one()
    assert audit.actor_id == actor.user_id
    assert (audit.before["status"], audit.after["status"]) == (source, t.target)
    assert audit.region_path == scalar(
        db, "SELECT r.path FROM event e JOIN region r ON r.id = e.region_id WHERE e.id = :i",
        i=event_id,
    )  # fmt: skip


# ---- every illegal pair ------------------------------------------------------------------
@pytest.mark.parametrize("status", list(Status), ids=str)
def test_every_action_the_table_does_not_allow_is_refused_with_the_status(
    db: Session, actor_of: Callable[[str], Actor], at_status, status: Status
) -> None:
    event_id = at_status(status)
    admin = actor_of("admin")  # every permission: only the table can refuse
    refused = [a for a in Action if (status, a) not in TRANSITIONS]
    assert refused  # every status forbids something
    for action in refused:
        with pytest.raises(Conflict) as caught:
            service.transition(
                db, actor=admin, event_id=event_id, action=action, opinion=OPINION,
                user_id=user_id(db, "ys_handler"),
            )  # fmt: skip
        assert f"当前状态为“{status.label}”" in caught.value.detail, action
    assert service.get_event(db, actor=admin, event_id=event_id).status is status


def test_closing_a_work_order_never_dispatched_is_refused(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    event_id = at_status(Status.ACCEPTED)
    with pytest.raises(Conflict, match="已签收.*不能结案"):
        service.transition(db, actor=actor_of("ys_dispatcher"), event_id=event_id, action="close")


# ---- permissions and holders -------------------------------------------------------------
@pytest.mark.parametrize("action", list(Action), ids=str)
def test_an_actor_without_the_permission_gets_403(
    db: Session, actor_of: Callable[[str], Actor], report, action: Action
) -> None:
    event_id = report()
    leader = actor_of("ys_leader")  # may view work orders, not act on them
    assert leader.can("event.view") and not leader.can(ACTION_PERMISSIONS[action])
    with pytest.raises(Forbidden, match=ACTION_PERMISSIONS[action]):
        service.transition(db, actor=leader, event_id=event_id, action=action)


def test_feedback_by_someone_not_assigned_is_refused_with_the_assignee(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    event_id = at_status(Status.HANDLING)
    grid_member = actor_of("ys_grid")  # holds event.handle, but it is not theirs
    with pytest.raises(Forbidden, match="派给了杨舍城管办·李梅"):
        service.transition(
            db, actor=grid_member, event_id=event_id, action="feedback", opinion="已处理"
        )


def test_a_department_member_may_feed_back_for_their_department(
    db: Session, actor_of: Callable[[str], Actor], at_status, report, ids_of
) -> None:
    event_id = at_status(Status.ACCEPTED)
    dispatcher, handler = actor_of("ys_dispatcher"), actor_of("ys_handler")
    service.transition(
        db, actor=dispatcher, event_id=event_id, action="dispatch",
        department_id=handler.department_id,
    )  # fmt: skip
    assert handler.department_id in ids_of("杨舍城管办")
    service.transition(db, actor=handler, event_id=event_id, action="receive")
    done = service.transition(
        db, actor=handler, event_id=event_id, action="feedback", opinion="车辆已拖离"
    )
    assert done.status is Status.TO_CLOSE and done.assignee_department_name == "杨舍城管办"


@pytest.fixture
def ids_of(db: Session) -> Callable[[str], set[int]]:
    def departments(name: str) -> set[int]:
        rows = db.execute(text("SELECT id FROM department WHERE name = :n"), {"n": name})
        return {r[0] for r in rows}

    return departments


def test_only_the_verifier_submits_the_verification(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    event_id = at_status(Status.VERIFYING)
    with pytest.raises(Forbidden, match="核查任务派给了杨舍网格员"):
        service.transition(
            db, actor=actor_of("ys_handler"), event_id=event_id, action="verify", opinion="ok"
        )


def test_a_town_cannot_act_on_a_work_order_returned_to_the_district(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    event_id = at_status(Status.RETURNED)
    with pytest.raises(Forbidden, match="只有区指挥中心"):
        service.transition(
            db, actor=actor_of("ys_dispatcher"), event_id=event_id, action="cancel",
            opinion="重复上报",
        )  # fmt: skip


def test_required_fields_are_asked_for_by_name(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    dispatcher = actor_of("ys_dispatcher")
    claimed = at_status(Status.CLAIMED)
    with pytest.raises(EventRuleError, match="签收须填写意见"):
        service.transition(db, actor=dispatcher, event_id=claimed, action="sign", opinion="  ")
    accepted = at_status(Status.ACCEPTED)
    with pytest.raises(EventRuleError, match="二者选一"):
        service.transition(db, actor=dispatcher, event_id=accepted, action="dispatch")
    with pytest.raises(EventRuleError, match="没有“签收与处置反馈”的权限"):
        service.transition(
            db, actor=dispatcher, event_id=accepted, action="dispatch",
            user_id=user_id(db, "ys_clerk"),
        )  # fmt: skip
    with pytest.raises(NotFound, match="人员"):  # another town's handler: out of scope
        service.transition(
            db, actor=dispatcher, event_id=accepted, action="dispatch",
            user_id=user_id(db, "tq_handler"),
        )  # fmt: skip
    with pytest.raises(EventRuleError, match="不需要指定人员"):
        service.transition(
            db, actor=dispatcher, event_id=claimed, action="cancel", opinion="重复",
            user_id=user_id(db, "ys_handler"),
        )  # fmt: skip


def test_a_stale_expected_status_is_a_409_with_the_current_status(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    event_id = at_status(Status.CLAIMED)
    with pytest.raises(Conflict, match="当前状态为“已索取”"):
        service.transition(
            db, actor=actor_of("ys_dispatcher"), event_id=event_id, action="cancel",
            expected_status=Status.REPORTED, opinion="重复",
        )  # fmt: skip


# ---- reporting ---------------------------------------------------------------------------
def test_a_report_finds_its_grid_numbers_itself_and_gets_its_deadline(
    db: Session, actor_of: Callable[[str], Actor], report
) -> None:
    detail = service.get_event(db, actor=actor_of("ys_grid"), event_id=report())
    grid = scalar(
        db,
        "SELECT r.name FROM user_account u JOIN region r ON r.id = u.region_id "
        "WHERE u.username = 'ys_grid'",
    )
    assert detail.grid_name == grid and detail.town_name == "杨舍镇" and detail.community_name
    today = datetime.now(SHANGHAI)
    assert detail.event_no.startswith(f"SJ{today:%Y%m%d}") and len(detail.event_no) == 15
    assert detail.status is Status.REPORTED and detail.reporter_name == "杨舍网格员·周杰"
    # 0101 has a limit of working days: the deadline is the end of that working day.
    days = scalar(db, "SELECT default_days FROM event_category WHERE code = '0101'")
    expected = scalar(
        db,
        "SELECT day FROM calendar_day WHERE day > :d AND is_working ORDER BY day OFFSET :n LIMIT 1",
        d=today.date(),
        n=int(str(days)) - 1,
    )
    assert detail.deadline is not None
    assert detail.deadline.astimezone(SHANGHAI).date() == expected
    assert [h.action for h in detail.history] == ["report"]
    assert scalar(
        db, "SELECT count(*) FROM audit_log WHERE action = 'event.report' AND object_id = :i",
        i=str(detail.id),
    ) == 1  # fmt: skip


def test_two_reports_of_a_day_get_consecutive_numbers(db: Session, report, actor_of) -> None:
    admin = actor_of("admin")
    first, second = (service.get_event(db, actor=admin, event_id=report()) for _ in range(2))
    assert int(second.event_no[-5:]) == int(first.event_no[-5:]) + 1


def test_a_point_outside_every_grid_is_refused_with_a_reason(
    db: Session, actor_of: Callable[[str], Actor]
) -> None:
    data = EventCreate(title="测试", category_code="0101", lon=116.39, lat=39.91)
    with pytest.raises(EventRuleError, match="不在任何网格内"):
        service.report_event(db, actor=actor_of("admin"), data=data)


def test_a_report_outside_the_reporters_scope_is_refused(
    db: Session, actor_of: Callable[[str], Actor]
) -> None:
    lon, lat = grid_point(db, "tq_grid")
    data = EventCreate(title="测试", category_code="0101", lon=lon, lat=lat)
    with pytest.raises(EventRuleError, match="不在您的管辖范围内"):
        service.report_event(db, actor=actor_of("ys_grid"), data=data)


def test_a_parent_category_is_refused(db: Session, actor_of: Callable[[str], Actor]) -> None:
    lon, lat = grid_point(db)
    data = EventCreate(title="测试", category_code="01", lon=lon, lat=lat)
    with pytest.raises(EventRuleError, match="大类"):
        service.report_event(db, actor=actor_of("ys_grid"), data=data)


# ---- town isolation ------------------------------------------------------------------------
def test_a_town_neither_sees_nor_moves_the_other_towns_work_orders(
    db: Session, actor_of: Callable[[str], Actor], report
) -> None:
    tq_event = report("tq_grid")
    ys = actor_of("ys_dispatcher")
    with pytest.raises(NotFound):
        service.get_event(db, actor=ys, event_id=tq_event)
    with pytest.raises(NotFound):
        service.transition(db, actor=ys, event_id=tq_event, action="claim")
    page = service.list_events(db, actor=ys, statuses=[Status.REPORTED], limit=200)
    assert tq_event not in {e.id for e in page.items}
    assert all(e.town_name == "杨舍镇" for e in page.items)
    claimed = service.claim_events(db, actor=ys, count=50).claimed
    assert tq_event not in {e.id for e in claimed}
    tq = actor_of("tq_dispatcher")
    assert service.get_event(db, actor=tq, event_id=tq_event).status is Status.REPORTED


def test_claiming_takes_the_most_urgent_first_and_counts_the_pool(
    db: Session, actor_of: Callable[[str], Actor], report
) -> None:
    dispatcher = actor_of("ys_dispatcher")
    urgent = report(urgency=3)
    before = service.pool_count(db, actor=dispatcher)
    result = service.claim_events(db, actor=dispatcher, count=1)
    assert [e.id for e in result.claimed] == [urgent]
    assert result.claimed[0].claimed_by_id == dispatcher.user_id
    assert result.pool_left == before - 1
    mine = service.list_events(db, actor=dispatcher, mine=True, limit=200).items
    assert urgent in {e.id for e in mine}


# ---- concurrency (committed data, cleaned up) ----------------------------------------------
RACE_PREFIX = "TESTRACE"


@pytest.fixture
def committed_pool(demo_area) -> Iterator[list[int]]:  # noqa: ANN001
    """30 committed, unclaimed work orders in a grid of 杨舍镇; deleted afterwards."""
    with get_engine().begin() as conn:
        ids = list(
            conn.execute(
                text("""INSERT INTO event (event_no, title, category_code, status, source,
                            severity, urgency, reported_at, geom, region_id)
                        SELECT :p || n, '并发索取测试', '0101', 'reported', 'grid_member', 1, 3,
                               now(), r.label_point, r.id
                        FROM generate_series(1, 30) n,
                             (SELECT r.* FROM region r JOIN user_account u ON u.region_id = r.id
                              WHERE u.username = 'ys_grid') r
                        RETURNING id"""),
                {"p": RACE_PREFIX},
            ).scalars()
        )
    try:
        yield ids
    finally:
        with get_engine().begin() as conn:
            conn.execute(text("DELETE FROM event WHERE event_no LIKE :p"), {"p": RACE_PREFIX + "%"})


def test_concurrent_claims_never_take_the_same_work_order(committed_pool: list[int]) -> None:
    """Eight dispatchers claim at the same moment, each holding its claim until all have
    claimed (then rolled back: nothing is written)."""
    threads, each = 8, 3
    dispatcher = actor_named("ys_dispatcher")
    barrier = threading.Barrier(threads, timeout=30)

    def claim(_: int) -> list[int]:
        with Session(get_engine()) as session:
            got = service.claim_events(session, actor=dispatcher, count=each)
            barrier.wait()  # every claim is still uncommitted here
            session.rollback()
            return [e.id for e in got.claimed]

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(claim, range(threads)))
    claimed = [i for r in results for i in r]
    assert len(claimed) == threads * each  # the pool (30 + the demo's) was big enough
    assert len(set(claimed)) == len(claimed)


def test_two_people_acting_at_once_one_wins_the_other_gets_409(
    committed_pool: list[int],
) -> None:
    event_id = committed_pool[0]
    dispatcher = actor_named("ys_dispatcher")

    def cancel(session: Session) -> object:
        return service.transition(
            session, actor=dispatcher, event_id=event_id, action="cancel", opinion="重复上报"
        )

    def claim(session: Session) -> object:
        return service.transition(session, actor=dispatcher, event_id=event_id, action="claim")

    outcome = race(cancel, claim)
    assert isinstance(outcome, Conflict), outcome
    assert "当前状态为“已作废”" in outcome.detail


def test_a_returned_work_order_waits_on_the_district_centre(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    event_id = at_status(Status.RETURNED)
    center, ys = actor_of("center"), actor_of("ys_dispatcher")
    assert event_id in {
        e.id for e in service.list_events(db, actor=center, mine=True, limit=200).items
    }
    assert event_id not in {
        e.id for e in service.list_events(db, actor=ys, mine=True, limit=200).items
    }
    assert service.get_event(db, actor=center, event_id=event_id).actions == ["dispatch", "cancel"]
