"""Event work orders (GM-1, GM-4, GM-5): who holds a work order, its deadline, the new
statuses of the dispatch process, the history of transitions and the daily numbering.

Revision ID: 7eec8769b822
Revises: 29a73767847f
Create Date: 2026-11-29 00:30:13
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7eec8769b822"
down_revision: str | None = "29a73767847f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("reported", "dispatched", "handling", "to_close", "closed", "cancelled")
# geo/event/workflow.py at the time of this revision.
NEW_STATUSES = (
    "reported", "claimed", "accepted", "returned", "dispatched", "handling", "to_close",
    "verifying", "rework", "closed", "cancelled",
)  # fmt: skip
# Downgrading folds each new status into the old one a desk would have shown.
FOLD = {
    "claimed": "reported",
    "accepted": "reported",
    "returned": "reported",
    "verifying": "to_close",
    "rework": "handling",
}
USER_COLUMNS = ("reporter_id", "claimed_by_id", "assignee_user_id", "verifier_id")


def _status_check(statuses: Sequence[str]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def upgrade() -> None:
    op.drop_constraint("ck_event_status", "event", type_="check")
    op.create_check_constraint("ck_event_status", "event", _status_check(NEW_STATUSES))
    for column in USER_COLUMNS:
        op.add_column("event", sa.Column(column, sa.BigInteger(), nullable=True))
        op.create_foreign_key(
            f"fk_event_{column}", "event", "user_account", [column], ["id"], ondelete="RESTRICT"
        )
        op.create_index(f"ix_event_{column}", "event", [column])
    op.add_column("event", sa.Column("assignee_department_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        "fk_event_assignee_department_id", "event", "department",
        ["assignee_department_id"], ["id"], ondelete="RESTRICT",
    )  # fmt: skip
    op.create_index("ix_event_assignee_department_id", "event", ["assignee_department_id"])
    op.create_check_constraint(
        "ck_event_one_assignee",
        "event",
        "assignee_user_id IS NULL OR assignee_department_id IS NULL",
    )
    op.add_column("event", sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_event_pool", "event", ["region_id", "reported_at"],
        postgresql_where=sa.text("status = 'reported'"),
    )  # fmt: skip

    op.create_table(
        "event_action",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_name", sa.String(length=50), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("target_user_id", sa.BigInteger(), nullable=True),
        sa.Column("target_department_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["target_user_id"], ["user_account.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["target_department_id"], ["department.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_event_action_event", "event_action", ["event_id", "id"])

    op.create_table(
        "event_number",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("event_number")
    op.drop_index("ix_event_action_event", table_name="event_action")
    op.drop_table("event_action")
    op.drop_index("ix_event_pool", table_name="event")
    op.drop_column("event", "deadline")
    op.drop_constraint("ck_event_one_assignee", "event", type_="check")
    op.drop_index("ix_event_assignee_department_id", table_name="event")
    op.drop_constraint("fk_event_assignee_department_id", "event", type_="foreignkey")
    op.drop_column("event", "assignee_department_id")
    for column in reversed(USER_COLUMNS):
        op.drop_index(f"ix_event_{column}", table_name="event")
        op.drop_constraint(f"fk_event_{column}", "event", type_="foreignkey")
        op.drop_column("event", column)
    op.drop_constraint("ck_event_status", "event", type_="check")
    for new, old in FOLD.items():
        op.execute(
            sa.text("UPDATE event SET status = :old WHERE status = :new").bindparams(
                old=old, new=new
            )
        )
    op.create_check_constraint("ck_event_status", "event", _status_check(OLD_STATUSES))
