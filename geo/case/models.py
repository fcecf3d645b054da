"""A case's registration record (立案登记). The case procedures (LE-4 simple, LE-5 general)
build on this row; a dispatched task or an inspection that turns into a case links here."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin, RegionLinkMixin, enum_check, geom_column, trigram_index


class Procedure(StrEnum):
    SIMPLE = "simple"  # 简易程序 (当场处罚)
    GENERAL = "general"  # 一般程序


class CaseSource(StrEnum):
    """LE-5's sources of a case."""

    PATROL = "patrol"  # 日常巡查
    MEDIA = "media"  # 媒体曝光
    COMPLAINT = "complaint"  # 群众投诉
    REPORT = "report"  # 群众举报
    TRANSFER = "transfer"  # 其他机关移送
    SUPERIOR = "superior"  # 上级交办
    OTHER = "other"  # 其他


class CaseStatus(StrEnum):
    REGISTERED = "registered"  # 已登记, waiting for the preliminary review


class CaseRecord(IdMixin, RegionLinkMixin, Base):
    __tablename__ = "case_record"
    __table_args__ = (
        CheckConstraint(enum_check("procedure", Procedure), name="ck_case_record_procedure"),
        CheckConstraint(enum_check("source", CaseSource), name="ck_case_record_source"),
        CheckConstraint(enum_check("status", CaseStatus), name="ck_case_record_status"),
        trigram_index("case_record", "title"),
    )

    number: Mapped[str] = mapped_column(String(24), nullable=False, unique=True)
    procedure: Mapped[str] = mapped_column(String(16), nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=CaseStatus.REGISTERED)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    facts: Mapped[str] = mapped_column(Text, nullable=False)  # 案情摘要
    party_name: Mapped[str | None] = mapped_column(String(200))  # 当事人
    enterprise_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("enterprise.id", ondelete="SET NULL")
    )
    address: Mapped[str | None] = mapped_column(String(200))
    registered_by: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=False
    )
    registered_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    geom: Mapped[object] = geom_column("POINT")
