"""Audit log (SYS-11), append-only, and system parameters with region overrides (SYS-8).

The audit log refuses UPDATE, DELETE and TRUNCATE with a statement trigger (it fires even
when no row matches, so nobody can probe it quietly) and those privileges are revoked from
PUBLIC. The table owner could still disable the trigger: production should run the
application under a role that does not own the table.

Revision ID: a8b7c6d5e4f3
Revises: f4e5d6c7b8a9
Create Date: 2026-11-28 23:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a8b7c6d5e4f3"
down_revision: str | None = "f4e5d6c7b8a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


class _Ltree(sa.types.UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw):
        return "LTREE"


APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除'
        USING ERRCODE = 'insufficient_privilege', HINT = 'audit_log_append_only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
"""


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_name", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("object_type", sa.Text(), nullable=False),
        sa.Column("object_id", sa.Text(), nullable=False),
        sa.Column("region_path", _Ltree(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("ip", postgresql.INET(), nullable=True),
        sa.CheckConstraint(
            r"action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'", name="ck_audit_log_action"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_object", "audit_log", ["object_type", "object_id", "id"])
    op.create_index("ix_audit_log_action", "audit_log", ["action", "id"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor_id", "id"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index(
        "ix_audit_log_region_path", "audit_log", ["region_path"], postgresql_using="gist"
    )
    op.execute(APPEND_ONLY)

    op.create_table(
        "system_parameter",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("region_id", sa.BigInteger(), nullable=True),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_system_parameter_key_region",
        "system_parameter",
        ["key", sa.text("coalesce(region_id, 0)")],
        unique=True,
    )
    op.create_index(op.f("ix_system_parameter_region_id"), "system_parameter", ["region_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_system_parameter_region_id"), table_name="system_parameter")
    op.drop_index("uq_system_parameter_key_region", table_name="system_parameter")
    op.drop_table("system_parameter")
    # DROP TABLE does not fire the TRUNCATE/DELETE trigger: a downgrade removes the log.
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.drop_table("audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
