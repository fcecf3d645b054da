"""Tables of random inspections (DR-1 … DR-9, GIS-6).

The "one list, two registers": supervised objects are the enterprises of the spatial layer
(`enterprise`) with their supervision categories, licences and responsible persons; the
officers are users with an enforcement area (a polygon the draw matches objects against).
Experts are matched by inspection items. Items carry the check contents an inspection
scores. A draw stores its seed, every candidate with its weight and every pick, so anyone
can re-run it; submitting it creates an inspection task with one assignment per object.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin, RegionLinkMixin, TimestampMixin, enum_check
from geo.core.srid import STORAGE_SRID

MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"  # a mainland mobile number (DR-2)


def _user_fk(ondelete: str = "RESTRICT") -> Any:
    return ForeignKey("user_account.id", ondelete=ondelete)


# ------------------------------------------------------------------ registers (DR-1 … DR-5)


class SupervisionCategory(IdMixin, TimestampMixin, Base):
    """监管类别: the tree objects are filed under; siblings sort by `sort_order`, then name."""

    __tablename__ = "supervision_category"
    __table_args__ = (UniqueConstraint("code", name="uq_supervision_category_code"),)

    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("supervision_category.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    description: Mapped[str | None] = mapped_column(Text)


class EnterpriseSupervision(Base):
    """Which supervision categories an object is filed under (one object, many)."""

    __tablename__ = "enterprise_supervision"

    enterprise_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("supervision_category.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    )


class BusinessLicence(IdMixin, TimestampMixin, Base):
    """经营许可证 of a supervised object."""

    __tablename__ = "business_licence"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from",
                        name="ck_business_licence_dates"),
    )  # fmt: skip

    enterprise_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)  # e.g. 食品经营许可证
    number: Mapped[str] = mapped_column(String(64), nullable=False)
    issuer: Mapped[str | None] = mapped_column(String(100))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    scope: Mapped[str | None] = mapped_column(Text)  # 许可范围


class ResponsiblePerson(IdMixin, TimestampMixin, Base):
    """责任人 of a supervised object; the mobile number must be a valid mainland one."""

    __tablename__ = "responsible_person"
    __table_args__ = (
        CheckConstraint(f"mobile ~ '{MOBILE_PATTERN}'", name="ck_responsible_person_mobile"),
    )

    enterprise_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    duty: Mapped[str | None] = mapped_column(String(50))  # 职务, e.g. 安全负责人
    mobile: Mapped[str] = mapped_column(String(11), nullable=False)


class OfficerType(Base):
    """执法人员类型: a code list admins extend (在编执法人员, 协管员 …)."""

    __tablename__ = "officer_type"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class EnforcementOfficer(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    """执法人员: a user who inspects, and the area they may be sent to (GIS-6).

    `region_id` is the officer's own region (data scope). The area is drawn, or the union
    of the grids / communities listed in `area_region_ids` at the time it was picked."""

    __tablename__ = "enforcement_officer"
    __table_args__ = (UniqueConstraint("user_id", name="uq_enforcement_officer_user"),)

    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk("CASCADE"), nullable=False)
    officer_type: Mapped[str] = mapped_column(
        String(32), ForeignKey("officer_type.code", ondelete="RESTRICT"), nullable=False
    )
    certificate_no: Mapped[str | None] = mapped_column(String(32))  # 执法证号
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    area: Mapped[object | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=STORAGE_SRID, spatial_index=True), nullable=True
    )
    area_region_ids: Mapped[list[int] | None] = mapped_column(ARRAY(BigInteger))


class OfficerConflict(Base):
    """An officer related to an object (kin, former employer …) is never sent to inspect it."""

    __tablename__ = "officer_conflict"

    officer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("enforcement_officer.id", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    reason: Mapped[str] = mapped_column(String(200), nullable=False)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger, _user_fk("SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class InspectionItemCategory(IdMixin, TimestampMixin, Base):
    """事项类别 (e.g. 食品安全, 消防安全): the "inspection category" a draw is for."""

    __tablename__ = "inspection_item_category"
    __table_args__ = (UniqueConstraint("code", name="uq_inspection_item_category_code"),)

    code: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class InspectionItem(IdMixin, TimestampMixin, Base):
    """检查事项: what is checked, on what legal basis, with its scored check contents."""

    __tablename__ = "inspection_item"
    __table_args__ = (UniqueConstraint("code", name="uq_inspection_item_code"),)

    category_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("inspection_item_category.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    )
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    basis: Mapped[str | None] = mapped_column(Text)  # 检查依据
    method: Mapped[str | None] = mapped_column(String(100))  # 检查方式
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class CheckContent(IdMixin, Base):
    """One line of an item's check list: scored out of `max_score`; a failed `critical`
    line fails the inspection whatever the total."""

    __tablename__ = "check_content"
    __table_args__ = (
        UniqueConstraint("item_id", "seq", name="uq_check_content_item_seq"),
        CheckConstraint("max_score > 0", name="ck_check_content_score"),
    )

    item_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("inspection_item.id", ondelete="CASCADE"), nullable=False
    )
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    max_score: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    critical: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Expert(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    """专家: matched by inspection items, not by area."""

    __tablename__ = "expert"
    __table_args__ = (
        CheckConstraint(f"mobile IS NULL OR mobile ~ '{MOBILE_PATTERN}'", name="ck_expert_mobile"),
    )

    user_id: Mapped[int | None] = mapped_column(BigInteger, _user_fk("SET NULL"), unique=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    organisation: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(50))  # 职称
    speciality: Mapped[str | None] = mapped_column(String(200))
    mobile: Mapped[str | None] = mapped_column(String(11))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class ExpertItem(Base):
    __tablename__ = "expert_item"

    expert_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("expert.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("inspection_item.id", ondelete="CASCADE"), primary_key=True,
        index=True,
    )  # fmt: skip


# ----------------------------------------------------------------- red / white / black (DR-6)


class RiskListMoveKind(StrEnum):
    MANUAL = "manual"  # 手动调整
    AUTOMATIC = "automatic"  # 检查结果自动调整
    WEIGHT = "weight"  # 同库概率调整（名录库不变）


class RiskListMove(IdMixin, Base):
    """The history of an object's list and draw weight (the list itself is
    `enterprise.risk_list`, its weight and streaks `enterprise.draw_weight / pass_streak /
    fail_streak`)."""

    __tablename__ = "risk_list_move"
    __table_args__ = (
        Index("ix_risk_list_move_enterprise", "enterprise_id", "id"),
        CheckConstraint(enum_check("kind", RiskListMoveKind), name="ck_risk_list_move_kind"),
    )

    enterprise_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    from_list: Mapped[str] = mapped_column(String(8), nullable=False)
    to_list: Mapped[str] = mapped_column(String(8), nullable=False)
    from_weight: Mapped[float] = mapped_column(Float, nullable=False)
    to_weight: Mapped[float] = mapped_column(Float, nullable=False)
    reason: Mapped[str] = mapped_column(String(500), nullable=False)
    assignment_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("inspection_assignment.id", ondelete="SET NULL")
    )
    moved_by: Mapped[int | None] = mapped_column(BigInteger, _user_fk("SET NULL"))
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


# ------------------------------------------------------------------------- draws (DR-7, DR-9)


class DrawStatus(StrEnum):
    DRAWN = "drawn"  # result stored, not yet turned into a task
    SUBMITTED = "submitted"  # a task was created from it
    DISCARDED = "discarded"  # abandoned before submission (kept: it was drawn)


class SeedSource(StrEnum):
    SYSTEM = "system"  # the server's random generator, recorded when drawn
    PUBLIC = "public"  # a value announced in public beforehand (e.g. a lottery number)


class InspectionDraw(IdMixin, RegionLinkMixin, Base):
    """One draw: conditions, seed, candidates (`draw_candidate`) and picks (`draw_pick`)."""

    __tablename__ = "inspection_draw"
    __table_args__ = (
        UniqueConstraint("number", name="uq_inspection_draw_number"),
        CheckConstraint(enum_check("status", DrawStatus), name="ck_inspection_draw_status"),
        CheckConstraint(
            enum_check("seed_source", SeedSource), name="ck_inspection_draw_seed_source"
        ),
        CheckConstraint("seed ~ '^[0-9a-f]{64}$'", name="ck_inspection_draw_seed"),
        CheckConstraint("team_size >= 2", name="ck_inspection_draw_team"),
    )

    number: Mapped[str] = mapped_column(String(20), nullable=False)  # e.g. CQ2026-0001
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=DrawStatus.DRAWN)
    item_category_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("inspection_item_category.id", ondelete="RESTRICT"),
        nullable=False,
    )  # fmt: skip
    conditions: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    seed: Mapped[str] = mapped_column(String(64), nullable=False)
    seed_source: Mapped[str] = mapped_column(String(16), nullable=False)
    seed_note: Mapped[str | None] = mapped_column(String(200))  # what the public value was
    algorithm: Mapped[str] = mapped_column(String(32), nullable=False)
    team_size: Mapped[int] = mapped_column(Integer, nullable=False)
    candidate_count: Mapped[int] = mapped_column(Integer, nullable=False)
    pick_count: Mapped[int] = mapped_column(Integer, nullable=False)
    unmatched_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    drawn_by: Mapped[int] = mapped_column(BigInteger, _user_fk(), nullable=False)
    drawn_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DrawCandidate(Base):
    """Every object the conditions matched, with the list and weight it was drawn with."""

    __tablename__ = "draw_candidate"

    draw_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("inspection_draw.id", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("enterprise.id", ondelete="RESTRICT"), primary_key=True
    )
    risk_list: Mapped[str] = mapped_column(String(8), nullable=False)
    weight: Mapped[float] = mapped_column(Float, nullable=False)


class DrawPick(Base):
    """A drawn object and its team; `officer_ids[0]` leads unless `leader_id` says otherwise.
    An object no eligible team could be formed for keeps `unmatched_reason` (reported, not
    dropped)."""

    __tablename__ = "draw_pick"

    draw_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("inspection_draw.id", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("enterprise.id", ondelete="RESTRICT"), primary_key=True
    )
    rank: Mapped[int] = mapped_column(Integer, nullable=False)
    officer_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), nullable=False)
    leader_id: Mapped[int | None] = mapped_column(BigInteger, _user_fk())
    unmatched_reason: Mapped[str | None] = mapped_column(String(200))
    # Users whose area covers the object and who met the draw's officer scope, ascending:
    # with the seed, enough to re-run the team assignment (geo.inspection.verify).
    eligible_officer_ids: Mapped[list[int]] = mapped_column(
        ARRAY(BigInteger), nullable=False, server_default=text("'{}'")
    )


# ------------------------------------------------------------------------------ tasks (DR-8)


class AssignmentStatus(StrEnum):
    TO_CONFIRM = "to_confirm"  # 待确认
    CONFIRMED = "confirmed"  # 已确认: results may be filled and saved
    SUBMITTED = "submitted"  # 已提交: results final, lists updated


class InspectionTask(IdMixin, RegionLinkMixin, Base):
    """抽查任务: the named task a submitted draw becomes."""

    __tablename__ = "inspection_task"
    __table_args__ = (
        UniqueConstraint("draw_id", name="uq_inspection_task_draw"),
        CheckConstraint("end_date >= start_date", name="ck_inspection_task_dates"),
    )

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    draw_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("inspection_draw.id", ondelete="RESTRICT")
    )
    item_category_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("inspection_item_category.id", ondelete="RESTRICT"),
        nullable=False,
    )  # fmt: skip
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    created_by: Mapped[int] = mapped_column(BigInteger, _user_fk(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class InspectionAssignment(IdMixin, Base):
    """One object of a task and the team inspecting it: to confirm → confirmed → submitted."""

    __tablename__ = "inspection_assignment"
    __table_args__ = (
        UniqueConstraint("task_id", "enterprise_id", name="uq_inspection_assignment_object"),
        CheckConstraint(
            enum_check("status", AssignmentStatus), name="ck_inspection_assignment_status"
        ),
        Index("ix_inspection_assignment_enterprise", "enterprise_id", "id"),
    )

    task_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("inspection_task.id", ondelete="CASCADE"), nullable=False
    )
    enterprise_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("enterprise.id", ondelete="RESTRICT"), nullable=False
    )
    status: Mapped[str] = mapped_column(
        String(16), nullable=False, default=AssignmentStatus.TO_CONFIRM
    )
    leader_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)  # 结果说明
    score: Mapped[int | None] = mapped_column(Integer)
    max_score: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    confirmed_by: Mapped[int | None] = mapped_column(BigInteger, _user_fk())
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[int | None] = mapped_column(BigInteger, _user_fk())
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class AssignmentOfficer(Base):
    """The team of an assignment (at least two officers; one leads)."""

    __tablename__ = "assignment_officer"
    __table_args__ = (Index("ix_assignment_officer_user", "user_id", "assignment_id"),)

    assignment_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("inspection_assignment.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, _user_fk(), primary_key=True)
    is_leader: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class CheckResult(Base):
    """The score one check-content line got; saved while confirmed, final once submitted."""

    __tablename__ = "check_result"
    __table_args__ = (CheckConstraint("score >= 0", name="ck_check_result_score"),)

    assignment_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("inspection_assignment.id", ondelete="CASCADE"), primary_key=True
    )
    content_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("check_content.id", ondelete="RESTRICT"), primary_key=True
    )
    score: Mapped[int] = mapped_column(Integer, nullable=False)
    passed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    remark: Mapped[str | None] = mapped_column(String(500))


class AssignmentPhoto(IdMixin, Base):
    __tablename__ = "assignment_photo"
    __table_args__ = (Index("ix_assignment_photo_assignment", "assignment_id", "id"),)

    assignment_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("inspection_assignment.id", ondelete="CASCADE"), nullable=False
    )
    sha256: Mapped[str] = mapped_column(
        String(64), ForeignKey("stored_file.sha256", ondelete="RESTRICT"), nullable=False
    )
    uploaded_by: Mapped[int] = mapped_column(BigInteger, _user_fk(), nullable=False)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
