"""The supervised-object register's search box matches part of a 统一社会信用代码 as well
as of the name and address: a trigram index keeps `uscc ILIKE '%text%'` indexed.

Revision ID: a1d6c3e8f201
Revises: c3f8e5a0b423
Create Date: 2026-11-29 06:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a1d6c3e8f201"
down_revision: str | None = "c3f8e5a0b423"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_enterprise_uscc_trgm ON enterprise USING gin (uscc gin_trgm_ops)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_enterprise_uscc_trgm")
