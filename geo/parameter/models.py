"""Stored parameter values: one per (key, region), region NULL for the global value."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin


class SystemParameter(IdMixin, Base):
    __tablename__ = "system_parameter"
    __table_args__ = (
        # One value per key and region, the global value (region NULL) included: NULLs
        # would be distinct in a plain UNIQUE, so the index counts NULL as region 0 (no
        # region has id 0). Also the ON CONFLICT target of the upsert.
        Index(
            "uq_system_parameter_key_region",
            "key",
            text("coalesce(region_id, 0)"),
            unique=True,
        ),
    )

    key: Mapped[str] = mapped_column(Text, nullable=False)
    region_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("region.id", ondelete="RESTRICT"), index=True
    )
    value: Mapped[Any] = mapped_column(JSONB, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
