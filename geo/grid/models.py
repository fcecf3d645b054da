"""Grid members assigned to grids (GM-12): who answers for a grid on the ground.

A grid may have several members (one responsible, the others assisting) and a member may
cover several grids. Reports in a grid name its responsible member; attendance check-ins
are judged against the grids a member covers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, func, text
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base


class GridMember(Base):
    __tablename__ = "grid_member"
    __table_args__ = (
        # One responsible member per grid; the others assist.
        Index(
            "ux_grid_member_responsible",
            "grid_id",
            unique=True,
            postgresql_where=text("is_responsible"),
        ),
    )

    grid_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("region.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True,
        index=True,
    )  # fmt: skip
    is_responsible: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    assigned_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
