"""Each drawn object keeps the officers who were eligible for it, so the team assignment
can be re-run (and checked) from stored data alone.

Revision ID: c3f8e5a0b423
Revises: 9c2d4e6f8a10
Create Date: 2026-11-29 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c3f8e5a0b423"
down_revision: str | None = "9c2d4e6f8a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "draw_pick",
        sa.Column(
            "eligible_officer_ids",
            postgresql.ARRAY(sa.BigInteger()),
            nullable=False,
            server_default=sa.text("'{}'"),
        ),
    )


def downgrade() -> None:
    op.drop_column("draw_pick", "eligible_officer_ids")
