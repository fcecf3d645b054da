"""The review of a daily attendance report, as data.

pending ─approve→ approved (final)
pending ─reject→  rejected ─approve→ approved

A rejected day can be re-reviewed once: the member explains (a work order that took them
out of their grid, a phone without a fix) and a reviewer approves it with an opinion
saying why. An approved day is final — the monthly summary and what follows from it must
not change behind the member's back. Days are reviewed once they are over (from the next
day on): a day still under way may receive further check-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ACTION_LABELS", "STATUS_LABELS", "TRANSITIONS", "Action", "Status", "Transition"]

REVIEW_PERMISSION = "attendance.review"


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


STATUS_LABELS: dict[Status, str] = {
    Status.PENDING: "待审核",
    Status.APPROVED: "已通过",
    Status.REJECTED: "已驳回",
}
ACTION_LABELS: dict[Action, str] = {Action.APPROVE: "审核通过", Action.REJECT: "驳回"}


@dataclass(frozen=True)
class Transition:
    source: Status
    action: Action
    target: Status
    opinion_required: bool


TRANSITIONS: dict[tuple[Status, Action], Transition] = {
    (t.source, t.action): t
    for t in (
        Transition(Status.PENDING, Action.APPROVE, Status.APPROVED, opinion_required=False),
        Transition(Status.PENDING, Action.REJECT, Status.REJECTED, opinion_required=True),
        # Re-review of a rejected day: the opinion records why the decision changed.
        Transition(Status.REJECTED, Action.APPROVE, Status.APPROVED, opinion_required=True),
    )
}


def actions_from(status: Status) -> list[Action]:
    return [action for (source, action) in TRANSITIONS if source is status]
