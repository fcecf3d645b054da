"""Construction sites (工地): the site outline plus its entrance point for navigation."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin, RegionLinkMixin, TimestampMixin, geom_column, trigram_index
from geo.core.srid import STORAGE_SRID


class SiteStatus(StrEnum):
    PLANNED = "planned"  # 未开工
    ACTIVE = "active"  # 在建
    SUSPENDED = "suspended"  # 停工
    COMPLETED = "completed"  # 已竣工


class ConstructionSite(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    __tablename__ = "construction_site"
    __table_args__ = (
        trigram_index("construction_site", "name"),
        CheckConstraint(
            "status IN ('planned', 'active', 'suspended', 'completed')", name="ck_site_status"
        ),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ck_site_dates"),
    )

    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    permit_no: Mapped[str | None] = mapped_column(String(50))  # 施工许可证编号
    developer: Mapped[str | None] = mapped_column(String(200))  # 建设单位
    contractor: Mapped[str | None] = mapped_column(String(200))  # 施工单位
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    geom: Mapped[object] = geom_column("MULTIPOLYGON")
    entrance: Mapped[object] = mapped_column(
        Geometry("POINT", srid=STORAGE_SRID, spatial_index=True), nullable=False
    )
