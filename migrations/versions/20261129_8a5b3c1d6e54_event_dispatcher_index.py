"""The work orders one user dispatched (the dispatcher workbench's 已派遣 list).

Revision ID: 8a5b3c1d6e54
Revises: 6e3f1a9b4c32
Create Date: 2026-11-29 03:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "8a5b3c1d6e54"
down_revision: str | None = "6e3f1a9b4c32"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_event_action_dispatcher",
        "event_action",
        ["actor_id", "event_id"],
        unique=False,
        postgresql_where=sa.text("action = 'dispatch'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_event_action_dispatcher",
        table_name="event_action",
        postgresql_where=sa.text("action = 'dispatch'"),
    )
