"""Party building (党建引领, CMD-2): sites (党建阵地), organisations in a tree, their members
and their activities at positions on the map."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import (
    IdMixin,
    RegionLinkMixin,
    TimestampMixin,
    enum_check,
    geom_column,
    trigram_index,
)
from geo.core.srid import STORAGE_SRID


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


class PartyOrganisationKind(StrEnum):
    COMMITTEE = "committee"  # 党委
    GENERAL_BRANCH = "general_branch"  # 党总支
    BRANCH = "branch"  # 党支部


class PartyMemberStatus(StrEnum):
    FULL = "full"  # 正式党员
    PROBATIONARY = "probationary"  # 预备党员


class PartyActivityKind(StrEnum):
    THREE_MEETINGS = "three_meetings"  # 三会一课
    THEME_DAY = "theme_day"  # 主题党日
    VOLUNTEER = "volunteer"  # 志愿服务
    STUDY = "study"  # 党课学习
    OTHER = "other"  # 其他


MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"  # a mainland mobile number


class PartyOrganisation(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    """A party organisation (党委 / 党总支 / 党支部) in a tree. Its position on the map is its
    site's point, or its own `geom` when it has no site (`party_site.organisation` keeps the
    organisation's name as text for the site layer)."""

    __tablename__ = "party_organisation"
    __table_args__ = (
        CheckConstraint(enum_check("kind", PartyOrganisationKind), name="ck_party_org_kind"),
        CheckConstraint(
            f"contact_phone IS NULL OR contact_phone ~ '{MOBILE_PATTERN}'",
            name="ck_party_org_phone",
        ),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="ck_party_org_not_own_parent"),
    )

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("party_organisation.id", ondelete="RESTRICT"), index=True
    )
    secretary: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(11))
    founded_on: Mapped[date | None] = mapped_column(Date)
    site_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("party_site.id", ondelete="SET NULL"), index=True
    )
    geom: Mapped[object | None] = mapped_column(
        Geometry("POINT", srid=STORAGE_SRID, spatial_index=True), nullable=True
    )


class PartyMember(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    """A party member of an organisation; `user_id` links an account (党员网格员). The region
    is the organisation's, kept on the row for scoping."""

    __tablename__ = "party_member"
    __table_args__ = (
        CheckConstraint("gender IN ('male', 'female')", name="ck_party_member_gender"),
        CheckConstraint(enum_check("status", PartyMemberStatus), name="ck_party_member_status"),
        CheckConstraint(
            f"phone IS NULL OR phone ~ '{MOBILE_PATTERN}'", name="ck_party_member_phone"
        ),
        Index(
            "ux_party_member_user",
            "user_id",
            unique=True,
            postgresql_where=text("user_id IS NOT NULL"),
        ),
        trigram_index("party_member", "name"),
    )

    name: Mapped[str] = mapped_column(String(50), nullable=False)
    gender: Mapped[str] = mapped_column(String(6), nullable=False)
    organisation_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("party_organisation.id", ondelete="RESTRICT"),
        index=True,
        nullable=False,
    )
    joined_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(11))
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL")
    )


class PartyActivity(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    """An activity held by an organisation at a position (活动阵地), perhaps at a site."""

    __tablename__ = "party_activity"
    __table_args__ = (
        CheckConstraint(enum_check("kind", PartyActivityKind), name="ck_party_activity_kind"),
        CheckConstraint("participants >= 0", name="ck_party_activity_participants"),
        Index("ix_party_activity_held_at", "held_at"),
    )

    title: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    organisation_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("party_organisation.id", ondelete="RESTRICT"),
        index=True,
        nullable=False,
    )
    held_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    site_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("party_site.id", ondelete="SET NULL"), index=True
    )
    participants: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    summary: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[object] = geom_column("POINT")
