"""Each region's label point (centre of its largest inscribed circle), computed once on
write instead of for every tile that shows the name.

Revision ID: c3d9a7e5b210
Revises: b7c1e2f4a901
Create Date: 2026-11-28 22:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c3d9a7e5b210"
down_revision: str | None = "b7c1e2f4a901"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("""
        ALTER TABLE region ADD COLUMN label_point geometry(Point, 4490)
            GENERATED ALWAYS AS ((ST_MaximumInscribedCircle(geom)).center) STORED
    """)
    op.execute("CREATE INDEX ix_region_label_point ON region USING gist (label_point)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_region_label_point")
    op.execute("ALTER TABLE region DROP COLUMN label_point")
