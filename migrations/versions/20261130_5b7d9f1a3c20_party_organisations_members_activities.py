"""Party building (CMD-2): party organisations in a tree (each at its site or an own
point), their members (optionally linked to an account: 党员网格员) and their activities at
positions on the map. Leaders read them (party.view); town admins keep them (party).

Revision ID: 5b7d9f1a3c20
Revises: 7e1a2b3c4d56
Create Date: 2026-11-29 07:09:29.303713
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "5b7d9f1a3c20"
down_revision: str | None = "7e1a2b3c4d56"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRANTS = (
    ("leader", "party.view"),
    ("region_admin", "party.view"),
    ("region_admin", "party.manage"),
)


def upgrade() -> None:
    op.create_geospatial_table(
        "party_organisation",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("secretary", sa.String(length=50), nullable=True),
        sa.Column("contact_phone", sa.String(length=11), nullable=True),
        sa.Column("founded_on", sa.Date(), nullable=True),
        sa.Column("site_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4490,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("region_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "contact_phone IS NULL OR contact_phone ~ '^1[3-9][0-9]{9}$'", name="ck_party_org_phone"
        ),
        sa.CheckConstraint(
            "kind IN ('committee', 'general_branch', 'branch')", name="ck_party_org_kind"
        ),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name="ck_party_org_not_own_parent"
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["party_organisation.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["site_id"], ["party_site.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_geospatial_index(
        "idx_party_organisation_geom",
        "party_organisation",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_party_organisation_parent_id"), "party_organisation", ["parent_id"], unique=False
    )
    op.create_index(
        op.f("ix_party_organisation_region_id"), "party_organisation", ["region_id"], unique=False
    )
    op.create_index(
        op.f("ix_party_organisation_site_id"), "party_organisation", ["site_id"], unique=False
    )
    op.create_geospatial_table(
        "party_activity",
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.BigInteger(), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=True),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4490,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("region_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('three_meetings', 'theme_day', 'volunteer', 'study', 'other')",
            name="ck_party_activity_kind",
        ),
        sa.CheckConstraint("participants >= 0", name="ck_party_activity_participants"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["party_organisation.id"], ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["site_id"], ["party_site.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_geospatial_index(
        "idx_party_activity_geom",
        "party_activity",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_party_activity_held_at", "party_activity", ["held_at"], unique=False)
    op.create_index(
        op.f("ix_party_activity_organisation_id"),
        "party_activity",
        ["organisation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_party_activity_region_id"), "party_activity", ["region_id"], unique=False
    )
    op.create_index(op.f("ix_party_activity_site_id"), "party_activity", ["site_id"], unique=False)
    op.create_table(
        "party_member",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("gender", sa.String(length=6), nullable=False),
        sa.Column("organisation_id", sa.BigInteger(), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("region_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("gender IN ('male', 'female')", name="ck_party_member_gender"),
        sa.CheckConstraint(
            "phone IS NULL OR phone ~ '^1[3-9][0-9]{9}$'", name="ck_party_member_phone"
        ),
        sa.CheckConstraint("status IN ('full', 'probationary')", name="ck_party_member_status"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["party_organisation.id"], ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_party_member_name_trgm",
        "party_member",
        ["name"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.create_index(
        op.f("ix_party_member_organisation_id"), "party_member", ["organisation_id"], unique=False
    )
    op.create_index(op.f("ix_party_member_region_id"), "party_member", ["region_id"], unique=False)
    op.create_index(
        "ux_party_member_user",
        "party_member",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("user_id IS NOT NULL"),
    )
    for role, permission in GRANTS:
        op.execute(
            "INSERT INTO role_permission (role_code, permission) "
            f"VALUES ('{role}', '{permission}') ON CONFLICT DO NOTHING"
        )


def downgrade() -> None:
    op.execute("DELETE FROM role_permission WHERE permission LIKE 'party.%'")
    op.drop_index(
        "ux_party_member_user",
        table_name="party_member",
        postgresql_where=sa.text("user_id IS NOT NULL"),
    )
    op.drop_index(op.f("ix_party_member_region_id"), table_name="party_member")
    op.drop_index(op.f("ix_party_member_organisation_id"), table_name="party_member")
    op.drop_index(
        "ix_party_member_name_trgm",
        table_name="party_member",
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.drop_table("party_member")
    op.drop_index(op.f("ix_party_activity_site_id"), table_name="party_activity")
    op.drop_index(op.f("ix_party_activity_region_id"), table_name="party_activity")
    op.drop_index(op.f("ix_party_activity_organisation_id"), table_name="party_activity")
    op.drop_index("ix_party_activity_held_at", table_name="party_activity")
    op.drop_geospatial_index(
        "idx_party_activity_geom",
        table_name="party_activity",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("party_activity")
    op.drop_index(op.f("ix_party_organisation_site_id"), table_name="party_organisation")
    op.drop_index(op.f("ix_party_organisation_region_id"), table_name="party_organisation")
    op.drop_index(op.f("ix_party_organisation_parent_id"), table_name="party_organisation")
    op.drop_geospatial_index(
        "idx_party_organisation_geom",
        table_name="party_organisation",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("party_organisation")
