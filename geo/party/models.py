"""Party-building sites (党建阵地) and the organisation each belongs to (CMD-2)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin, RegionLinkMixin, TimestampMixin, geom_column, trigram_index


class PartySiteKind(StrEnum):
    SERVICE_CENTRE = "service_centre"  # 党群服务中心
    ACTIVITY_ROOM = "activity_room"  # 党员活动室
    PRACTICE_STATION = "practice_station"  # 新时代文明实践站
    PIONEER_POST = "pioneer_post"  # 党员先锋岗


class PartySite(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    __tablename__ = "party_site"
    __table_args__ = (
        trigram_index("party_site", "name"),
        trigram_index("party_site", "address"),
        CheckConstraint(
            "kind IN ('service_centre', 'activity_room', 'practice_station', 'pioneer_post')",
            name="ck_party_site_kind",
        ),
    )

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    organisation: Mapped[str] = mapped_column(String(200), nullable=False)  # 所属党组织
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    address: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    geom: Mapped[object] = geom_column("POINT")
