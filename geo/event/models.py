"""Events (事件) and their category dictionary.

The work-order process that moves an event through its statuses comes with the dispatch
workflow; here are the table, the dictionary and the indexes every later screen relies on.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin, RegionLinkMixin, TimestampMixin, geom_column, trigram_index


class EventStatus(StrEnum):
    REPORTED = "reported"  # 已上报，待派遣
    DISPATCHED = "dispatched"  # 已派遣
    HANDLING = "handling"  # 处置中
    TO_CLOSE = "to_close"  # 待结案
    CLOSED = "closed"  # 已结案
    CANCELLED = "cancelled"  # 已作废


class EventSource(StrEnum):
    GRID_MEMBER = "grid_member"  # 网格员上报
    HOTLINE = "hotline"  # 12345 热线
    CAMERA = "camera"  # 视频发现
    PUBLIC = "public"  # 群众举报
    PATROL = "patrol"  # 执法巡查


class EventCategory(Base):
    """Category dictionary (after GB/T 30428.2): two levels, with a default time limit."""

    __tablename__ = "event_category"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    parent_code: Mapped[str | None] = mapped_column(
        String(16), ForeignKey("event_category.code", ondelete="RESTRICT")
    )
    default_days: Mapped[int | None] = mapped_column(SmallInteger)  # 处置时限（工作日）
    sort_order: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0)


class Event(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    __tablename__ = "event"
    __table_args__ = (
        trigram_index("event", "title"),
        trigram_index("event", "address"),
        trigram_index("event", "event_no"),
        CheckConstraint(
            "status IN ('reported', 'dispatched', 'handling', 'to_close', 'closed', 'cancelled')",
            name="ck_event_status",
        ),
        CheckConstraint(
            "source IN ('grid_member', 'hotline', 'camera', 'public', 'patrol')",
            name="ck_event_source",
        ),
        CheckConstraint("severity BETWEEN 1 AND 3", name="ck_event_severity"),
        CheckConstraint("urgency BETWEEN 1 AND 3", name="ck_event_urgency"),
        CheckConstraint("closed_at IS NULL OR closed_at >= reported_at", name="ck_event_closed"),
        Index("ix_event_reported_at", "reported_at"),
        Index("ix_event_status", "status"),
    )

    event_no: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)  # 事件编号
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    category_code: Mapped[str] = mapped_column(
        String(16),
        ForeignKey("event_category.code", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    )
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    severity: Mapped[int] = mapped_column(
        SmallInteger, nullable=False, default=1
    )  # 1 一般 … 3 重大
    urgency: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=1)  # 1 一般 … 3 特急
    address: Mapped[str | None] = mapped_column(String(200))
    reporter_name: Mapped[str | None] = mapped_column(String(50))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    geom: Mapped[object] = geom_column("POINT")
