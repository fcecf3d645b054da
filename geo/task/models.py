"""Tables of task dispatch (LE-9): the matter, its history and its files."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin, RegionLinkMixin, enum_check, geom_column, trigram_index


class TaskStatus(StrEnum):
    REGISTERED = "registered"  # 已登记, not yet sent
    AT_SQUAD = "at_squad"  # 待中队派发: sent to a squad, its leader picks the officer
    DISPATCHED = "dispatched"  # 待接收: sent to an officer
    HANDLING = "handling"  # 处理中: the officer received it
    FED_BACK = "fed_back"  # 已反馈: findings reported
    CONVERTED = "converted"  # 已转案件: turned into a case record
    CANCELLED = "cancelled"  # 已撤销


class AttachmentKind(StrEnum):
    MATTER = "matter"  # 登记附件
    FEEDBACK = "feedback"  # 反馈照片/附件


class EnforcementTask(IdMixin, RegionLinkMixin, Base):
    __tablename__ = "enforcement_task"
    __table_args__ = (
        UniqueConstraint("number", name="uq_enforcement_task_number"),
        CheckConstraint(enum_check("status", TaskStatus), name="ck_enforcement_task_status"),
        Index("ix_enforcement_task_assignee", "assignee_id", "status", "id"),
        Index("ix_enforcement_task_squad", "squad_id", "status", "id"),
        trigram_index("enforcement_task", "title"),
    )

    number: Mapped[str] = mapped_column(String(20), nullable=False)  # e.g. RW2026-000001
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    source: Mapped[str | None] = mapped_column(String(100))  # 交办来源, e.g. 区城管局
    address: Mapped[str | None] = mapped_column(String(200))
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=TaskStatus.REGISTERED)
    squad_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("squad.id", ondelete="RESTRICT")
    )
    assignee_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    findings: Mapped[str | None] = mapped_column(Text)  # 反馈: what the officer found
    case_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("case_record.id", ondelete="RESTRICT"), unique=True
    )
    created_by: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=False
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
    geom: Mapped[object] = geom_column("POINT")


class TaskAction(IdMixin, Base):
    """The history of a task: every transition, who, when, with what note."""

    __tablename__ = "enforcement_task_action"
    __table_args__ = (Index("ix_enforcement_task_action_task", "task_id", "id"),)

    task_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("enforcement_task.id", ondelete="CASCADE"), nullable=False
    )
    action: Mapped[str] = mapped_column(String(24), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=False
    )
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class TaskAttachment(IdMixin, Base):
    __tablename__ = "enforcement_task_attachment"
    __table_args__ = (
        Index("ix_enforcement_task_attachment_task", "task_id", "id"),
        CheckConstraint(
            enum_check("kind", AttachmentKind), name="ck_enforcement_task_attachment_kind"
        ),
    )

    task_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("enforcement_task.id", ondelete="CASCADE"), nullable=False
    )
    sha256: Mapped[str] = mapped_column(
        String(64), ForeignKey("stored_file.sha256", ondelete="RESTRICT"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    uploaded_by: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=False
    )
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
