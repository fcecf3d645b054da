"""The work-order process of an event (GM-1, GM-4, GM-5), as data.

Report → the town's pool → a sub-centre dispatcher claims it (索取工单) → signs it with an
opinion (签收) → dispatches it to a grid member or a department (派遣) — or returns it to
the district centre when it is outside the town's jurisdiction → the receiver signs
(接收) → handles it and feeds back (反馈) → the closing desk verifies: it may send a
verification task to a grid member (核查), send it back for rework (退回重办), or close it.

`TRANSITIONS` maps (status, action) to the next status, the permission the action needs,
who among the holders of that permission may act (`Holder`), and the fields the action
requires. `geo.event.service.transition` is the only writer of a status and reads
nothing but this table; the tests walk it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ACTION_LABELS",
    "ACTION_PERMISSIONS",
    "TRANSITIONS",
    "Action",
    "Category",
    "Field",
    "Holder",
    "STATUS_LABELS",
    "Status",
    "Transition",
    "actions_from",
    "find_transition",
]


class Category(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Status(StrEnum):
    """A work order's status; the first six values are those of the original table (the
    demo data, the tile colours and imports use them)."""

    REPORTED = "reported"  # in the town's pool, nobody holds it
    CLAIMED = "claimed"  # a dispatcher took it from the pool
    ACCEPTED = "accepted"  # the dispatcher signed it with an opinion
    RETURNED = "returned"  # outside the town's jurisdiction: the district centre decides
    DISPATCHED = "dispatched"  # waiting for the receiver to sign
    HANDLING = "handling"
    TO_CLOSE = "to_close"  # fed back; the closing desk decides
    VERIFYING = "verifying"  # a grid member checks on site
    REWORK = "rework"  # sent back to the receiver
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def category(self) -> Category:
        return Category.CLOSED if self in (Status.CLOSED, Status.CANCELLED) else Category.OPEN

    @property
    def is_open(self) -> bool:
        return self.category is Category.OPEN


STATUS_LABELS: dict[Status, str] = {
    Status.REPORTED: "待受理",
    Status.CLAIMED: "已索取",
    Status.ACCEPTED: "已签收",
    Status.RETURNED: "已退回区中心",
    Status.DISPATCHED: "已派遣",
    Status.HANDLING: "处置中",
    Status.TO_CLOSE: "待结案",
    Status.VERIFYING: "核查中",
    Status.REWORK: "退回重办",
    Status.CLOSED: "已结案",
    Status.CANCELLED: "已作废",
}


class Action(StrEnum):
    CLAIM = "claim"
    SIGN = "sign"
    DISPATCH = "dispatch"
    RETURN_TO_DISTRICT = "return_to_district"
    RECEIVE = "receive"
    FEEDBACK = "feedback"
    VERIFY_TASK = "verify_task"
    VERIFY = "verify"
    REWORK = "rework"
    CLOSE = "close"
    CANCEL = "cancel"


ACTION_LABELS: dict[Action, str] = {
    Action.CLAIM: "索取工单",
    Action.SIGN: "签收",
    Action.DISPATCH: "派遣",
    Action.RETURN_TO_DISTRICT: "退回区中心",
    Action.RECEIVE: "接收",
    Action.FEEDBACK: "处置反馈",
    Action.VERIFY_TASK: "发起核查",
    Action.VERIFY: "提交核查结果",
    Action.REWORK: "退回重办",
    Action.CLOSE: "结案",
    Action.CANCEL: "作废",
}


class Holder(StrEnum):
    """Who, among the actors holding the permission (and seeing the work order), may act."""

    ANYONE = "anyone"  # any permitted actor whose scope holds the work order
    CLAIMER = "claimer"  # the dispatcher who claimed it (or a district-wide dispatcher)
    ASSIGNEE = "assignee"  # the user it was dispatched to, or a member of that department
    VERIFIER = "verifier"  # the grid member who received the verification task
    DISTRICT = "district"  # the district centre (after a town returned it)


class Field(StrEnum):
    OPINION = "opinion"  # 意见 / 反馈内容 / 核查结果
    TARGET = "target"  # a user or a department (user_id / department_id)
    VERIFIER = "verifier"  # a user (user_id)


@dataclass(frozen=True)
class Transition:
    source: Status
    action: Action
    target: Status
    permission: str
    holder: Holder = Holder.ANYONE
    required: tuple[Field, ...] = ()


def _t(
    source: Status,
    action: Action,
    target: Status,
    permission: str,
    holder: Holder = Holder.ANYONE,
    *required: Field,
) -> Transition:
    return Transition(source, action, target, permission, holder, tuple(required))


S, A, H, F = Status, Action, Holder, Field
_DISPATCH, _HANDLE, _CLOSE = "event.dispatch", "event.handle", "event.close"

TRANSITIONS: dict[tuple[Status, Action], Transition] = {
    (t.source, t.action): t
    for t in (
        _t(S.REPORTED, A.CLAIM, S.CLAIMED, _DISPATCH),
        _t(S.CLAIMED, A.SIGN, S.ACCEPTED, _DISPATCH, H.CLAIMER, F.OPINION),
        _t(S.ACCEPTED, A.DISPATCH, S.DISPATCHED, _DISPATCH, H.CLAIMER, F.TARGET),
        _t(S.CLAIMED, A.RETURN_TO_DISTRICT, S.RETURNED, _DISPATCH, H.CLAIMER, F.OPINION),
        _t(S.ACCEPTED, A.RETURN_TO_DISTRICT, S.RETURNED, _DISPATCH, H.CLAIMER, F.OPINION),
        _t(S.RETURNED, A.DISPATCH, S.DISPATCHED, _DISPATCH, H.DISTRICT, F.OPINION, F.TARGET),
        _t(S.DISPATCHED, A.RECEIVE, S.HANDLING, _HANDLE, H.ASSIGNEE),
        _t(S.REWORK, A.RECEIVE, S.HANDLING, _HANDLE, H.ASSIGNEE),
        _t(S.HANDLING, A.FEEDBACK, S.TO_CLOSE, _HANDLE, H.ASSIGNEE, F.OPINION),
        _t(S.TO_CLOSE, A.VERIFY_TASK, S.VERIFYING, _CLOSE, H.ANYONE, F.VERIFIER),
        _t(S.VERIFYING, A.VERIFY, S.TO_CLOSE, _HANDLE, H.VERIFIER, F.OPINION),
        _t(S.TO_CLOSE, A.REWORK, S.REWORK, _CLOSE, H.ANYONE, F.OPINION),
        _t(S.TO_CLOSE, A.CLOSE, S.CLOSED, _CLOSE),
        _t(S.REPORTED, A.CANCEL, S.CANCELLED, _DISPATCH, H.ANYONE, F.OPINION),
        _t(S.CLAIMED, A.CANCEL, S.CANCELLED, _DISPATCH, H.CLAIMER, F.OPINION),
        _t(S.ACCEPTED, A.CANCEL, S.CANCELLED, _DISPATCH, H.CLAIMER, F.OPINION),
        _t(S.RETURNED, A.CANCEL, S.CANCELLED, _DISPATCH, H.DISTRICT, F.OPINION),
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


def find_transition(status: Status, action: Action) -> Transition | None:
    return TRANSITIONS.get((status, action))


def actions_from(status: Status) -> list[Action]:
    """The actions the table allows from `status`, in the order of `Action`."""
    return [a for a in Action if (status, a) in TRANSITIONS]
