"""The process of a dispatched task (任务下派, LE-9), as data.

Registered (登记) → sent to an officer (派给队员) → received (接收) → fed back (反馈) or
converted into a case (转为案件); or registered → sent to a squad (转中队) → the squad's
leader re-dispatches it to one of the officers (中队转派). Before anyone received it, the
dispatcher may cancel it with a reason.

`TRANSITIONS` maps (status, action) to the next status, the permission the action needs,
who among the holders may act (`Holder`) and the fields it requires.
`geo.task.service.transition` is the only writer of a status; the tests walk the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from geo.task.models import TaskStatus as Status

__all__ = [
    "ACTION_LABELS",
    "ACTION_PERMISSIONS",
    "STATUS_LABELS",
    "TRANSITIONS",
    "Action",
    "Field",
    "Holder",
    "Status",
    "Transition",
    "actions_from",
    "is_open",
]

STATUS_LABELS: dict[Status, str] = {
    Status.REGISTERED: "已登记",
    Status.AT_SQUAD: "待中队派发",
    Status.DISPATCHED: "待接收",
    Status.HANDLING: "处理中",
    Status.FED_BACK: "已反馈",
    Status.CONVERTED: "已转案件",
    Status.CANCELLED: "已撤销",
}
CLOSED = frozenset({Status.FED_BACK, Status.CONVERTED, Status.CANCELLED})


def is_open(status: Status) -> bool:
    return status not in CLOSED


class Action(StrEnum):
    SEND_TO_OFFICER = "send_to_officer"
    SEND_TO_SQUAD = "send_to_squad"
    REDISPATCH = "redispatch"
    RECEIVE = "receive"
    FEEDBACK = "feedback"
    CONVERT = "convert"
    CANCEL = "cancel"


ACTION_LABELS: dict[Action, str] = {
    Action.SEND_TO_OFFICER: "派给队员",
    Action.SEND_TO_SQUAD: "转中队派发",
    Action.REDISPATCH: "中队转派",
    Action.RECEIVE: "接收",
    Action.FEEDBACK: "反馈",
    Action.CONVERT: "转为案件",
    Action.CANCEL: "撤销",
}


class Holder(StrEnum):
    """Who, among the permitted actors who see the task, may act."""

    ANYONE = "anyone"  # any holder of the permission whose scope holds the task
    SQUAD_LEADER = "squad_leader"  # the leader of the task's squad (or the district)
    ASSIGNEE = "assignee"  # the officer the task was sent to


class Field(StrEnum):
    OFFICER = "officer"  # user_id of the officer
    SQUAD = "squad"  # squad_id
    FINDINGS = "findings"  # 反馈：what was found on site
    REASON = "reason"  # 撤销原因
    CASE = "case"  # the case registration (procedure, title, facts …)


@dataclass(frozen=True)
class Transition:
    source: Status
    action: Action
    target: Status
    permission: str
    holder: Holder = Holder.ANYONE
    required: tuple[Field, ...] = ()


def _t(
    source: Status, action: Action, target: Status, permission: str,
    holder: Holder = Holder.ANYONE, *required: Field,
) -> Transition:  # fmt: skip
    return Transition(source, action, target, permission, holder, tuple(required))


S, A, H, F = Status, Action, Holder, Field
_DISPATCH, _PERFORM = "task.dispatch", "task.perform"

TRANSITIONS: dict[tuple[Status, Action], Transition] = {
    (t.source, t.action): t
    for t in (
        _t(S.REGISTERED, A.SEND_TO_OFFICER, S.DISPATCHED, _DISPATCH, H.ANYONE, F.OFFICER),
        _t(S.REGISTERED, A.SEND_TO_SQUAD, S.AT_SQUAD, _DISPATCH, H.ANYONE, F.SQUAD),
        _t(S.AT_SQUAD, A.REDISPATCH, S.DISPATCHED, "task.redispatch", H.SQUAD_LEADER, F.OFFICER),
        _t(S.DISPATCHED, A.RECEIVE, S.HANDLING, _PERFORM, H.ASSIGNEE),
        _t(S.HANDLING, A.FEEDBACK, S.FED_BACK, _PERFORM, H.ASSIGNEE, F.FINDINGS),
        _t(S.HANDLING, A.CONVERT, S.CONVERTED, "case.register", H.ASSIGNEE, F.CASE),
        _t(S.REGISTERED, A.CANCEL, S.CANCELLED, _DISPATCH, H.ANYONE, F.REASON),
        _t(S.AT_SQUAD, A.CANCEL, S.CANCELLED, _DISPATCH, H.ANYONE, F.REASON),
        _t(S.DISPATCHED, A.CANCEL, S.CANCELLED, _DISPATCH, H.ANYONE, F.REASON),
    )
}


def _permission_of_each_action() -> dict[Action, str]:
    """One permission per action, whatever the status: a route declares it up front."""
    out: dict[Action, str] = {}
    for t in TRANSITIONS.values():
        if out.setdefault(t.action, t.permission) != t.permission:
            raise ValueError(f"动作 {t.action} 在不同状态下需要不同的权限")
    missing = set(Action) - set(out)
    if missing:
        raise ValueError(f"动作 {sorted(missing)} 没有任何流转")
    return out


ACTION_PERMISSIONS: dict[Action, str] = _permission_of_each_action()


def actions_from(status: Status) -> list[Action]:
    """The actions the table allows from `status`, in the order of `Action`."""
    return [a for a in Action if (status, a) in TRANSITIONS]
