"""The assignment process (DR-8), walked from `TRANSITIONS`: every legal move works for a
member of the team and is audited, every other (status, action) answers 409; only the
team acts (403 for others who may see it, 404 for those who may not); saving keeps the
assignment confirmed; submitting checks completeness and computes the verdict; two
people acting at once: one wins, the other gets 409."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.db import get_engine
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.inspection import tasks
from geo.inspection.models import AssignmentStatus
from geo.inspection.task_schemas import MineView, ResultLine, ResultsBody
from geo.inspection.task_workflow import (
    TRANSITIONS,
    Action,
    Status,
    TaskRuleError,
    actions_from,
    is_open,
)
from geo.parameter.service import set_parameter
from tests.conftest import scalar
from tests.geo.inspection.inspection_scene import Scene, make_scene, submit_all
from tests.geo.org.racing import actor_named, race

LEGAL = sorted(TRANSITIONS, key=lambda k: (list(Status).index(k[0]), list(Action).index(k[1])))
ILLEGAL = [(s, a) for s in Status for a in Action if (s, a) not in TRANSITIONS]
ActorOf = Callable[[str], Actor]


@pytest.fixture
def scene(db: Session) -> Scene:
    return make_scene(db)


def _at(db: Session, scene: Scene, officer: Actor, status: Status) -> int:
    """An assignment brought to `status` through the service."""
    a = scene.assignment()
    if status is not Status.TO_CONFIRM:
        tasks.confirm_assignment(db, actor=officer, assignment_id=a.id)
    if status is Status.SUBMITTED:
        body = ResultsBody(results=scene.lines())
        tasks.submit_results(db, actor=officer, assignment_id=a.id, body=body)
    return a.id


def _act(
    db: Session, actor: Actor, assignment_id: int, action: Action, scene: Scene, **kw: Any
) -> Any:
    if action is Action.CONFIRM:
        return tasks.confirm_assignment(db, actor=actor, assignment_id=assignment_id, **kw)
    body = ResultsBody(results=scene.lines(), **kw)
    if action is Action.SAVE:
        return tasks.save_results(db, actor=actor, assignment_id=assignment_id, body=body)
    return tasks.submit_results(db, actor=actor, assignment_id=assignment_id, body=body).assignment


# ---- the table ---------------------------------------------------------------------------
def test_the_table_starts_at_to_confirm_and_ends_at_submitted() -> None:
    reached = {Status.TO_CONFIRM} | {t.target for t in TRANSITIONS.values()}
    assert reached == set(Status)
    assert actions_from(Status.SUBMITTED) == []
    assert [is_open(s) for s in Status] == [True, True, False]
    assert all(t.permission == "inspection.perform" for t in TRANSITIONS.values())


def test_the_database_accepts_exactly_the_workflow_statuses(db: Session) -> None:
    definition = str(
        scalar(
            db,
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conname = 'ck_inspection_assignment_status'",
        )
    )
    assert all(f"'{s.value}'" in definition for s in Status)
    assert definition.count("'") == 2 * len(Status)


@pytest.mark.parametrize(("source", "action"), LEGAL, ids=str)
def test_a_legal_action_moves_the_assignment_and_is_audited(
    db: Session, scene: Scene, actor_of: ActorOf, source: Status, action: Action
) -> None:
    # ys_squad (a team member who does not lead) acts: any member may.
    officer, squad = actor_of("ys_officer"), actor_of("ys_squad")
    assignment_id = _at(db, scene, officer, source)
    detail = _act(db, squad, assignment_id, action, scene, expected_status=source)
    target = TRANSITIONS[(source, action)].target
    assert detail.status is target
    assert detail.actions == actions_from(target)
    audit = db.execute(
        text("""SELECT actor_id, before, after, region_path::text AS path FROM audit_log
                WHERE object_type = 'inspection_assignment' AND object_id = :id
                  AND action = :a ORDER BY id DESC LIMIT 1"""),
        {"id": str(assignment_id), "a": f"inspection.assignment_{action.value}"},
    ).one()
    assert audit.actor_id == squad.user_id
    assert (audit.before["status"], audit.after["status"]) == (source.value, target.value)
    assert audit.path.endswith("320582100000")


@pytest.mark.parametrize(("source", "action"), ILLEGAL, ids=str)
def test_every_other_action_is_refused_with_409(
    db: Session, scene: Scene, actor_of: ActorOf, source: Status, action: Action
) -> None:
    officer = actor_of("ys_officer")
    assignment_id = _at(db, scene, officer, source)
    with pytest.raises(Conflict, match="不能"):
        _act(db, officer, assignment_id, action, scene)
    assert tasks.get_assignment(db, actor=officer, assignment_id=assignment_id).status is source


def test_a_stale_expected_status_is_409(db: Session, scene: Scene, actor_of: ActorOf) -> None:
    officer = actor_of("ys_officer")
    assignment_id = _at(db, scene, officer, Status.CONFIRMED)
    with pytest.raises(Conflict, match="当前状态为“已确认”"):
        tasks.confirm_assignment(
            db, actor=officer, assignment_id=assignment_id, expected_status=Status.TO_CONFIRM
        )


# ---- who may see, who may act ------------------------------------------------------------
def test_someone_in_scope_but_off_the_team_sees_read_only_and_may_not_act(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    legal = actor_of("ys_legal")  # inspection.view in 杨舍镇, not on the team
    outsider = replace(legal, permissions=legal.permissions | {"inspection.perform"})
    a = scene.assignment()
    detail = tasks.get_assignment(db, actor=outsider, assignment_id=a.id)
    assert (detail.on_team, detail.actions) == (False, [])
    with pytest.raises(Forbidden, match="不在该任务的检查组内"):
        tasks.confirm_assignment(db, actor=outsider, assignment_id=a.id)
    assert tasks.list_my_assignments(db, actor=outsider, view=MineView.ALL).items == []


def test_another_town_neither_sees_nor_acts_on_the_assignment(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    tq = actor_of("tq_officer")
    task_id = scene.assignment().task_id
    assignment_id = scene.assignment().id
    with pytest.raises(NotFound):
        tasks.get_assignment(db, actor=tq, assignment_id=assignment_id)
    with pytest.raises(NotFound):
        tasks.confirm_assignment(db, actor=tq, assignment_id=assignment_id)
    with pytest.raises(NotFound):
        tasks.get_task(db, actor=tq, task_id=task_id)
    assert task_id not in {t.id for t in tasks.list_tasks(db, actor=tq, limit=200).items}
    ys = actor_of("ys_legal")
    assert task_id in {t.id for t in tasks.list_tasks(db, actor=ys, limit=200).items}


def test_a_team_member_from_elsewhere_still_works_on_the_assignment(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    """The team decides, not the region: a 塘桥镇 officer put on the team may act."""
    tq = actor_of("tq_officer")
    a = scene.assignment()
    db.execute(
        text(
            "INSERT INTO assignment_officer (assignment_id, user_id, is_leader) "
            "VALUES (:a, :u, false)"
        ),
        {"a": a.id, "u": tq.user_id},
    )
    detail = tasks.confirm_assignment(db, actor=tq, assignment_id=a.id)
    assert detail.status is Status.CONFIRMED and detail.on_team


# ---- saving ------------------------------------------------------------------------------
def test_saving_keeps_the_assignment_confirmed_and_stores_partial_results(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    officer = actor_of("ys_officer")
    assignment_id = _at(db, scene, officer, Status.CONFIRMED)
    first, second, third = scene.check_list.contents
    body = ResultsBody(
        results=[ResultLine(content_id=first.id, score=7, passed=True, remark=" 已公示 ")],
        note="部分检查",
    )
    detail = tasks.save_results(db, actor=officer, assignment_id=assignment_id, body=body)
    assert detail.status is Status.CONFIRMED and detail.note == "部分检查"
    lines = {line.content_id: line for item in detail.check_list for line in item.lines}
    assert (lines[first.id].score, lines[first.id].remark) == (7, "已公示")
    assert lines[second.id].score is None and lines[third.id].score is None
    # A second save changes one line and leaves the rest and the note alone.
    body = ResultsBody(results=[ResultLine(content_id=first.id, score=9, passed=True)])
    detail = tasks.save_results(db, actor=officer, assignment_id=assignment_id, body=body)
    lines = {line.content_id: line for item in detail.check_list for line in item.lines}
    assert lines[first.id].score == 9 and lines[first.id].remark is None
    assert detail.note == "部分检查"
    assert [i.name for i in detail.check_list] == ["证照公示", "环境卫生"]
    assert [line.critical for i in detail.check_list for line in i.lines] == [False, True, False]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            lambda s: ResultLine(content_id=s.check_list.contents[0].id, score=11, passed=True),
            "0～10",
        ),
        (lambda s: ResultLine(content_id=2**40, score=1, passed=True), "不在本任务的检查清单"),
    ],
    ids=["score-out-of-range", "unknown-content"],
)
def test_a_bad_line_is_refused_with_422(
    db: Session, scene: Scene, actor_of: ActorOf, line: Callable[[Scene], ResultLine], message: str
) -> None:
    officer = actor_of("ys_officer")
    assignment_id = _at(db, scene, officer, Status.CONFIRMED)
    body = ResultsBody(results=[line(scene)])
    with pytest.raises(TaskRuleError, match=message):
        tasks.save_results(db, actor=officer, assignment_id=assignment_id, body=body)


def test_a_line_sent_twice_is_refused(db: Session, scene: Scene, actor_of: ActorOf) -> None:
    officer = actor_of("ys_officer")
    assignment_id = _at(db, scene, officer, Status.CONFIRMED)
    line = scene.lines()[0]
    with pytest.raises(TaskRuleError, match="重复"):
        tasks.save_results(
            db, actor=officer, assignment_id=assignment_id, body=ResultsBody(results=[line, line])
        )


def test_a_content_of_another_category_is_not_on_the_check_list(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    from tests.factories import make_inspection_check_list

    other = make_inspection_check_list(db, code="T98").contents[0]
    officer = actor_of("ys_officer")
    assignment_id = _at(db, scene, officer, Status.CONFIRMED)
    body = ResultsBody(results=[ResultLine(content_id=other.id, score=1, passed=True)])
    with pytest.raises(TaskRuleError, match="不在本任务的检查清单"):
        tasks.save_results(db, actor=officer, assignment_id=assignment_id, body=body)


# ---- submitting --------------------------------------------------------------------------
def test_submitting_with_lines_missing_names_them(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    officer = actor_of("ys_officer")
    assignment_id = _at(db, scene, officer, Status.CONFIRMED)
    body = ResultsBody(results=scene.lines()[:1])
    with pytest.raises(TaskRuleError, match="尚未评分：证照公示·第2项、环境卫生·第1项$"):
        tasks.submit_results(db, actor=officer, assignment_id=assignment_id, body=body)


def _verdict(
    db: Session, scene: Scene, officer: Actor, scores: list[int], passed: list[bool]
) -> Any:
    lines = [
        ResultLine(content_id=c.id, score=s, passed=p)
        for c, s, p in zip(scene.check_list.contents, scores, passed, strict=True)
    ]
    return submit_all(db, officer, scene.assignment().id, lines)


@pytest.mark.parametrize(
    ("scores", "passed", "expected"),
    [
        ([10, 10, 10], [True, True, True], True),
        ([6, 6, 6], [True, True, True], True),  # 18 ≥ 0.6 × 30 exactly
        ([6, 6, 5], [True, True, False], False),  # 17 < 18
        ([10, 10, 10], [True, False, True], False),  # 否决项 failed, full marks or not
        ([10, 10, 0], [True, True, False], True),  # an ordinary line failed, total enough
    ],
)
def test_the_verdict_needs_the_pass_line_and_no_failed_critical_line(
    db: Session, scene: Scene, actor_of: ActorOf, scores: list[int], passed: list[bool],
    expected: bool,
) -> None:  # fmt: skip
    outcome = _verdict(db, scene, actor_of("ys_officer"), scores, passed)
    assert outcome.passed is expected
    assert (outcome.score, outcome.max_score, outcome.pass_score) == (sum(scores), 30, 18.0)
    assert outcome.critical_failed == ([] if passed[1] else ["证照公示·第2项"])
    stored = outcome.assignment
    assert (stored.status, stored.score, stored.max_score, stored.passed) == (
        Status.SUBMITTED, sum(scores), 30, expected,
    )  # fmt: skip
    assert stored.submitted_by_name and stored.submitted_at is not None


def test_a_region_override_of_the_pass_ratio_applies(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    set_parameter(db, key="inspection.pass_ratio", value=0.8, region_id=scene.town_id)
    outcome = _verdict(db, scene, actor_of("ys_officer"), [8, 8, 7], [True] * 3)
    assert (outcome.pass_score, outcome.passed) == (24.0, False)


def test_submitted_results_are_final(db: Session, scene: Scene, actor_of: ActorOf) -> None:
    officer = actor_of("ys_officer")
    assignment_id = _at(db, scene, officer, Status.SUBMITTED)
    body = ResultsBody(
        results=[ResultLine(content_id=scene.check_list.contents[0].id, score=0, passed=False)]
    )
    with pytest.raises(Conflict, match="已提交"):
        tasks.save_results(db, actor=officer, assignment_id=assignment_id, body=body)
    line = (
        tasks.get_assignment(db, actor=officer, assignment_id=assignment_id).check_list[0].lines[0]
    )
    assert line.score == 10


# ---- views -------------------------------------------------------------------------------
def test_my_views_split_open_and_completed(db: Session, scene: Scene, actor_of: ActorOf) -> None:
    officer = actor_of("ys_squad")
    leader = actor_of("ys_officer")
    ids = {s: _at(db, scene, leader, s) for s in Status}

    def mine(view: MineView) -> set[int]:
        return {a.id for a in tasks.list_my_assignments(db, actor=officer, view=view).items}

    assert mine(MineView.OPEN) == {ids[Status.TO_CONFIRM], ids[Status.CONFIRMED]}
    assert mine(MineView.COMPLETED) == {ids[Status.SUBMITTED]}
    assert mine(MineView.ALL) == set(ids.values())
    row = tasks.list_my_assignments(db, actor=officer, view=MineView.COMPLETED).items[0]
    assert row.leader_name.startswith("杨舍执法队员")
    assert [m.is_leader for m in row.team] == [True, False]
    # Keyset pages: one at a time, newest first, nothing twice.
    seen, cursor = [], None
    while True:
        page = tasks.list_my_assignments(
            db, actor=officer, view=MineView.ALL, cursor=cursor, limit=1
        )
        seen += [a.id for a in page.items]
        if not (cursor := page.next_cursor):
            break
    assert seen == sorted(ids.values(), reverse=True)


def test_a_task_shows_the_progress_of_its_assignments(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    from tests.factories import make_inspection_task

    officer = actor_of("ys_officer")
    task, assignments = make_inspection_task(
        db, item_category_id=scene.check_list.category.id,
        enterprise_ids=[scene.object() for _ in range(3)], team=[scene.officer, scene.squad],
        created_by=scene.admin, region_id=scene.town_id,
    )  # fmt: skip
    tasks.confirm_assignment(db, actor=officer, assignment_id=assignments[1].id)
    submit_all(db, officer, assignments[2].id, scene.lines())
    detail = tasks.get_task(db, actor=actor_of("ys_legal"), task_id=task.id)
    counts = detail.task.model_dump(
        include={"total", "to_confirm", "confirmed", "submitted", "passed", "failed"}
    )
    assert counts == {
        "total": 3,
        "to_confirm": 1,
        "confirmed": 1,
        "submitted": 1,
        "passed": 1,
        "failed": 0,
    }
    assert [a.status for a in detail.assignments] == [
        AssignmentStatus.TO_CONFIRM, AssignmentStatus.CONFIRMED, AssignmentStatus.SUBMITTED,
    ]  # fmt: skip
    listed = next(
        t for t in tasks.list_tasks(db, actor=officer, limit=200).items if t.id == task.id
    )
    assert (listed.total, listed.submitted) == (3, 1)


# ---- two people at once (committed data, cleaned up) -------------------------------------
@pytest.fixture
def committed_assignment() -> Iterator[int]:
    """One committed assignment to confirm; everything it left is deleted afterwards."""
    with Session(get_engine()) as session:
        scene = make_scene(session, code="T97")
        assignment = scene.assignment()
        ids = (
            assignment.id,
            assignment.task_id,
            assignment.enterprise_id,
            scene.check_list.category.id,
        )
        session.commit()
    try:
        yield ids[0]
    finally:
        with get_engine().begin() as conn:
            conn.execute(text("DELETE FROM inspection_task WHERE id = :id"), {"id": ids[1]})
            conn.execute(text("DELETE FROM enterprise WHERE id = :id"), {"id": ids[2]})
            conn.execute(
                text("DELETE FROM inspection_item WHERE category_id = :id"), {"id": ids[3]}
            )
            conn.execute(
                text("DELETE FROM inspection_item_category WHERE id = :id"), {"id": ids[3]}
            )


def test_two_members_confirming_at_once_one_wins_the_other_gets_409(
    committed_assignment: int,
) -> None:
    officer, squad = actor_named("ys_officer"), actor_named("ys_squad")

    def confirm(actor: Actor) -> Callable[[Session], object]:
        return lambda s: tasks.confirm_assignment(
            s, actor=actor, assignment_id=committed_assignment,
            expected_status=Status.TO_CONFIRM,
        )  # fmt: skip

    outcome = race(confirm(officer), confirm(squad))
    assert isinstance(outcome, Conflict), outcome
    with Session(get_engine()) as s:
        detail = tasks.get_assignment(s, actor=officer, assignment_id=committed_assignment)
    assert detail.status is Status.CONFIRMED


def test_two_members_submitting_at_once_one_wins_and_the_list_moves_once(
    committed_assignment: int,
) -> None:
    officer, squad = actor_named("ys_officer"), actor_named("ys_squad")
    with Session(get_engine()) as s:
        tasks.confirm_assignment(s, actor=officer, assignment_id=committed_assignment)
        contents = [
            line.content_id
            for item in tasks.get_assignment(
                s, actor=officer, assignment_id=committed_assignment
            ).check_list
            for line in item.lines
        ]
        s.commit()
    body = ResultsBody(
        expected_status=Status.CONFIRMED,
        results=[ResultLine(content_id=c, score=10, passed=True) for c in contents],
    )

    def submit(actor: Actor) -> Callable[[Session], object]:
        return lambda s: tasks.submit_results(
            s, actor=actor, assignment_id=committed_assignment, body=body
        )

    outcome = race(submit(officer), submit(squad))
    assert isinstance(outcome, Conflict), outcome
    assert "已提交" in outcome.detail
    with get_engine().connect() as conn:
        moves = conn.execute(
            text("SELECT count(*) FROM risk_list_move WHERE assignment_id = :a"),
            {"a": committed_assignment},
        ).scalar()
    assert moves == 1
