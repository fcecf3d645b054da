"""Town admins draw their grids (grid.edit) and assign grid members (grid.assign).

Revision ID: c4f7a9e1b2d3
Revises: b8e6f4a2d197
Create Date: 2026-11-29 02:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c4f7a9e1b2d3"
down_revision: str | None = "b8e6f4a2d197"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRANTS = ("grid.edit", "grid.assign")


def upgrade() -> None:
    for permission in GRANTS:
        op.execute(
            "INSERT INTO role_permission (role_code, permission) "
            f"VALUES ('region_admin', '{permission}') ON CONFLICT DO NOTHING"
        )


def downgrade() -> None:
    op.execute(
        "DELETE FROM role_permission WHERE role_code = 'region_admin' "
        "AND permission IN ('grid.edit', 'grid.assign')"
    )
