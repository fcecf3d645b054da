"""Town admins keep their town's inspection registers (supervised objects, officers,
experts): region_admin gains inspection.view and inspection.configure.

Revision ID: f6c1b8d3e902
Revises: a1d6c3e8f201
Create Date: 2026-11-29 05:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f6c1b8d3e902"
down_revision: str | None = "a1d6c3e8f201"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRANTS = ("inspection.view", "inspection.configure")


def upgrade() -> None:
    for permission in GRANTS:
        op.execute(
            "INSERT INTO role_permission (role_code, permission) "
            f"VALUES ('region_admin', '{permission}') ON CONFLICT DO NOTHING"
        )


def downgrade() -> None:
    op.execute(
        "DELETE FROM role_permission WHERE role_code = 'region_admin' "
        "AND permission IN ('inspection.view', 'inspection.configure')"
    )
