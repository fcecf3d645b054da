"""Which users hold a permission through their roles, as a SQL condition: the pickers of
officers (patrols, dispatched tasks) list only people who may do the work."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select

from geo.org.models import Role, RolePermission, UserAccount, UserRole

__all__ = ["holds"]


def holds(permission: str, user_id: ColumnElement[int] | None = None) -> ColumnElement[bool]:
    """One of the user's roles grants `permission` (a superuser role grants all);
    `user_id` defaults to `UserAccount.id` of the surrounding query."""
    who = UserAccount.id if user_id is None else user_id
    return exists().where(
        UserRole.user_id == who,
        or_(
            UserRole.role_code.in_(
                select(RolePermission.role_code).where(RolePermission.permission == permission)
            ),
            UserRole.role_code.in_(select(Role.code).where(Role.is_superuser)),
        ),
    )
