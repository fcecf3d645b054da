"""Working-day calendar (SYS-9): one row per date — workday, weekend, holiday or make-up
working day — that every deadline counts on.

Revision ID: d1a2b3c4e5f6
Revises: c3d9a7e5b210
Create Date: 2026-11-28 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d1a2b3c4e5f6"
down_revision: str | None = "c3d9a7e5b210"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("is_working", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('workday', 'weekend', 'holiday', 'makeup_workday')",
            name="ck_calendar_day_kind",
        ),
        sa.CheckConstraint(
            "is_working = (kind IN ('workday', 'makeup_workday'))",
            name="ck_calendar_day_is_working",
        ),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("calendar_day")
