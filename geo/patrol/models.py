"""Patrols: the routes (巡查路线) grid members and officers walk, and the patrol plans of law
enforcement (巡检任务, LE-8) with their assignments and check-ins."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin, RegionLinkMixin, TimestampMixin, geom_column


class PatrolKind(StrEnum):
    DAILY = "daily"  # 日常巡查
    SPECIAL = "special"  # 专项巡查


class PatrolRoute(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    __tablename__ = "patrol_route"
    __table_args__ = (CheckConstraint("kind IN ('daily', 'special')", name="ck_patrol_route_kind"),)

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    length_m: Mapped[float] = mapped_column(Float, nullable=False)
    geom: Mapped[object] = geom_column("LINESTRING")


class PlanKind(StrEnum):
    DAILY = "daily"  # 日常巡检: recurring patrols of named officers
    SPECIAL = (
        "special"  # 专项检查: enterprises of a category, each to an officer whose area holds it
    )


class PatrolPlan(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    """巡检任务 (LE-8). A daily plan recurs on its weekdays between its dates; a special
    plan lists its enterprises once, in `patrol_assignment`."""

    __tablename__ = "patrol_plan"
    __table_args__ = (
        CheckConstraint("kind IN ('daily', 'special')", name="ck_patrol_plan_kind"),
        CheckConstraint("end_date >= start_date", name="ck_patrol_plan_dates"),
        CheckConstraint("kind <> 'special' OR enterprise_category IS NOT NULL",
                        name="ck_patrol_plan_special_category"),
        CheckConstraint("weekdays <@ ARRAY[1,2,3,4,5,6,7]::smallint[]",
                        name="ck_patrol_plan_weekdays"),
    )  # fmt: skip

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    # ISO weekdays (1 = Monday) a daily plan recurs on; a special plan leaves it empty.
    weekdays: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger), nullable=False, default=list)
    enterprise_category: Mapped[str | None] = mapped_column(String(32))
    route_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("patrol_route.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=False
    )


class PatrolAssignment(IdMixin, Base):
    """Who patrols under a plan: an officer (daily), or an officer and one enterprise
    (special). An enterprise no officer's area holds is kept with `officer_id` NULL and a
    reason, so the planner sees it."""

    __tablename__ = "patrol_assignment"
    __table_args__ = (
        Index("ix_patrol_assignment_officer", "officer_id", "plan_id"),
        UniqueConstraint("plan_id", "officer_id", "enterprise_id",
                         name="uq_patrol_assignment", postgresql_nulls_not_distinct=True),
    )  # fmt: skip

    plan_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("patrol_plan.id", ondelete="CASCADE"), nullable=False, index=True
    )
    officer_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    enterprise_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("enterprise.id", ondelete="CASCADE")
    )
    unmatched_reason: Mapped[str | None] = mapped_column(String(200))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PatrolCheckIn(IdMixin, RegionLinkMixin, Base):
    """巡检登记: where and when an officer patrolled, what they found."""

    __tablename__ = "patrol_check_in"
    __table_args__ = (
        Index("ix_patrol_check_in_officer", "officer_id", "at"),
        CheckConstraint("accuracy_m IS NULL OR accuracy_m >= 0", name="ck_patrol_check_in_acc"),
    )

    plan_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("patrol_plan.id", ondelete="CASCADE"), nullable=False, index=True
    )
    assignment_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("patrol_assignment.id", ondelete="SET NULL")
    )
    officer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=False
    )
    enterprise_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("enterprise.id", ondelete="SET NULL")
    )
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)  # to the enterprise, when named
    findings: Mapped[str | None] = mapped_column(Text)
    problem_found: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    geom: Mapped[object] = geom_column("POINT")


class PatrolPhoto(IdMixin, Base):
    __tablename__ = "patrol_photo"
    __table_args__ = (Index("ix_patrol_photo_check_in", "check_in_id", "id"),)

    check_in_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("patrol_check_in.id", ondelete="CASCADE"), nullable=False
    )
    sha256: Mapped[str] = mapped_column(
        String(64), ForeignKey("stored_file.sha256", ondelete="RESTRICT"), nullable=False
    )
    uploaded_by: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=False
    )
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
