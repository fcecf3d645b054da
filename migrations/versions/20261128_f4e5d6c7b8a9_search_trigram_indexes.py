"""Trigram indexes for the map's search box (`ILIKE '%梁丰%'` on names and addresses).

pg_trgm is a trusted extension: a database owner may create it without a superuser.

Revision ID: f4e5d6c7b8a9
Revises: d1a2b3c4e5f6
Create Date: 2026-11-28 23:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f4e5d6c7b8a9"
down_revision: str | None = "d1a2b3c4e5f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column): what geo/feature/search.py matches against.
SEARCHED = (
    ("region", "name"),
    ("enterprise", "name"), ("enterprise", "address"),
    ("party_site", "name"), ("party_site", "address"),
    ("construction_site", "name"),
    ("building", "name"), ("building", "address"),
    ("camera", "name"),
    ("street", "name"),
    ("event", "title"), ("event", "address"), ("event", "event_no"),
)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in SEARCHED:
        op.execute(
            f"CREATE INDEX ix_{table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)"
        )


def downgrade() -> None:
    for table, column in SEARCHED:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")
