"""Patrol routes (巡查路线) walked by grid members and enforcement officers."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, Float, String
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
