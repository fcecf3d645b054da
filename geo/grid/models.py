"""Grid members assigned to grids (GM-12): who answers for a grid on the ground.

A grid may have several members (one responsible, the others assisting) and a member may
cover several grids. Reports in a grid name its responsible member; attendance check-ins
are judged against the grids a member covers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin, geom_column


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


class GridBoundary(IdMixin, Base):
    """One outline a grid had (GIS-4): version 1 when drawn, a new version at each redraw.

    `region.geom` stays the current outline that everything else reads; this table keeps
    the history, so an event remembers the grid as it was when it was reported. Written by
    the database itself (trigger `grid_boundary_version` on region), whoever changes a
    grid's outline: the grid screen, the region screen or an import. The grid screen
    names who and why through the transaction settings `grid.changed_by` and
    `grid.change_reason`."""

    __tablename__ = "grid_boundary"
    __table_args__ = (
        UniqueConstraint("grid_id", "version", name="uq_grid_boundary_version"),
        # One current outline per grid.
        Index(
            "ux_grid_boundary_current",
            "grid_id",
            unique=True,
            postgresql_where=text("valid_to IS NULL"),
        ),
        CheckConstraint("version >= 1", name="ck_grid_boundary_version"),
        CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name="ck_grid_boundary_period"
        ),
    )

    grid_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("region.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    geom: Mapped[object] = geom_column("MULTIPOLYGON")
    valid_from: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # NULL: current
    changed_by: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reason: Mapped[str | None] = mapped_column(String(200))
