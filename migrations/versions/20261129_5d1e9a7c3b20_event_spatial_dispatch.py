"""Spatial dispatch (GIS-5): suspected duplicates and merging, routing rules
(category × area → department).

Revision ID: 5d1e9a7c3b20
Revises: c39a278512f2
Create Date: 2026-11-29 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d1e9a7c3b20"
down_revision: str | None = "c39a278512f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("event", sa.Column("merged_into_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        "event_merged_into_id_fkey", "event", "event", ["merged_into_id"], ["id"],
        ondelete="RESTRICT",
    )  # fmt: skip
    op.create_index(
        "ix_event_geog", "event", [sa.text("(geography(geom))")], postgresql_using="gist"
    )
    op.create_table(
        "event_duplicate",
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("candidate_id", sa.BigInteger(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.CheckConstraint("event_id <> candidate_id", name="ck_event_duplicate_self"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["candidate_id"], ["event.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_id", "candidate_id"),
    )
    op.create_index("ix_event_duplicate_candidate", "event_duplicate", ["candidate_id"])
    op.create_table(
        "event_routing_rule",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("category_code", sa.String(length=16), nullable=False),
        sa.Column("region_id", sa.BigInteger(), nullable=False),
        sa.Column("department_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["category_code"], ["event_category.code"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("category_code", "region_id", name="uq_event_routing_rule"),
    )  # fmt: skip
    op.create_index("ix_event_routing_rule_region_id", "event_routing_rule", ["region_id"])
    op.create_index("ix_event_routing_rule_department_id", "event_routing_rule", ["department_id"])


def downgrade() -> None:
    op.drop_table("event_routing_rule")
    op.drop_table("event_duplicate")
    op.drop_index("ix_event_geog", table_name="event")
    op.drop_constraint("event_merged_into_id_fkey", "event", type_="foreignkey")
    op.drop_column("event", "merged_into_id")
