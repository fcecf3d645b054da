"""Photos of a work order: the reporter's scene photos, the handler's result photos and
the grid member's check photos. The bytes live in the file store (`stored_file`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin


class PhotoKind(StrEnum):
    REPORT = "report"  # 上报照片
    FEEDBACK = "feedback"  # 处置反馈照片
    VERIFY = "verify"  # 核查照片

    @property
    def label(self) -> str:
        return {"report": "上报照片", "feedback": "处置反馈照片", "verify": "核查照片"}[self.value]


KIND_CHECK = "kind IN (" + ", ".join(f"'{k.value}'" for k in PhotoKind) + ")"


class EventPhoto(IdMixin, Base):
    __tablename__ = "event_photo"
    __table_args__ = (
        Index("ix_event_photo_event", "event_id", "id"),
        Index("ix_event_photo_sha256", "sha256"),
        CheckConstraint(KIND_CHECK, name="ck_event_photo_kind"),
    )

    event_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("event.id", ondelete="CASCADE"), nullable=False
    )
    sha256: Mapped[str] = mapped_column(
        String(64), ForeignKey("stored_file.sha256", ondelete="RESTRICT"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    # None: sent by a client without a user account (an Open311 report's photo).
    uploaded_by: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    # The history row the photo documents (a feedback, a check), when the client names it.
    event_action_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("event_action.id", ondelete="SET NULL")
    )
