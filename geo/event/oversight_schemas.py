"""What the supervision (督办) and extension (延期) API reads and writes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

MAX_REPLY_HOURS = 72
MAX_REPLY_DAYS = 10
MAX_EXTENSION_DAYS = 60


class ReplyUnit(StrEnum):
    HOURS = "hours"  # 工作小时
    DAYS = "days"  # 工作日


class Box(StrEnum):
    RECEIVED = "received"
    SENT = "sent"


class ExtensionStatus(StrEnum):
    REQUESTED = "requested"  # 待一级审核（镇分中心）
    FIRST_APPROVED = "first_approved"  # 待二级审核（区指挥中心）
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return EXTENSION_LABELS[self]


EXTENSION_LABELS = {
    ExtensionStatus.REQUESTED: "待一级审核",
    ExtensionStatus.FIRST_APPROVED: "待二级审核",
    ExtensionStatus.APPROVED: "已批准",
    ExtensionStatus.REJECTED: "未批准",
}


class SupervisionCreate(BaseModel):
    """A supervision message and its reply time limit (working hours or working days)."""

    message: str = Field(min_length=1, max_length=2000)
    reply_unit: ReplyUnit = ReplyUnit.HOURS
    reply_amount: int = Field(ge=1, le=MAX_REPLY_HOURS)


class SupervisionReply(BaseModel):
    reply: str = Field(min_length=1, max_length=2000)


class SupervisionRead(BaseModel):
    id: int
    event_id: int
    event_no: str
    event_title: str
    event_status: str
    sender_id: int
    sender_name: str
    message: str
    sent_at: datetime
    reply_unit: ReplyUnit
    reply_amount: int
    reply_deadline: datetime
    receiver_user_id: int | None
    receiver_user_name: str | None
    receiver_department_id: int | None
    receiver_department_name: str | None
    reply: str | None
    replied_at: datetime | None
    replied_by_name: str | None
    # Working hours until the reply deadline, negative when overdue; null once replied.
    remaining_hours: float | None
    overdue: bool  # unreplied past the deadline, or replied after it


class ExtensionCreate(BaseModel):
    days: int = Field(ge=1, le=MAX_EXTENSION_DAYS, description="延期工作日数")
    reason: str = Field(min_length=1, max_length=2000)


class ExtensionReview(BaseModel):
    approve: bool
    opinion: str | None = Field(default=None, max_length=2000)
    # The request's status the reviewer saw; reviewed meanwhile by someone else: 409.
    expected_status: ExtensionStatus | None = None


class ExtensionRead(BaseModel):
    id: int
    event_id: int
    event_no: str
    event_title: str
    event_deadline: datetime | None
    days: int
    reason: str
    status: ExtensionStatus
    status_label: str
    requested_by_id: int
    requested_by_name: str
    requested_at: datetime
    first_reviewer_name: str | None
    first_opinion: str | None
    first_reviewed_at: datetime | None
    second_reviewer_name: str | None
    second_opinion: str | None
    second_reviewed_at: datetime | None
    old_deadline: datetime | None
    new_deadline: datetime | None
