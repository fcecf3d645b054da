"""The category 疑似废弃车辆 (suspected abandoned vehicle), the manual's standard-flow
example, under 街面秩序 where GB/T 30428.2 files 废弃车辆, with 5 working days: finding
the owner and posting a removal notice takes longer than clearing a street stall.

Revision ID: b8e6f4a2d197
Revises: 4c1d9e7f2a10
Create Date: 2026-11-29 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8e6f4a2d197"
down_revision: str | None = "4c1d9e7f2a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE, NAME, PARENT, DAYS = "0406", "疑似废弃车辆", "04", 5
AFTER = "0405"  # listed after the last entry of 街面秩序
# Downgrading files its work orders under the entry that stood in for it before.
FALLBACK = "0404"


def upgrade() -> None:
    bind = op.get_bind()
    after = bind.execute(
        sa.text("SELECT sort_order FROM event_category WHERE code = :c"), {"c": AFTER}
    ).scalar_one()
    bind.execute(
        sa.text("UPDATE event_category SET sort_order = sort_order + 1 WHERE sort_order > :s"),
        {"s": after},
    )
    bind.execute(
        sa.text(
            "INSERT INTO event_category (code, name, parent_code, default_days, sort_order) "
            "VALUES (:code, :name, :parent, :days, :sort)"
        ),
        {"code": CODE, "name": NAME, "parent": PARENT, "days": DAYS, "sort": after + 1},
    )


def downgrade() -> None:
    bind = op.get_bind()
    params = {"code": CODE, "fallback": FALLBACK}
    # Its routing rules go with it; the fallback's own rules route those work orders.
    bind.execute(sa.text("DELETE FROM event_routing_rule WHERE category_code = :code"), params)
    bind.execute(
        sa.text("UPDATE event SET category_code = :fallback WHERE category_code = :code"), params
    )
    sort = bind.execute(
        sa.text("DELETE FROM event_category WHERE code = :code RETURNING sort_order"), params
    ).scalar_one()
    bind.execute(
        sa.text("UPDATE event_category SET sort_order = sort_order - 1 WHERE sort_order > :s"),
        {"s": sort},
    )
