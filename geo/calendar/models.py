"""One row per calendar day: its kind, whether people work, and the holiday's name."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base


class DayKind(StrEnum):
    WORKDAY = "workday"  # 工作日
    WEEKEND = "weekend"  # 周末
    HOLIDAY = "holiday"  # 法定节假日（含放假调休）
    MAKEUP_WORKDAY = "makeup_workday"  # 调休上班日

    @property
    def is_working(self) -> bool:
        return self in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)


class CalendarDay(Base):
    __tablename__ = "calendar_day"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('workday', 'weekend', 'holiday', 'makeup_workday')",
            name="ck_calendar_day_kind",
        ),
        # is_working is stored for cheap queries but can never disagree with kind.
        CheckConstraint(
            "is_working = (kind IN ('workday', 'makeup_workday'))",
            name="ck_calendar_day_is_working",
        ),
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    is_working: Mapped[bool] = mapped_column(Boolean, nullable=False)
    name: Mapped[str | None] = mapped_column(String(50))  # 春节、国庆节……；普通日为空
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
