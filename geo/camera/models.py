"""Video cameras (视频监控点位) with their stream address (CMD-3)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin, RegionLinkMixin, TimestampMixin, geom_column, trigram_index


class CameraKind(StrEnum):
    DOME = "dome"  # 球机
    BULLET = "bullet"  # 枪机
    HIGH_POINT = "high_point"  # 高点监控


class Camera(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    __tablename__ = "camera"
    __table_args__ = (
        trigram_index("camera", "name"),
        CheckConstraint("kind IN ('dome', 'bullet', 'high_point')", name="ck_camera_kind"),
    )

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)  # 设备编号
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    stream_url: Mapped[str] = mapped_column(String(500), nullable=False)
    online: Mapped[bool] = mapped_column(default=True, nullable=False)
    geom: Mapped[object] = geom_column("POINT")
