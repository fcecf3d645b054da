"""Task dispatch (LE-9) walked from its table: every legal transition moves the task and
writes history and audit rows; every other action answers 409; the wrong person 403 or
404; only the squad's leader re-dispatches; converting registers exactly one case linked
both ways; two officers receiving at once: one wins."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.db import get_engine
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.task import service
from geo.task.errors import TaskRuleError
from geo.task.schemas import TaskCreate, TaskView
from geo.task.workflow import ACTION_PERMISSIONS, TRANSITIONS, Action, Status, actions_from, is_open
from tests.conftest import scalar
from tests.geo.org.racing import actor_named, race
from tests.geo.task.task_flow import (
    fields,
    grid_point,
    new_task,
    performer,
    shortest_paths,
    user_id,
)

LEGAL = sorted(TRANSITIONS, key=lambda k: (list(Status).index(k[0]), list(Action).index(k[1])))
ILLEGAL = [(s, a) for s in Status for a in Action if (s, a) not in TRANSITIONS]


@pytest.fixture
def at_status(db: Session, actor_of: Callable[[str], Actor]) -> Callable[[Status], int]:
    """A new task of 杨舍镇 brought to `status` along the table's shortest path."""

    def bring(status: Status) -> int:
        task_id = new_task(db, actor_of("ys_squad"))
        for t in shortest_paths()[status]:
            service.transition(
                db, actor=actor_of(performer(t)), task_id=task_id, action=t.action,
                expected_status=t.source, **fields(db, t),
            )  # fmt: skip
        return task_id

    return bring


def test_the_table_reaches_every_status_and_open_ones_can_move() -> None:
    assert set(shortest_paths()) == set(Status)
    for status in Status:
        assert bool(actions_from(status)) == is_open(status), status


def test_the_database_accepts_exactly_the_workflow_statuses(db: Session) -> None:
    definition = str(
        scalar(
            db,
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conname = 'ck_enforcement_task_status'",
        )
    )
    assert all(f"'{s.value}'" in definition for s in Status)


@pytest.mark.parametrize(("source", "action"), LEGAL, ids=str)
def test_a_legal_transition_moves_the_task_and_records_it(
    db: Session, actor_of: Callable[[str], Actor], at_status, source: Status, action: Action
) -> None:
    t = TRANSITIONS[(source, action)]
    task_id = at_status(source)
    detail = service.transition(
        db, actor=actor_of(performer(t)), task_id=task_id, action=action,
        expected_status=source, **fields(db, t),
    )  # fmt: skip
    assert detail.status is t.target
    assert detail.history[-1].action == action.value
    assert detail.history[-1].from_status == source.value
    audited = scalar(
        db,
        "SELECT count(*) FROM audit_log WHERE object_type = 'enforcement_task' "
        "AND object_id = :id AND action = :a",
        id=str(task_id), a=f"task.{action.value}",
    )  # fmt: skip
    assert audited == 1


@pytest.mark.parametrize(("source", "action"), ILLEGAL, ids=str)
def test_an_action_the_table_does_not_allow_is_a_conflict(
    db: Session, actor_of: Callable[[str], Actor], at_status, source: Status, action: Action
) -> None:
    task_id = at_status(source)
    admin = actor_of("admin")  # every permission: only the table can refuse
    with pytest.raises(Conflict):
        service.transition(db, actor=admin, task_id=task_id, action=action, expected_status=source)
    assert service.get_task(db, actor=admin, task_id=task_id).status is source


