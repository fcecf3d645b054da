"""Events (事件), their category dictionary and the history of each work order.

The statuses and the moves between them are declared in `geo.event.workflow`; an event
row carries who holds the work order now (the claiming dispatcher, the assignee, the
verifier) and its deadline; `EventAction` keeps one row per transition.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin, RegionLinkMixin, TimestampMixin, geom_column, trigram_index
from geo.event.workflow import Status

EventStatus = Status  # the name the importer and the map export know it by

STATUS_CHECK = "status IN (" + ", ".join(f"'{s.value}'" for s in Status) + ")"


def _user_fk(*, indexed: bool = True) -> Mapped:
    return mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT"), index=indexed
    )


class EventSource(StrEnum):
    GRID_MEMBER = "grid_member"  # 网格员上报
    HOTLINE = "hotline"  # 12345 热线
    CAMERA = "camera"  # 视频发现
    PUBLIC = "public"  # 群众举报
    PATROL = "patrol"  # 执法巡查


class EventCategory(Base):
    """Category dictionary (after GB/T 30428.2): two levels, with a default time limit."""

    __tablename__ = "event_category"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    parent_code: Mapped[str | None] = mapped_column(
        String(16), ForeignKey("event_category.code", ondelete="RESTRICT")
    )
    default_days: Mapped[int | None] = mapped_column(SmallInteger)  # 处置时限（工作日）
    sort_order: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0)


class Event(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    __tablename__ = "event"
    __table_args__ = (
        trigram_index("event", "title"),
        trigram_index("event", "address"),
        trigram_index("event", "event_no"),
        CheckConstraint(STATUS_CHECK, name="ck_event_status"),
        CheckConstraint(
            "assignee_user_id IS NULL OR assignee_department_id IS NULL",
            name="ck_event_one_assignee",
        ),
        CheckConstraint(
            "source IN ('grid_member', 'hotline', 'camera', 'public', 'patrol')",
            name="ck_event_source",
        ),
        CheckConstraint("severity BETWEEN 1 AND 3", name="ck_event_severity"),
        CheckConstraint("urgency BETWEEN 1 AND 3", name="ck_event_urgency"),
        CheckConstraint("closed_at IS NULL OR closed_at >= reported_at", name="ck_event_closed"),
        Index("ix_event_reported_at", "reported_at"),
        Index("ix_event_status", "status"),
        # Suspected duplicates: ST_DWithin in metres on geography uses this index.
        Index("ix_event_geog", text("(geography(geom))"), postgresql_using="gist"),
        # The pool: the oldest unclaimed work orders of a region subtree, claimed in order.
        Index(
            "ix_event_pool",
            "region_id",
            "reported_at",
            postgresql_where=text("status = 'reported'"),
        ),
        # A retried report (same reporter, same client key) finds the first work order.
        Index(
            "ux_event_reporter_client_ref",
            "reporter_id",
            "client_ref",
            unique=True,
            postgresql_where=text("client_ref IS NOT NULL"),
        ),
    )

    event_no: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)  # 事件编号
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    category_code: Mapped[str] = mapped_column(
        String(16),
        ForeignKey("event_category.code", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    )
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    severity: Mapped[int] = mapped_column(
        SmallInteger, nullable=False, default=1
    )  # 1 一般 … 3 重大
    urgency: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=1)  # 1 一般 … 3 特急
    address: Mapped[str | None] = mapped_column(String(200))
    reporter_name: Mapped[str | None] = mapped_column(String(50))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    geom: Mapped[object] = geom_column("POINT")
    # The work order: who reported it, who holds it now, and by when it must be handled.
    reporter_id: Mapped[int | None] = _user_fk()
    client_ref: Mapped[str | None] = mapped_column(String(64))  # the reporting app's key
    claimed_by_id: Mapped[int | None] = _user_fk()  # the dispatcher who took it from the pool
    assignee_user_id: Mapped[int | None] = _user_fk()
    assignee_department_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("department.id", ondelete="RESTRICT"), index=True
    )
    verifier_id: Mapped[int | None] = _user_fk()  # the grid member checking on site
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # 处置期限
    # A duplicate merged by a dispatcher: cancelled, pointing at the work order kept.
    merged_into_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("event.id", ondelete="RESTRICT")
    )
    # The grid as it was at report time (GIS-5): its outline version and the member who
    # answered for it then. NULL when placed at the district (outside every grid).
    grid_boundary_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("grid_boundary.id", ondelete="RESTRICT"), index=True
    )
    responsible_member_id: Mapped[int | None] = _user_fk(indexed=False)


class EventAction(IdMixin, Base):
    """One transition of a work order: the history shown on its detail page."""

    __tablename__ = "event_action"
    __table_args__ = (
        Index("ix_event_action_event", "event_id", "id"),
        # The dispatcher's "已派遣" list: the work orders one user dispatched.
        Index(
            "ix_event_action_dispatcher",
            "actor_id",
            "event_id",
            postgresql_where=text("action = 'dispatch'"),
        ),
    )

    event_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("event.id", ondelete="CASCADE"), nullable=False
    )
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16))  # none for the report
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[int | None] = _user_fk(indexed=False)
    actor_name: Mapped[str] = mapped_column(String(50), nullable=False)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    opinion: Mapped[str | None] = mapped_column(Text)  # 意见、反馈内容或核查结果
    target_user_id: Mapped[int | None] = _user_fk(indexed=False)
    target_department_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("department.id", ondelete="RESTRICT")
    )


class EventDuplicate(Base):
    """A suspected duplicate found at report time (same category, near in space and
    time): the dispatcher sees the flag and may merge the new work order into the old."""

    __tablename__ = "event_duplicate"
    __table_args__ = (
        CheckConstraint("event_id <> candidate_id", name="ck_event_duplicate_self"),
        Index("ix_event_duplicate_candidate", "candidate_id"),
    )

    event_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    candidate_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    distance_m: Mapped[float] = mapped_column(Float, nullable=False)


class EventRoutingRule(IdMixin, TimestampMixin, Base):
    """Category × area → the department a dispatch defaults to; the rule of the most
    specific region (grid > community > town > district) containing the event wins."""

    __tablename__ = "event_routing_rule"
    __table_args__ = (UniqueConstraint("category_code", "region_id", name="uq_event_routing_rule"),)

    category_code: Mapped[str] = mapped_column(
        String(16), ForeignKey("event_category.code", ondelete="RESTRICT"), nullable=False
    )
    region_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("region.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    department_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("department.id", ondelete="RESTRICT"), nullable=False, index=True
    )


class EventNumber(Base):
    """The last serial number given on each day (event numbers SJ + date + 5 digits)."""

    __tablename__ = "event_number"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, nullable=False)


class EventSupervision(IdMixin, Base):
    """A supervision message (督办) of the district centre on an open work order: the
    current handler (a user, or any member of a department) replies once, by a deadline
    counted on the working-day calendar."""

    __tablename__ = "event_supervision"
    __table_args__ = (
        Index("ix_event_supervision_event", "event_id", "id"),
        Index("ix_event_supervision_sender", "sender_id", "id"),
        CheckConstraint(
            "(receiver_user_id IS NULL) <> (receiver_department_id IS NULL)",
            name="ck_event_supervision_one_receiver",
        ),
        CheckConstraint("reply_unit IN ('hours', 'days')", name="ck_event_supervision_unit"),
        CheckConstraint("reply_amount > 0", name="ck_event_supervision_amount"),
        CheckConstraint(
            "(replied_at IS NULL) = (reply IS NULL)", name="ck_event_supervision_reply"
        ),
    )

    event_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("event.id", ondelete="CASCADE"), nullable=False
    )
    sender_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=False
    )
    sender_name: Mapped[str] = mapped_column(String(50), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    reply_unit: Mapped[str] = mapped_column(String(8), nullable=False)  # 回复时限的单位
    reply_amount: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    reply_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    receiver_user_id: Mapped[int | None] = _user_fk()
    receiver_department_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("department.id", ondelete="RESTRICT"), index=True
    )
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replied_by_id: Mapped[int | None] = _user_fk(indexed=False)
    replied_by_name: Mapped[str | None] = mapped_column(String(50))


EXTENSION_PENDING_STATUSES = ("requested", "first_approved")  # under review
EXTENSION_PENDING = "status IN (" + ", ".join(f"'{s}'" for s in EXTENSION_PENDING_STATUSES) + ")"


class EventExtension(IdMixin, Base):
    """An extension request (延期申请) of the assignee: N working days, reviewed first by
    the town's sub-centre, then by the district centre; approval moves the deadline."""

    __tablename__ = "event_extension"
    __table_args__ = (
        Index("ix_event_extension_event", "event_id", "id"),
        Index("ix_event_extension_status", "status"),
        # At most one request under review per work order.
        Index(
            "ux_event_extension_pending",
            "event_id",
            unique=True,
            postgresql_where=text(EXTENSION_PENDING),
        ),
        CheckConstraint(
            "status IN ('requested', 'first_approved', 'approved', 'rejected')",
            name="ck_event_extension_status",
        ),
        CheckConstraint("days BETWEEN 1 AND 60", name="ck_event_extension_days"),
    )

    event_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("event.id", ondelete="CASCADE"), nullable=False
    )
    days: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # 延期工作日数
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    requested_by_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=False
    )
    requested_by_name: Mapped[str] = mapped_column(String(50), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    first_reviewer_id: Mapped[int | None] = _user_fk(indexed=False)
    first_reviewer_name: Mapped[str | None] = mapped_column(String(50))
    first_opinion: Mapped[str | None] = mapped_column(Text)
    first_reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    second_reviewer_id: Mapped[int | None] = _user_fk(indexed=False)
    second_reviewer_name: Mapped[str | None] = mapped_column(String(50))
    second_opinion: Mapped[str | None] = mapped_column(Text)
    second_reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    old_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    new_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
