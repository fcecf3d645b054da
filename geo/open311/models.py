"""Keys of Open311 clients, and what such a client told us about each request it filed.

A key is shown once when issued; the database keeps only its HMAC under the app's secret
key (like session tokens), so a copy of the database does not reveal usable keys.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin


class Open311Key(IdMixin, Base):
    __tablename__ = "open311_key"

    name: Mapped[str] = mapped_column(String(50), nullable=False)  # e.g. “12345 热线平台”
    key_digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True, nullable=False)
    # The region the key may report into (its subtree): a point elsewhere is refused.
    region_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("region.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    created_by: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The demo's key is a public string: production mode refuses to start while it works.
    is_demo: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))


class Open311Request(Base):
    """An event reported through Open311: the key that filed it and the reporter's
    contact details, for the dispatcher only (never in an Open311 answer)."""

    __tablename__ = "open311_request"

    event_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    key_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("open311_key.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    first_name: Mapped[str | None] = mapped_column(String(50))
    last_name: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    device_id: Mapped[str | None] = mapped_column(String(100))
    media_url: Mapped[str | None] = mapped_column(String(500))  # the client's own link
    media_sha256: Mapped[str | None] = mapped_column(  # an uploaded photo, served publicly
        String(64), ForeignKey("stored_file.sha256", ondelete="RESTRICT")
    )