def test_a_stale_expected_status_is_a_conflict(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    task_id = at_status(Status.DISPATCHED)
    with pytest.raises(Conflict, match="待接收"):
        service.transition(
            db, actor=actor_of("ys_officer"), task_id=task_id, action=Action.RECEIVE,
            expected_status=Status.REGISTERED,
        )  # fmt: skip


def test_each_action_declares_one_permission() -> None:
    assert ACTION_PERMISSIONS[Action.REDISPATCH] == "task.redispatch"
    assert ACTION_PERMISSIONS[Action.CONVERT] == "case.register"
    assert ACTION_PERMISSIONS[Action.RECEIVE] == "task.perform"


# ---- who may act -------------------------------------------------------------------------
def test_only_the_assignee_receives(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    task_id = at_status(Status.DISPATCHED)
    squad_leader = actor_of("ys_squad")  # task.perform, same town, not the assignee
    with pytest.raises(Forbidden, match="派给了"):
        service.transition(
            db, actor=squad_leader, task_id=task_id, action=Action.RECEIVE,
            expected_status=Status.DISPATCHED,
        )  # fmt: skip


def test_another_town_does_not_even_see_the_task(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    task_id = at_status(Status.AT_SQUAD)
    for username in ("tq_squad", "tq_officer"):
        with pytest.raises(NotFound):
            service.get_task(db, actor=actor_of(username), task_id=task_id)
    with pytest.raises(NotFound):
        service.transition(
            db, actor=actor_of("tq_squad"), task_id=task_id, action=Action.REDISPATCH,
            expected_status=Status.AT_SQUAD, user_id=user_id(db, "ys_officer"),
        )  # fmt: skip
    listed = service.list_tasks(db, actor=actor_of("tq_squad"), limit=200).items
    assert task_id not in {t.id for t in listed}


def test_only_the_squads_own_leader_redispatches(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    task_id = at_status(Status.AT_SQUAD)
    # Holds task.redispatch in 杨舍镇, but does not lead 杨舍第一中队.
    other_leader = replace(actor_of("ys_squad"), user_id=user_id(db, "ys_admin"))
    with pytest.raises(Forbidden, match="只有该中队的中队长"):
        service.transition(
            db, actor=other_leader, task_id=task_id, action=Action.REDISPATCH,
            expected_status=Status.AT_SQUAD, user_id=user_id(db, "ys_officer"),
        )  # fmt: skip
    with pytest.raises(Forbidden):  # an officer of the squad: no task.redispatch
        service.transition(
            db, actor=actor_of("ys_officer"), task_id=task_id, action=Action.REDISPATCH,
            expected_status=Status.AT_SQUAD, user_id=user_id(db, "ys_officer"),
        )  # fmt: skip
    done = service.transition(
        db, actor=actor_of("ys_squad"), task_id=task_id, action=Action.REDISPATCH,
        expected_status=Status.AT_SQUAD, user_id=user_id(db, "ys_officer"),
    )  # fmt: skip
    assert done.status is Status.DISPATCHED and done.assignee_id == user_id(db, "ys_officer")


def test_a_squad_task_goes_only_to_that_squads_officers(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    task_id = at_status(Status.AT_SQUAD)
    db.execute(text("UPDATE user_account SET squad_id = NULL WHERE username = 'ys_officer'"))
    with pytest.raises(TaskRuleError, match="不是"):
        service.transition(
            db, actor=actor_of("ys_squad"), task_id=task_id, action=Action.REDISPATCH,
            expected_status=Status.AT_SQUAD, user_id=user_id(db, "ys_officer"),
        )  # fmt: skip


def test_an_officer_of_another_town_cannot_be_sent_the_task(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    task_id = at_status(Status.REGISTERED)
    with pytest.raises(NotFound):  # outside the dispatcher's scope: not even named
        service.transition(
            db, actor=actor_of("ys_squad"), task_id=task_id, action=Action.SEND_TO_OFFICER,
            expected_status=Status.REGISTERED, user_id=user_id(db, "tq_officer"),
        )  # fmt: skip
    with pytest.raises(TaskRuleError, match="接收与反馈任务"):  # no task.perform
        service.transition(
            db, actor=actor_of("ys_squad"), task_id=task_id, action=Action.SEND_TO_OFFICER,
            expected_status=Status.REGISTERED, user_id=user_id(db, "ys_grid"),
        )  # fmt: skip


def test_required_fields_are_required(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    handling = at_status(Status.HANDLING)
    officer = actor_of("ys_officer")
    with pytest.raises(TaskRuleError, match="现场核查情况"):
        service.transition(
            db, actor=officer, task_id=handling, action=Action.FEEDBACK,
            expected_status=Status.HANDLING, findings=None,
        )  # fmt: skip
    with pytest.raises(TaskRuleError, match="案件信息"):
        service.transition(
            db, actor=officer, task_id=handling, action=Action.CONVERT,
            expected_status=Status.HANDLING,
        )  # fmt: skip
    registered = at_status(Status.REGISTERED)
    with pytest.raises(TaskRuleError, match="原因"):
        service.transition(
            db, actor=actor_of("ys_squad"), task_id=registered, action=Action.CANCEL,
            expected_status=Status.REGISTERED,
        )  # fmt: skip


# ---- converting into a case --------------------------------------------------------------
def test_converting_registers_exactly_one_case_linked_both_ways(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    from geo.case.service import get_case

    task_id = at_status(Status.HANDLING)
    before = scalar(db, "SELECT count(*) FROM case_record")
    t = TRANSITIONS[(Status.HANDLING, Action.CONVERT)]
    officer = actor_of("ys_officer")
    detail = service.transition(
        db, actor=officer, task_id=task_id, action=Action.CONVERT,
        expected_status=Status.HANDLING, **fields(db, t),
    )  # fmt: skip
    assert scalar(db, "SELECT count(*) FROM case_record") == before + 1
    assert detail.status is Status.CONVERTED and detail.case_id is not None
    assert detail.case_number is not None and detail.case_number.startswith("AJ")
    case = get_case(db, actor=officer, case_id=detail.case_id)
    assert case.task_id == task_id and case.task_number == detail.number
    assert case.procedure == "general" and case.source == "superior"  # the default source
    assert (case.lon, case.lat) == pytest.approx((detail.lon, detail.lat))
    assert case.region_id == detail.region_id
    with pytest.raises(NotFound):  # another town does not see the case either
        get_case(db, actor=actor_of("tq_officer"), case_id=detail.case_id)
    with pytest.raises(Conflict):  # converted once: a second time is not in the table
        service.transition(
            db, actor=officer, task_id=task_id, action=Action.CONVERT,
            expected_status=Status.CONVERTED, **fields(db, t),
        )  # fmt: skip
    assert scalar(db, "SELECT count(*) FROM case_record") == before + 1


# ---- registering and lists ---------------------------------------------------------------
def test_a_task_is_filed_in_the_grid_of_its_point(
    db: Session, actor_of: Callable[[str], Actor]
) -> None:
    task_id = new_task(db, actor_of("ys_squad"))
    detail = service.get_task(db, actor=actor_of("ys_squad"), task_id=task_id)
    grid = scalar(db, "SELECT region_id FROM user_account WHERE username = 'ys_grid'")
    assert detail.region_id == grid and detail.number.startswith("RW")
    assert detail.history[0].action == "register"


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("swapped", "经纬度顺序颠倒"),
        ("other_town", "不在您的管辖范围内"),
        ("abroad", "不在辖区范围内"),
    ],
)
def test_a_point_is_validated_at_the_door(
    db: Session, actor_of: Callable[[str], Actor], where: str, message: str
) -> None:
    lon, lat = grid_point(db, "ys_grid")
    if where == "swapped":
        lon, lat = lat, lon
    elif where == "other_town":
        lon, lat = grid_point(db, "tq_grid")
    else:
        lon, lat = 116.4, 39.9  # Beijing
    with pytest.raises(TaskRuleError, match=message):
        service.register_task(
            db, actor=actor_of("ys_squad"),
            data=TaskCreate(title="t", description="d", lon=lon, lat=lat),
        )  # fmt: skip


def test_the_views_list_what_belongs_to_them(
    db: Session, actor_of: Callable[[str], Actor], at_status
) -> None:
    at_squad = at_status(Status.AT_SQUAD)
    dispatched = at_status(Status.DISPATCHED)
    leader, officer = actor_of("ys_squad"), actor_of("ys_officer")

    def ids(actor: Actor, view: TaskView) -> set[int]:
        return {t.id for t in service.list_tasks(db, actor=actor, view=view, limit=200).items}

    assert {at_squad, dispatched} <= ids(leader, TaskView.REGISTERED_BY_ME)
    assert at_squad in ids(leader, TaskView.MY_SQUAD) and dispatched not in ids(
        leader, TaskView.MY_SQUAD
    )
    assert dispatched in ids(officer, TaskView.MINE) and at_squad not in ids(officer, TaskView.MINE)
    with pytest.raises(Forbidden):  # 全部 is for dispatchers
        service.list_tasks(db, actor=officer, view=TaskView.ALL)
    with pytest.raises(NotFound):  # an officer reads only what was sent to them
        service.get_task(db, actor=officer, task_id=at_squad)


def test_lists_page_by_keyset(db: Session, actor_of: Callable[[str], Actor]) -> None:
    leader = actor_of("ys_squad")
    made = [new_task(db, leader, title=f"分页测试{i}") for i in range(5)]
    first = service.list_tasks(db, actor=leader, keyword="分页测试", limit=2)
    second = service.list_tasks(
        db, actor=leader, keyword="分页测试", limit=2, cursor=first.next_cursor
    )
    third = service.list_tasks(
        db, actor=leader, keyword="分页测试", limit=2, cursor=second.next_cursor
    )
    seen = [t.id for page in (first, second, third) for t in page.items]
    assert seen == sorted(made, reverse=True) and third.next_cursor is None


# ---- concurrency (committed data, cleaned up) --------------------------------------------
@pytest.fixture
def committed_dispatched(demo_area) -> Iterator[int]:  # noqa: ANN001
    """A committed task of 杨舍镇 dispatched to ys_officer; deleted afterwards."""
    with get_engine().begin() as conn:
        task_id = conn.execute(
            text("""INSERT INTO enforcement_task (number, title, description, status,
                        assignee_id, created_by, geom, region_id)
                    SELECT 'RWRACE-' || floor(random() * 1e9)::text, '并发接收测试', '并发',
                           'dispatched', o.id, s.id, r.label_point, r.id
                    FROM user_account o, user_account s, user_account g
                    JOIN region r ON r.id = g.region_id
                    WHERE o.username = 'ys_officer' AND s.username = 'ys_squad'
                      AND g.username = 'ys_grid'
                    RETURNING id""")
        ).scalar_one()
    yield int(task_id)
    with get_engine().begin() as conn:
        conn.execute(text("DELETE FROM enforcement_task WHERE id = :id"), {"id": task_id})


def test_two_receives_at_once_one_wins(committed_dispatched: int) -> None:
    officer = actor_named("ys_officer")

    def receive(session: Session) -> object:
        return service.transition(
            session, actor=officer, task_id=committed_dispatched, action=Action.RECEIVE,
            expected_status=Status.DISPATCHED,
        )  # fmt: skip

    outcome = race(receive, receive)
    assert isinstance(outcome, Conflict), outcome
    assert "处理中" in outcome.detail
    with Session(get_engine()) as s:
        received = s.execute(
            text("SELECT count(*) FROM enforcement_task_action WHERE task_id = :id "
                 "AND action = 'receive'"),
            {"id": committed_dispatched},
        ).scalar_one()  # fmt: skip
    assert received == 1
