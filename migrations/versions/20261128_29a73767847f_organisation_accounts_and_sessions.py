"""organisation, accounts and sessions

Revision ID: 29a73767847f
Revises: a8b7c6d5e4f3
Create Date: 2026-11-28 23:23:06.705939
"""

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "29a73767847f"
down_revision: str | None = "a8b7c6d5e4f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The built-in roles and the grants a new installation starts with (geo/org/permissions.py
# at the time of this revision; later revisions add the grants of new permissions).
BUILTIN_ROLES = [
    ("administrator", "系统管理员", "全局管理员：拥有全部权限", True, []),
    (
        "region_admin",
        "区域管理员",
        "维护本区域的用户、部门、区划、中心、窗口、参数与日历",
        False,
        [
            "map.export",
            "map.view",
            "system.audit.view",
            "system.calendar.manage",
            "system.calendar.view",
            "system.centre.manage",
            "system.centre.view",
            "system.department.manage",
            "system.department.view",
            "system.parameter.manage",
            "system.parameter.view",
            "system.region.manage",
            "system.region.view",
            "system.role.view",
            "system.user.manage",
            "system.user.view",
        ],
    ),
    (
        "district_dispatcher",
        "区指挥中心调度员",
        "全区事件受理、派遣、督办、延期二级审核与结案",
        False,
        [
            "attendance.review",
            "command.view",
            "event.close",
            "event.dispatch",
            "event.handle",
            "event.report",
            "event.review_extension",
            "event.supervise",
            "event.view",
            "grid.assign",
            "map.export",
            "map.view",
            "system.calendar.view",
            "system.department.view",
            "system.region.view",
        ],
    ),
    (
        "subcentre_dispatcher",
        "分中心调度员",
        "本镇事件索取、派遣、延期一级审核与结案",
        False,
        [
            "attendance.review",
            "event.close",
            "event.dispatch",
            "event.report",
            "event.review_extension",
            "event.view",
            "map.export",
            "map.view",
            "system.calendar.view",
            "system.department.view",
            "system.region.view",
        ],
    ),
    (
        "department_handler",
        "部门处置人员",
        "签收、处置、反馈本部门事件，申请延期",
        False,
        [
            "event.handle",
            "event.view",
            "map.view",
            "system.calendar.view",
            "system.department.view",
            "system.region.view",
        ],
    ),
    (
        "grid_member",
        "网格员",
        "上报事件、核查、考勤签到",
        False,
        [
            "attendance.check_in",
            "event.handle",
            "event.report",
            "event.view",
            "map.view",
            "system.calendar.view",
            "system.department.view",
            "system.region.view",
        ],
    ),
    (
        "officer",
        "执法队员",
        "执行检查、巡查与下派任务，立案办案",
        False,
        [
            "case.handle",
            "case.register",
            "case.view",
            "inspection.perform",
            "inspection.view",
            "map.view",
            "patrol.perform",
            "system.calendar.view",
            "system.department.view",
            "system.region.view",
            "task.perform",
        ],
    ),
    (
        "squad_leader",
        "中队长",
        "中队任务转派、巡查安排、案件审核",
        False,
        [
            "case.approve",
            "case.handle",
            "case.register",
            "case.view",
            "inspection.draw",
            "inspection.perform",
            "inspection.view",
            "map.export",
            "map.view",
            "patrol.perform",
            "patrol.plan",
            "system.calendar.view",
            "system.department.view",
            "system.region.view",
            "task.dispatch",
            "task.perform",
            "task.redispatch",
        ],
    ),
    (
        "legal_officer",
        "法制审核员",
        "案件法制审核",
        False,
        [
            "case.legal_review",
            "case.view",
            "inspection.view",
            "map.view",
            "system.calendar.view",
            "system.department.view",
            "system.region.view",
        ],
    ),
    (
        "window_clerk",
        "窗口受理人员",
        "窗口受理办件",
        False,
        [
            "approval.accept",
            "approval.view",
            "map.view",
            "system.calendar.view",
            "system.department.view",
            "system.region.view",
        ],
    ),
    (
        "leader",
        "领导",
        "查看指挥大屏、统计与各类业务",
        False,
        [
            "approval.review",
            "approval.view",
            "case.approve",
            "case.view",
            "command.view",
            "event.supervise",
            "event.view",
            "inspection.view",
            "map.export",
            "map.view",
            "system.audit.view",
            "system.calendar.view",
            "system.department.view",
            "system.region.view",
        ],
    ),
]


