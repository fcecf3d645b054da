"""Use cases of inspection tasks (DR-8): my assignments, the tasks of a scope, the task
form, and the three actions of `task_workflow.TRANSITIONS` (confirm, save, submit).

Who sees an assignment: its team, and holders of `inspection.view` whose region subtree
holds the task; anyone else gets 404, so ids reveal nothing. Who acts: only a member of
the team (403 for someone who sees it without being on the team). Every action is one
guarded `UPDATE … WHERE status = :expected` (two clicks, two team members: one wins, the
other gets 409), written with an audit row in the caller's transaction. Submitting also
updates the object's red / white / black standing (`geo.inspection.lists`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.core.scope import path_within
from geo.enterprise.models import RiskList
from geo.inspection import lists
from geo.inspection import task_queries as q
from geo.inspection.list_schemas import LIST_LABELS
from geo.inspection.task_schemas import (
    MAX_PAGE,
    AssignmentDetail,
    AssignmentPage,
    AssignmentPhotoRead,
    AssignmentRow,
    CheckItem,
    CheckLine,
    MineView,
    ObjectCard,
    ResultLine,
    ResultsBody,
    SubmitOutcome,
    TaskDetail,
    TaskPage,
    TaskRow,
)
from geo.inspection.task_workflow import (
    ACTION_LABELS,
    PERMISSION,
    STATUS_LABELS,
    Action,
    Status,
    TaskRuleError,
    Transition,
    actions_from,
    find_transition,
)
from geo.parameter.service import get_parameter

__all__ = [
    "check_may_act",
    "confirm_assignment",
    "get_assignment",
    "get_task",
    "list_my_assignments",
    "list_tasks",
    "save_results",
    "submit_results",
    "visible_assignment",
]

VIEW_STATUSES: dict[MineView, tuple[Status, ...]] = {
    MineView.OPEN: (Status.TO_CONFIRM, Status.CONFIRMED),
    MineView.COMPLETED: (Status.SUBMITTED,),
    MineView.ALL: tuple(Status),
}
MISSING_SHOWN = 10  # missing lines named in a refusal before "等 N 项"


# ---- reading -----------------------------------------------------------------------------
def list_my_assignments(
    session: Session, *, actor: Actor, view: MineView = MineView.OPEN,
    cursor: str | None = None, limit: int = 50,
) -> AssignmentPage:  # fmt: skip
    """检查任务: the assignments whose team holds the actor, newest first."""
    actor.require(PERMISSION)
    _check_limit(limit)
    rows = q.my_assignment_rows(
        session, user_id=actor.user_id, statuses=[s.value for s in VIEW_STATUSES[view]],
        after_id=lists.after_id(cursor), limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    return AssignmentPage(
        items=_assignment_reads(session, page),
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


def list_tasks(
    session: Session, *, actor: Actor, keyword: str | None = None, cursor: str | None = None,
    limit: int = 50,
) -> TaskPage:  # fmt: skip
    """抽查任务: the tasks of the actor's region subtree with their progress."""
    actor.require("inspection.view")
    _check_limit(limit)
    rows = q.task_rows(
        session, actor=actor, keyword=(keyword or "").strip() or None,
        after_id=lists.after_id(cursor), limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    counts = q.progress(session, task_ids=[r.id for r in page])
    return TaskPage(
        items=[_task_read(r, counts.get(r.id)) for r in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


def get_task(session: Session, *, actor: Actor, task_id: int) -> TaskDetail:
    actor.require("inspection.view")
    row = q.task_row(session, actor=actor, task_id=task_id)
    if row is None:
        raise NotFound(f"未找到抽查任务（编号 {task_id}），或不在您的管辖范围内")
    counts = q.progress(session, task_ids=[task_id])
    assignments = q.task_assignment_rows(session, task_id=task_id)
    return TaskDetail(
        task=_task_read(row, counts.get(task_id)),
        assignments=_assignment_reads(session, assignments),
    )


def get_assignment(session: Session, *, actor: Actor, assignment_id: int) -> AssignmentDetail:
    """The task form: object card, team, check list with saved results, note, photos and
    the actions the actor may take now."""
    row, on_team = visible_assignment(session, actor=actor, assignment_id=assignment_id)
    return _detail(session, actor=actor, row=row, on_team=on_team)


def _detail(session: Session, *, actor: Actor, row: Row[Any], on_team: bool) -> AssignmentDetail:
    status = Status(row.status)
    obj = q.object_row(session, enterprise_id=row.enterprise_id)
    may_act = on_team and actor.can(PERMISSION)
    values = {k: v for k, v in row._mapping.items() if k not in ("region_path", "enterprise_id")}
    return AssignmentDetail(
        **values,
        status_label=STATUS_LABELS[status],
        object=ObjectCard(**obj._mapping, risk_list_label=LIST_LABELS[RiskList(obj.risk_list)]),
        team=q.teams(session, assignment_ids=[row.id]).get(row.id, []),
        on_team=on_team,
        check_list=_check_list(session, category_id=row.item_category_id, assignment_id=row.id),
        photos=photo_reads(session, assignment_id=row.id),
        actions=actions_from(status) if may_act else [],
    )


def _check_list(session: Session, *, category_id: int, assignment_id: int) -> list[CheckItem]:
    items: dict[int, CheckItem] = {}
    for r in q.check_list_rows(session, category_id=category_id, assignment_id=assignment_id):
        item = items.get(r.item_id)
        if item is None:
            item = items[r.item_id] = CheckItem(
                item_id=r.item_id, code=r.code, name=r.name, basis=r.basis, method=r.method,
                lines=[],
            )  # fmt: skip
        item.lines.append(
            CheckLine(
                content_id=r.content_id, seq=r.seq, content=r.content, max_score=r.max_score,
                critical=r.critical, score=r.score, passed=r.passed, remark=r.remark,
            )
        )  # fmt: skip
    return list(items.values())


def photo_reads(
    session: Session, *, assignment_id: int, photo_ids: Sequence[int] = ()
) -> list[AssignmentPhotoRead]:
    return [
        AssignmentPhotoRead(
            **r._mapping, url=f"/api/v1/inspection/assignments/{assignment_id}/photos/{r.id}"
        )
        for r in q.photo_rows(session, assignment_id=assignment_id, photo_ids=photo_ids)
    ]


def _assignment_reads(session: Session, rows: Sequence[Row[Any]]) -> list[AssignmentRow]:
    teams = q.teams(session, assignment_ids=[r.id for r in rows])
    return [
        AssignmentRow(
            **r._mapping, status_label=STATUS_LABELS[Status(r.status)], team=teams.get(r.id, [])
        )
        for r in rows
    ]


def _task_read(row: Row[Any], counts: dict[str, int] | None) -> TaskRow:
    zero = dict.fromkeys(("total", "to_confirm", "confirmed", "submitted", "passed", "failed"), 0)
    values: dict[str, Any] = {k: v for k, v in row._mapping.items() if k != "region_path"}
    return TaskRow(**values | (counts or zero))


def visible_assignment(
    session: Session, *, actor: Actor, assignment_id: int
) -> tuple[Row[Any], bool]:
    """The assignment and whether the actor is on its team; 404 when they may not see it."""
    row = q.assignment_row(session, assignment_id=assignment_id)
    if row is not None:
        on_team = q.is_on_team(session, assignment_id=assignment_id, user_id=actor.user_id)
        if on_team or (actor.can("inspection.view") and _in_scope(actor, row.region_path)):
            return row, on_team
    raise NotFound(f"未找到检查任务（编号 {assignment_id}），或您不在该任务的检查组内")


def _in_scope(actor: Actor, region_path: str | None) -> bool:
    if actor.is_district_wide:
        return True
    return region_path is not None and path_within(region_path, actor.region_path)


# ---- acting ------------------------------------------------------------------------------
def confirm_assignment(
    session: Session, *, actor: Actor, assignment_id: int, expected_status: Status | None = None
) -> AssignmentDetail:
    """确认接收: a member of the team accepts the assignment for the whole team."""
    row, t = _check_action(session, actor, assignment_id, Action.CONFIRM, expected_status)
    _move(session, row=row, t=t, values={"confirmed_by": actor.user_id, "confirmed_at": func.now()})
    _audit(session, actor=actor, row=row, t=t)
    return get_assignment(session, actor=actor, assignment_id=assignment_id)


def save_results(
    session: Session, *, actor: Actor, assignment_id: int, body: ResultsBody
) -> AssignmentDetail:
    """保存: some or all results and the note; the assignment stays confirmed."""
    row, t = _check_action(session, actor, assignment_id, Action.SAVE, body.expected_status)
    lines = _checked_lines(session, row=row, given=body.results)
    _move(session, row=row, t=t, values=_note(body))
    q.upsert_results(session, assignment_id=row.id, lines=lines)
    _audit(session, actor=actor, row=row, t=t, after={"lines": len(lines), **_note(body)})
    return get_assignment(session, actor=actor, assignment_id=assignment_id)


def submit_results(
    session: Session, *, actor: Actor, assignment_id: int, body: ResultsBody
) -> SubmitOutcome:
    """提交: with any last changes, every check content must be scored; the verdict is
    computed, the results become final and the object's list standing is updated."""
    row, t = _check_action(session, actor, assignment_id, Action.SUBMIT, body.expected_status)
    lines = _checked_lines(session, row=row, given=body.results)
    # Hold the row first (status unchanged): what is read below is what gets submitted.
    _move(session, row=row, t=find_transition(Status.CONFIRMED, Action.SAVE), values=_note(body))
    q.upsert_results(session, assignment_id=row.id, lines=lines)
    verdict = _verdict(session, row=row)
    _move(session, row=row, t=t, values={
        "score": verdict.score, "max_score": verdict.max_score, "passed": verdict.passed,
        "submitted_by": actor.user_id, "submitted_at": func.now(),
    })  # fmt: skip
    _audit(session, actor=actor, row=row, t=t, after={
        "score": verdict.score, "max_score": verdict.max_score, "passed": verdict.passed,
    })  # fmt: skip
    change = lists.apply_result(
        session, actor=actor, enterprise_id=row.enterprise_id, passed=verdict.passed,
        assignment_id=row.id,
    )  # fmt: skip
    return SubmitOutcome(
        assignment=get_assignment(session, actor=actor, assignment_id=assignment_id),
        passed=verdict.passed, score=verdict.score, max_score=verdict.max_score,
        pass_score=verdict.pass_score, critical_failed=verdict.critical_failed,
        list_change=change,
    )  # fmt: skip


def check_may_act(session: Session, *, actor: Actor, assignment_id: int, what: str) -> Row[Any]:
    """The assignment, if the actor is on its team and it is confirmed (photos)."""
    actor.require(PERMISSION)
    row, on_team = visible_assignment(session, actor=actor, assignment_id=assignment_id)
    if not on_team:
        raise Forbidden(f"您不在该任务的检查组内，不能{what}")
    if Status(row.status) is not Status.CONFIRMED:
        raise Conflict(f"检查任务当前状态为“{STATUS_LABELS[Status(row.status)]}”，不能{what}")
    return row


def _check_action(
    session: Session, actor: Actor, assignment_id: int, action: Action, expected: Status | None
) -> tuple[Row[Any], Transition]:
    actor.require(PERMISSION)
    row, on_team = visible_assignment(session, actor=actor, assignment_id=assignment_id)
    if not on_team:
        raise Forbidden(f"您不在该任务的检查组内，不能{ACTION_LABELS[action]}")
    current = Status(row.status)
    if expected is not None and Status(expected) is not current:
        raise _changed(current)
    t = find_transition(current, action)
    if t is None:
        allowed = "、".join(ACTION_LABELS[a] for a in actions_from(current)) or "无（已提交）"
        raise Conflict(
            f"检查任务当前状态为“{STATUS_LABELS[current]}”，不能{ACTION_LABELS[action]}；"
            f"此状态可进行的操作：{allowed}"
        )
    return row, t


def _changed(current: Status) -> Conflict:
    return Conflict(
        f"检查任务已被检查组其他成员处理，当前状态为“{STATUS_LABELS[current]}”，请刷新后再操作"
    )


def _move(session: Session, *, row: Row[Any], t: Transition | None, values: dict[str, Any]) -> None:
    assert t is not None
    values = {**values, "status": t.target.value}
    if not q.guarded_update(session, assignment_id=row.id, source=t.source.value, values=values):
        now = q.current_status(session, assignment_id=row.id)
        raise _changed(Status(now)) if now else NotFound(f"检查任务（编号 {row.id}）已不存在")


def _note(body: ResultsBody) -> dict[str, Any]:
    return {} if body.note is None else {"note": body.note.strip() or None}


def _audit(
    session: Session,
    *,
    actor: Actor,
    row: Row[Any],
    t: Transition,
    after: dict[str, Any] | None = None,
) -> None:
    record(
        session, action=f"inspection.assignment_{t.action.value}",
        object_type="inspection_assignment", object_id=row.id,
        before={"status": t.source.value}, after={"status": t.target.value, **(after or {})},
        region_path=row.region_path, **actor.audit_fields(),
    )  # fmt: skip


def _checked_lines(
    session: Session, *, row: Row[Any], given: Sequence[ResultLine]
) -> list[dict[str, Any]]:
    """The sent lines, each a content of the check list scored within its range."""
    contents = {
        r.content_id: r
        for r in q.check_list_rows(session, category_id=row.item_category_id, assignment_id=row.id)
    }
    seen: set[int] = set()
    for line in given:
        content = contents.get(line.content_id)
        if content is None:
            raise TaskRuleError(f"检查内容（编号 {line.content_id}）不在本任务的检查清单中")
        if line.content_id in seen:
            raise TaskRuleError(f"“{_label(content)}”重复填写了两次")
        seen.add(line.content_id)
        if line.score > content.max_score:
            raise TaskRuleError(
                f"“{_label(content)}”的得分应在 0～{content.max_score} 之间，收到 {line.score}"
            )
    return [line.model_dump() for line in given]


def _label(content: Row[Any]) -> str:
    return f"{content.name}·第{content.seq}项"


@dataclass(frozen=True)
class Verdict:
    score: int
    max_score: int
    pass_score: float
    passed: bool
    critical_failed: list[str]


def _verdict(session: Session, *, row: Row[Any]) -> Verdict:
    """Passed: no 否决项 failed and score ≥ inspection.pass_ratio × max (422 when a line of
    the check list is not scored yet)."""
    lines = q.check_list_rows(session, category_id=row.item_category_id, assignment_id=row.id)
    if not lines:
        raise TaskRuleError("该检查类别下没有启用的检查内容，无法提交，请联系管理员维护检查事项")
    missing = [_label(r) for r in lines if r.score is None]
    if missing:
        shown = "、".join(missing[:MISSING_SHOWN])
        more = f"等 {len(missing)} 项" if len(missing) > MISSING_SHOWN else ""
        raise TaskRuleError(f"以下检查内容尚未评分：{shown}{more}")
    score = sum(r.score for r in lines)
    max_score = sum(r.max_score for r in lines)
    # The object's region: the pass line may be overridden there, like the list rules.
    region_id = q.object_region_id(session, enterprise_id=row.enterprise_id)
    ratio = float(get_parameter(session, key="inspection.pass_ratio", region_id=region_id))
    pass_score = round(ratio * max_score, 6)
    critical_failed = [_label(r) for r in lines if r.critical and not r.passed]
    passed = not critical_failed and score >= pass_score
    return Verdict(score, max_score, pass_score, passed, critical_failed)


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise TaskRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
