"""One row per state change. Append-only: a statement trigger refuses UPDATE, DELETE and
TRUNCATE (migration a8b7c6d5e4f3), so a row once written is the permanent record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Identity, Index, Text, func, text
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import Ltree

# A dotted verb: 'region.update', 'calendar.set_day', 'parameter.set'.
ACTION_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(f"action ~ '{ACTION_PATTERN}'", name="ck_audit_log_action"),
        # Searches page newest first (`id < :after_id ORDER BY id DESC`): each filter's
        # index ends in id, so a filtered page is one backward index range scan.
        Index("ix_audit_log_object", "object_type", "object_id", "id"),
        Index("ix_audit_log_action", "action", "id"),
        Index("ix_audit_log_actor", "actor_id", "id"),
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_region_path", "region_path", postgresql_using="gist"),
        # Sign-in throttling counts an address's recent failures (geo/org/auth.py).
        Index(
            "ix_audit_log_login_failures",
            "ip",
            "at",
            postgresql_where=text("action = 'auth.login_failed'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    actor_id: Mapped[int | None] = mapped_column(BigInteger)  # users table comes later: no FK
    actor_name: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text, nullable=False)
    object_type: Mapped[str] = mapped_column(Text, nullable=False)
    object_id: Mapped[str] = mapped_column(Text, nullable=False)
    # The region subtree the object belongs to (NULL: district-wide, e.g. the calendar),
    # so that an audit search can be limited to an actor's data scope.
    region_path: Mapped[str | None] = mapped_column(Ltree)
    before: Mapped[Any] = mapped_column(JSONB, nullable=True)  # None: no object before
    after: Mapped[Any] = mapped_column(JSONB, nullable=True)  # None: object removed
    detail: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(INET)
