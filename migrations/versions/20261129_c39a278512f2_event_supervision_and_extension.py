"""Supervision messages (督办, GM-6) and extension requests with two review levels
(延期申请, GM-7) on work orders.

Revision ID: c39a278512f2
Revises: 7eec8769b822
Create Date: 2026-11-29 01:03:04.967090
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "c39a278512f2"
down_revision: str | None = "7eec8769b822"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_extension",
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("days", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.BigInteger(), nullable=False),
        sa.Column("requested_by_name", sa.String(length=50), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_reviewer_id", sa.BigInteger(), nullable=True),
        sa.Column("first_reviewer_name", sa.String(length=50), nullable=True),
        sa.Column("first_opinion", sa.Text(), nullable=True),
        sa.Column("first_reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("second_reviewer_id", sa.BigInteger(), nullable=True),
        sa.Column("second_reviewer_name", sa.String(length=50), nullable=True),
        sa.Column("second_opinion", sa.Text(), nullable=True),
        sa.Column("second_reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("old_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("new_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.CheckConstraint(
            "status IN ('requested', 'first_approved', 'approved', 'rejected')",
            name="ck_event_extension_status",
        ),
        sa.CheckConstraint("days BETWEEN 1 AND 60", name="ck_event_extension_days"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["first_reviewer_id"], ["user_account.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user_account.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["second_reviewer_id"], ["user_account.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_event_extension_event", "event_extension", ["event_id", "id"], unique=False)
    op.create_index("ix_event_extension_status", "event_extension", ["status"], unique=False)
    op.create_index(
        "ux_event_extension_pending",
        "event_extension",
        ["event_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('requested', 'first_approved')"),
    )
    op.create_table(
        "event_supervision",
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("sender_id", sa.BigInteger(), nullable=False),
        sa.Column("sender_name", sa.String(length=50), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply_unit", sa.String(length=8), nullable=False),
        sa.Column("reply_amount", sa.SmallInteger(), nullable=False),
        sa.Column("reply_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("receiver_user_id", sa.BigInteger(), nullable=True),
        sa.Column("receiver_department_id", sa.BigInteger(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replied_by_id", sa.BigInteger(), nullable=True),
        sa.Column("replied_by_name", sa.String(length=50), nullable=True),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.CheckConstraint("reply_unit IN ('hours', 'days')", name="ck_event_supervision_unit"),
        sa.CheckConstraint(
            "(receiver_user_id IS NULL) <> (receiver_department_id IS NULL)",
            name="ck_event_supervision_one_receiver",
        ),
        sa.CheckConstraint(
            "(replied_at IS NULL) = (reply IS NULL)", name="ck_event_supervision_reply"
        ),
        sa.CheckConstraint("reply_amount > 0", name="ck_event_supervision_amount"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["receiver_department_id"], ["department.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["receiver_user_id"], ["user_account.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["replied_by_id"], ["user_account.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["sender_id"], ["user_account.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_event_supervision_event", "event_supervision", ["event_id", "id"], unique=False
    )
    op.create_index(
        op.f("ix_event_supervision_receiver_department_id"),
        "event_supervision",
        ["receiver_department_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_event_supervision_receiver_user_id"),
        "event_supervision",
        ["receiver_user_id"],
        unique=False,
    )
    op.create_index(
        "ix_event_supervision_sender", "event_supervision", ["sender_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("event_supervision")  # its indexes go with it
    op.drop_table("event_extension")
