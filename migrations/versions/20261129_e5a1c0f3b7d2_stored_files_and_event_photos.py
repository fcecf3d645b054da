"""Content-addressed stored files and the photos of work orders.

Revision ID: e5a1c0f3b7d2
Revises: 5d1e9a7c3b20
Create Date: 2026-11-29 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5a1c0f3b7d2"
down_revision: str | None = "5d1e9a7c3b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="ck_stored_file_sha256"),
        sa.CheckConstraint("size > 0", name="ck_stored_file_size"),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "event_photo",
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("uploaded_by", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("event_action_id", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.CheckConstraint("kind IN ('report', 'feedback', 'verify')", name="ck_event_photo_kind"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_action_id"], ["event_action.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["sha256"], ["stored_file.sha256"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["uploaded_by"], ["user_account.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_event_photo_event", "event_photo", ["event_id", "id"], unique=False)
    op.create_index("ix_event_photo_sha256", "event_photo", ["sha256"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_event_photo_sha256", table_name="event_photo")
    op.drop_index("ix_event_photo_event", table_name="event_photo")
    op.drop_table("event_photo")
    op.drop_table("stored_file")
