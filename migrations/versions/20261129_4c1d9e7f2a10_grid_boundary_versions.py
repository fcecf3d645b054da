"""Grid boundary versions; events keep the grid version and responsible member of their report.

Revision ID: 4c1d9e7f2a10
Revises: 5d2e0f8a3b21
Create Date: 2026-11-29 03:10:00.000000
"""

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op

revision: str = "4c1d9e7f2a10"
down_revision: str | None = "5d2e0f8a3b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every new or redrawn grid outline becomes a version, whoever writes region.geom; the grid
# screen names who and why in transaction settings (set_config(..., true)).
VERSION_FUNCTION = """
CREATE FUNCTION grid_boundary_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    previous integer;
BEGIN
    UPDATE grid_boundary SET valid_to = now()
     WHERE grid_id = NEW.id AND valid_to IS NULL
    RETURNING version INTO previous;
    INSERT INTO grid_boundary (grid_id, version, geom, valid_from, changed_by, reason)
    VALUES (NEW.id, coalesce(previous, 0) + 1, NEW.geom, now(),
            CAST(nullif(current_setting('grid.changed_by', true), '') AS bigint),
            nullif(current_setting('grid.change_reason', true), ''));
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "grid_boundary",
        sa.Column("grid_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4490,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),  # fmt: skip
        sa.Column(
            "valid_from",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),  # fmt: skip
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_by", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name="ck_grid_boundary_period"
        ),
        sa.CheckConstraint("version >= 1", name="ck_grid_boundary_version"),
        sa.ForeignKeyConstraint(["changed_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["grid_id"], ["region.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("grid_id", "version", name="uq_grid_boundary_version"),
    )
    op.create_index(
        "ux_grid_boundary_current",
        "grid_boundary",
        ["grid_id"],
        unique=True,
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_geospatial_index(
        "idx_grid_boundary_geom", "grid_boundary", ["geom"], unique=False,
        postgresql_using="gist", postgresql_ops={},
    )  # fmt: skip
    # Existing grids: their current outline is version 1.
    op.execute("""
        INSERT INTO grid_boundary (grid_id, version, geom, valid_from, reason)
        SELECT id, 1, geom, created_at, '初始边界' FROM region WHERE level = 'grid'
    """)
    op.execute(VERSION_FUNCTION)
    op.execute("""
        CREATE TRIGGER region_grid_boundary_insert AFTER INSERT ON region
        FOR EACH ROW WHEN (NEW.level = 'grid') EXECUTE FUNCTION grid_boundary_version()
    """)
    op.execute("""
        CREATE TRIGGER region_grid_boundary_update AFTER UPDATE OF geom ON region
        FOR EACH ROW WHEN (NEW.level = 'grid' AND NOT ST_OrderingEquals(OLD.geom, NEW.geom))
        EXECUTE FUNCTION grid_boundary_version()
    """)

    op.add_column("event", sa.Column("grid_boundary_id", sa.BigInteger(), nullable=True))
    op.add_column("event", sa.Column("responsible_member_id", sa.BigInteger(), nullable=True))
    op.create_index(op.f("ix_event_grid_boundary_id"), "event", ["grid_boundary_id"])
    op.create_foreign_key(
        "event_grid_boundary_id_fkey", "event", "grid_boundary", ["grid_boundary_id"], ["id"],
        ondelete="RESTRICT",
    )  # fmt: skip
    op.create_foreign_key(
        "event_responsible_member_id_fkey", "event", "user_account",
        ["responsible_member_id"], ["id"], ondelete="RESTRICT",
    )  # fmt: skip
    # Events already reported were in the grids' first (only) version.
    op.execute("""
        UPDATE event e SET grid_boundary_id = b.id,
               responsible_member_id = (SELECT m.user_id FROM grid_member m
                                        WHERE m.grid_id = e.region_id AND m.is_responsible)
        FROM grid_boundary b WHERE b.grid_id = e.region_id AND b.valid_to IS NULL
    """)


def downgrade() -> None:
    op.drop_constraint("event_responsible_member_id_fkey", "event", type_="foreignkey")
    op.drop_constraint("event_grid_boundary_id_fkey", "event", type_="foreignkey")
    op.drop_index(op.f("ix_event_grid_boundary_id"), table_name="event")
    op.drop_column("event", "responsible_member_id")
    op.drop_column("event", "grid_boundary_id")
    op.execute("DROP TRIGGER region_grid_boundary_update ON region")
    op.execute("DROP TRIGGER region_grid_boundary_insert ON region")
    op.execute("DROP FUNCTION grid_boundary_version()")
    op.drop_index(
        "ux_grid_boundary_current",
        table_name="grid_boundary",
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.drop_geospatial_index(
        "idx_grid_boundary_geom", table_name="grid_boundary", postgresql_using="gist",
        column_name="geom",
    )  # fmt: skip
    op.drop_table("grid_boundary")
