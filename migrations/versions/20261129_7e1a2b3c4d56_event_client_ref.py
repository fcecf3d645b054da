"""A report's idempotency key (client_ref): a phone retrying a report it already sent
finds the first work order instead of opening a second one.

Revision ID: 7e1a2b3c4d56
Revises: 8f2b3c4d5e67
Create Date: 2026-11-29 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7e1a2b3c4d56"
down_revision: str | None = "8f2b3c4d5e67"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("event", sa.Column("client_ref", sa.String(64), nullable=True))
    op.create_index(
        "ux_event_reporter_client_ref",
        "event",
        ["reporter_id", "client_ref"],
        unique=True,
        postgresql_where=sa.text("client_ref IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ux_event_reporter_client_ref", table_name="event")
    op.drop_column("event", "client_ref")
