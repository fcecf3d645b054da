"""Organisation (SYS-2, SYS-4, SYS-7) and sign-in sessions (SYS-1).

Departments form a tree inside a region; law-enforcement squads (中队) belong to a
department. A user belongs to one region (their data scope, SYS-10), optionally to a
department and a squad, and holds several roles. Service centres exist on five levels,
each bound to a region; halls divide a centre; windows belong to a centre (and a hall)
and have staff. Sessions store only a keyed hash of their token.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import INET
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin, TimestampMixin


def _region_fk(nullable: bool = False) -> Mapped:
    return mapped_column(
        BigInteger, ForeignKey("region.id", ondelete="RESTRICT"), index=True, nullable=nullable
    )


class Department(IdMixin, TimestampMixin, Base):
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("region_id", "name", name="uq_department_region_name"),)

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("department.id", ondelete="RESTRICT"), index=True
    )
    region_id: Mapped[int] = _region_fk()
    # 窗口部门: only these can own a service window (the manual's window form lists them).
    is_window_department: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default=text("false")
    )
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    phone: Mapped[str | None] = mapped_column(String(20))


class Squad(IdMixin, TimestampMixin, Base):
    """A law-enforcement squad (中队): its leader re-dispatches the tasks sent to it."""

    __tablename__ = "squad"
    __table_args__ = (UniqueConstraint("department_id", "name", name="uq_squad_department_name"),)

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    department_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("department.id", ondelete="RESTRICT"), index=True, nullable=False
    )
    region_id: Mapped[int] = _region_fk()
    leader_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL", use_alter=True), index=True
    )


class UserAccount(IdMixin, TimestampMixin, Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("username ~ '^[a-z][a-z0-9_.-]{2,31}$'", name="ck_user_account_username"),
        CheckConstraint("failed_logins >= 0", name="ck_user_account_failed_logins"),
        Index("uq_user_account_username", "username", unique=True),
        Index(
            "uq_user_account_cert_fingerprint", "cert_fingerprint", unique=True,
            postgresql_where=text("cert_fingerprint IS NOT NULL"),
        ),
    )  # fmt: skip

    username: Mapped[str] = mapped_column(String(32), nullable=False)
    display_name: Mapped[str] = mapped_column(String(50), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(20))
    id_number: Mapped[str | None] = mapped_column(String(18))  # shown masked in lists
    region_id: Mapped[int] = _region_fk()
    department_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("department.id", ondelete="RESTRICT"), index=True
    )
    squad_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("squad.id", ondelete="SET NULL"), index=True
    )
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    password_changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # CA lock: SHA-256 of the DER client certificate bound to this user; when set, a
    # password sign-in must also present that certificate.
    cert_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # Created by the demo generator: production mode refuses to start while any exists.
    is_demo: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))


class Role(TimestampMixin, Base):
    __tablename__ = "role"
    __table_args__ = (CheckConstraint("code ~ '^[a-z][a-z0-9_]{1,39}$'", name="ck_role_code"),)

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False, unique=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    is_builtin: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    is_superuser: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default=text("false")
    )


class RolePermission(Base):
    __tablename__ = "role_permission"

    role_code: Mapped[str] = mapped_column(
        String(40), ForeignKey("role.code", ondelete="CASCADE"), primary_key=True
    )
    permission: Mapped[str] = mapped_column(String(60), primary_key=True)


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role_code: Mapped[str] = mapped_column(
        String(40), ForeignKey("role.code", ondelete="RESTRICT"), primary_key=True, index=True
    )


class CentreLevel(StrEnum):
    CITY = "city"  # 市级服务中心
    COUNTY = "county"  # 县（区）级服务中心
    BRANCH = "branch"  # 市级分中心、县（区）分中心
    TOWN = "town"  # 镇（街道办）办事处
    VILLAGE = "village"  # 村（社区）办事处


CENTRE_LEVEL_LABELS = {
    CentreLevel.CITY: "市级服务中心",
    CentreLevel.COUNTY: "县（区）级服务中心",
    CentreLevel.BRANCH: "分中心",
    CentreLevel.TOWN: "镇（街道）办事处",
    CentreLevel.VILLAGE: "村（社区）办事处",
}


class ServiceCentre(IdMixin, TimestampMixin, Base):
    __tablename__ = "service_centre"
    __table_args__ = (
        CheckConstraint(
            "level IN ('city', 'county', 'branch', 'town', 'village')",
            name="ck_service_centre_level",
        ),
        UniqueConstraint("region_id", "name", name="uq_service_centre_region_name"),
    )

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    region_id: Mapped[int] = _region_fk()
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))


class Hall(IdMixin, TimestampMixin, Base):
    __tablename__ = "hall"
    __table_args__ = (UniqueConstraint("centre_id", "name", name="uq_hall_centre_name"),)

    centre_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("service_centre.id", ondelete="RESTRICT"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)


class ServiceWindow(IdMixin, TimestampMixin, Base):
    __tablename__ = "service_window"
    __table_args__ = (UniqueConstraint("centre_id", "number", name="uq_service_window_number"),)

    centre_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("service_centre.id", ondelete="RESTRICT"), index=True, nullable=False
    )
    hall_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("hall.id", ondelete="RESTRICT"), index=True
    )
    department_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("department.id", ondelete="RESTRICT"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    number: Mapped[str] = mapped_column(String(20), nullable=False)


class WindowStaff(Base):
    __tablename__ = "window_staff"

    window_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("service_window.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SessionKind(StrEnum):
    BROWSER = "browser"  # cookie + CSRF token
    BEARER = "bearer"  # Authorization header (phone app, scripts)


class AuthSession(Base):
    __tablename__ = "auth_session"
    __table_args__ = (
        CheckConstraint("kind IN ('browser', 'bearer')", name="ck_auth_session_kind"),
        Index("ix_auth_session_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    # HMAC-SHA256 of the token under the app's secret key: a copy of the table is useless.
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False, unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64), nullable=False)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    window_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("service_window.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    last_seen_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str | None] = mapped_column(INET)
    user_agent: Mapped[str | None] = mapped_column(String(300))
