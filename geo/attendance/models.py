"""Check-ins (签到) and daily reports (考勤日报) of grid members.

A check-in keeps the position as sent, the GPS accuracy, the verdict and what it was
based on (the nearest covered grid, the distance to it, the allowance applied), so a
verdict can be explained later even if the parameters or the grids change. The daily
report is one row per member and working day (Asia/Shanghai), kept up to date by the
check-ins and decided by a reviewer; its `region_id` (the grid of the day's first
check-in) is what the reviewers' data scope filters on.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from geo.attendance.workflow import Status
from geo.core.db import Base
from geo.core.models import IdMixin, geom_column


class Verdict(StrEnum):
    IN_GRID = "in_grid"
    OUT_OF_GRID = "out_of_grid"
    LOW_ACCURACY = "low_accuracy"  # recorded, not counted

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self]


VERDICT_LABELS = {
    Verdict.IN_GRID: "网格内",
    Verdict.OUT_OF_GRID: "网格外",
    Verdict.LOW_ACCURACY: "精度不足，不计入",
}


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v.value}'" for v in values) + ")"


class AttendanceDay(IdMixin, Base):
    __tablename__ = "attendance_day"
    __table_args__ = (
        UniqueConstraint("user_id", "work_day", name="uq_attendance_day_user_day"),
        CheckConstraint(_in("status", Status), name="ck_attendance_day_status"),
        # The reviewers' list: one day, newest rows first (keyset on work_day, id).
        Index("ix_attendance_day_day_id", "work_day", "id"),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=False
    )
    work_day: Mapped[date] = mapped_column(Date, nullable=False)
    region_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("region.id", ondelete="RESTRICT"), index=True, nullable=False
    )
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    in_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    out_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    low_accuracy_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=Status.PENDING.value)
    reviewer_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    reviewer_name: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opinion: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class AttendanceCheckIn(IdMixin, Base):
    __tablename__ = "attendance_check_in"
    __table_args__ = (
        CheckConstraint(_in("verdict", Verdict), name="ck_attendance_check_in_verdict"),
        CheckConstraint("accuracy_m > 0", name="ck_attendance_check_in_accuracy"),
        # A retried submission (the phone lost the answer) is recognised, not doubled.
        UniqueConstraint("user_id", "client_ref", name="uq_attendance_check_in_client_ref"),
    )

    day_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("attendance_day.id", ondelete="CASCADE"), index=True,
        nullable=False,
    )  # fmt: skip
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=False
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    geom = geom_column("Point")
    accuracy_m: Mapped[float] = mapped_column(Float, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(16), nullable=False)
    grid_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("region.id", ondelete="RESTRICT"), nullable=False
    )  # the nearest grid the member covers
    distance_m: Mapped[float] = mapped_column(Float, nullable=False)  # 0 inside the grid
    allowance_m: Mapped[float] = mapped_column(Float, nullable=False)  # tolerance + accuracy
    client_ref: Mapped[str | None] = mapped_column(String(64))
