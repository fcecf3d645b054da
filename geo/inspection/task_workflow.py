"""The process of one inspection assignment (DR-8), as data.

An assignment waits for its team to accept it (待确认); once confirmed the team fills the
check list, saving as often as they like (the status stays 已确认); submitting makes the
results final and moves the object between the red / white / black lists (DR-6).

`TRANSITIONS` maps (status, action) to the next status and the permission the action
needs; who may act among the holders is always a member of the assignment's team.
`geo.inspection.tasks` is the only writer of a status and reads nothing but this table;
the tests walk it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from geo.core.errors import DomainError
from geo.inspection.models import AssignmentStatus

__all__ = [
    "ACTION_LABELS",
    "PERMISSION",
    "STATUS_LABELS",
    "TRANSITIONS",
    "Action",
    "Status",
    "TaskRuleError",
    "Transition",
    "actions_from",
    "find_transition",
]

Status = AssignmentStatus


class TaskRuleError(DomainError):
    """A result breaks a rule of the form (unknown line, score out of range, not scored)."""

    code = "AssignmentRuleError"
    status = 422


PERMISSION = "inspection.perform"

STATUS_LABELS: dict[Status, str] = {
    Status.TO_CONFIRM: "待确认",
    Status.CONFIRMED: "已确认",
    Status.SUBMITTED: "已提交",
}


class Action(StrEnum):
    CONFIRM = "confirm"  # 确认接收
    SAVE = "save"  # 保存检查结果（仍为已确认）
    SUBMIT = "submit"  # 提交：结果定稿，更新红黑库


ACTION_LABELS: dict[Action, str] = {
    Action.CONFIRM: "确认接收",
    Action.SAVE: "保存",
    Action.SUBMIT: "提交",
}


@dataclass(frozen=True)
class Transition:
    source: Status
    action: Action
    target: Status
    permission: str = PERMISSION


TRANSITIONS: dict[tuple[Status, Action], Transition] = {
    (t.source, t.action): t
    for t in (
        Transition(Status.TO_CONFIRM, Action.CONFIRM, Status.CONFIRMED),
        Transition(Status.CONFIRMED, Action.SAVE, Status.CONFIRMED),
        Transition(Status.CONFIRMED, Action.SUBMIT, Status.SUBMITTED),
    )
}


def find_transition(status: Status, action: Action) -> Transition | None:
    return TRANSITIONS.get((status, action))


def actions_from(status: Status) -> list[Action]:
    """The actions the table allows from `status`, in the order of `Action`."""
    return [a for a in Action if (status, a) in TRANSITIONS]


def is_open(status: Status) -> bool:
    """未完成 (to confirm or confirmed) rather than 已完成 (submitted)."""
    return bool(actions_from(status))