def _insert_builtin_roles() -> None:
    role = sa.table(
        "role",
        sa.column("code"),
        sa.column("name"),
        sa.column("description"),
        sa.column("is_builtin"),
        sa.column("is_superuser"),
    )
    grant = sa.table("role_permission", sa.column("role_code"), sa.column("permission"))
    op.bulk_insert(
        role,
        [
            {"code": c, "name": n, "description": d, "is_builtin": True, "is_superuser": su}
            for c, n, d, su, _ in BUILTIN_ROLES
        ],
    )
    op.bulk_insert(
        grant,
        [{"role_code": c, "permission": p} for c, _, _, _, grants in BUILTIN_ROLES for p in grants],
    )


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "role",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("is_builtin", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_superuser", sa.Boolean(), server_default=sa.text("false"), nullable=False),
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
        sa.CheckConstraint("code ~ '^[a-z][a-z0-9_]{1,39}$'", name="ck_role_code"),
        sa.PrimaryKeyConstraint("code"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "department",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("region_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "is_window_department", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("sort_order", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
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
        sa.ForeignKeyConstraint(["parent_id"], ["department.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_id", "name", name="uq_department_region_name"),
    )
    op.create_index(op.f("ix_department_parent_id"), "department", ["parent_id"], unique=False)
    op.create_index(op.f("ix_department_region_id"), "department", ["region_id"], unique=False)
    op.create_table(
        "role_permission",
        sa.Column("role_code", sa.String(length=40), nullable=False),
        sa.Column("permission", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["role_code"], ["role.code"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("role_code", "permission"),
    )
    op.create_table(
        "service_centre",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("region_id", sa.BigInteger(), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
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
        sa.CheckConstraint(
            "level IN ('city', 'county', 'branch', 'town', 'village')",
            name="ck_service_centre_level",
        ),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_id", "name", name="uq_service_centre_region_name"),
    )
    op.create_index(
        op.f("ix_service_centre_region_id"), "service_centre", ["region_id"], unique=False
    )
    op.create_table(
        "hall",
        sa.Column("centre_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
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
        sa.ForeignKeyConstraint(["centre_id"], ["service_centre.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("centre_id", "name", name="uq_hall_centre_name"),
    )
    op.create_index(op.f("ix_hall_centre_id"), "hall", ["centre_id"], unique=False)
    op.create_table(
        "squad",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("department_id", sa.BigInteger(), nullable=False),
        sa.Column("region_id", sa.BigInteger(), nullable=False),
        sa.Column("leader_id", sa.BigInteger(), nullable=True),
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
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("department_id", "name", name="uq_squad_department_name"),
    )
    op.create_index(op.f("ix_squad_department_id"), "squad", ["department_id"], unique=False)
    op.create_index(op.f("ix_squad_region_id"), "squad", ["region_id"], unique=False)
    op.create_table(
        "service_window",
        sa.Column("centre_id", sa.BigInteger(), nullable=False),
        sa.Column("hall_id", sa.BigInteger(), nullable=True),
        sa.Column("department_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
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
        sa.ForeignKeyConstraint(["centre_id"], ["service_centre.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["hall_id"], ["hall.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("centre_id", "number", name="uq_service_window_number"),
    )
    op.create_index(
        op.f("ix_service_window_centre_id"), "service_window", ["centre_id"], unique=False
    )
    op.create_index(op.f("ix_service_window_hall_id"), "service_window", ["hall_id"], unique=False)
    op.create_table(
        "user_account",
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("region_id", sa.BigInteger(), nullable=False),
        sa.Column("department_id", sa.BigInteger(), nullable=True),
        sa.Column("squad_id", sa.BigInteger(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column(
            "password_changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cert_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.text("false"), nullable=False),
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
        sa.CheckConstraint(
            "username ~ '^[a-z][a-z0-9_.-]{2,31}$'", name="ck_user_account_username"
        ),
        sa.CheckConstraint("failed_logins >= 0", name="ck_user_account_failed_logins"),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["squad_id"], ["squad.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_user_account_department_id"), "user_account", ["department_id"], unique=False
    )
    op.create_index(op.f("ix_user_account_region_id"), "user_account", ["region_id"], unique=False)
    op.create_index(op.f("ix_user_account_squad_id"), "user_account", ["squad_id"], unique=False)
    op.create_index(
        "uq_user_account_cert_fingerprint",
        "user_account",
        ["cert_fingerprint"],
        unique=True,
        postgresql_where=sa.text("cert_fingerprint IS NOT NULL"),
    )
    op.create_index("uq_user_account_username", "user_account", ["username"], unique=True)
    # squad.leader_id → user_account: the two tables refer to each other.
    op.create_foreign_key(
        "fk_squad_leader_id", "squad", "user_account", ["leader_id"], ["id"], ondelete="SET NULL"
    )
    op.create_table(
        "auth_session",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("window_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "last_seen_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip", postgresql.INET(), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.CheckConstraint("kind IN ('browser', 'bearer')", name="ck_auth_session_kind"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["window_id"], ["service_window.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_auth_session_user", "auth_session", ["user_id"], unique=False)
    op.create_table(
        "user_role",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["role_code"], ["role.code"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "role_code"),
    )
    op.create_index(op.f("ix_user_role_role_code"), "user_role", ["role_code"], unique=False)
    op.create_table(
        "window_staff",
        sa.Column("window_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["window_id"], ["service_window.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("window_id", "user_id"),
    )
    op.create_index(op.f("ix_window_staff_user_id"), "window_staff", ["user_id"], unique=False)
    # ### end Alembic commands ###
    _insert_builtin_roles()


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_index(op.f("ix_window_staff_user_id"), table_name="window_staff")
    op.drop_table("window_staff")
    op.drop_index(op.f("ix_user_role_role_code"), table_name="user_role")
    op.drop_table("user_role")
    op.drop_index("ix_auth_session_user", table_name="auth_session")
    op.drop_table("auth_session")
    op.drop_constraint("fk_squad_leader_id", "squad", type_="foreignkey")
    op.drop_index("uq_user_account_username", table_name="user_account")
    op.drop_index(
        "uq_user_account_cert_fingerprint",
        table_name="user_account",
        postgresql_where=sa.text("cert_fingerprint IS NOT NULL"),
    )
    op.drop_index(op.f("ix_user_account_squad_id"), table_name="user_account")
    op.drop_index(op.f("ix_user_account_region_id"), table_name="user_account")
    op.drop_index(op.f("ix_user_account_department_id"), table_name="user_account")
    op.drop_table("user_account")
    op.drop_index(op.f("ix_service_window_hall_id"), table_name="service_window")
    op.drop_index(op.f("ix_service_window_centre_id"), table_name="service_window")
    op.drop_table("service_window")
    op.drop_index(op.f("ix_squad_region_id"), table_name="squad")
    op.drop_index(op.f("ix_squad_department_id"), table_name="squad")
    op.drop_table("squad")
    op.drop_index(op.f("ix_hall_centre_id"), table_name="hall")
    op.drop_table("hall")
    op.drop_index(op.f("ix_service_centre_region_id"), table_name="service_centre")
    op.drop_table("service_centre")
    op.drop_table("role_permission")
    op.drop_index(op.f("ix_department_region_id"), table_name="department")
    op.drop_index(op.f("ix_department_parent_id"), table_name="department")
    op.drop_table("department")
    op.drop_table("role")
    # ### end Alembic commands ###
