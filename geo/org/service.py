"""Use cases of the organisation (SYS-2): one import for routes, CLI and tests.

Roles and the permission matrix live in `roles`, departments in `departments`, squads in
`squads`, accounts in `users` and their credentials in `credentials`; the scope and
anti-escalation rules they share in `rules`. Every function takes keyword arguments and
the acting user as `actor=`, audits its change in the caller's transaction and raises
domain errors (404 outside the actor's region subtree, 409 conflicts, 422 broken rules,
403 escalation).
"""

from __future__ import annotations

from geo.org.credentials import bind_certificate, reset_password, unbind_certificate, unlock_user
from geo.org.departments import (
    create_department,
    delete_department,
    get_department,
    list_departments,
    update_department,
)
from geo.org.roles import (
    create_role,
    delete_role,
    get_role,
    list_permission_modules,
    list_roles,
    update_role,
)
from geo.org.squads import create_squad, delete_squad, get_squad, list_squads, update_squad
from geo.org.users import create_user, get_user, list_users, update_user

__all__ = [
    "bind_certificate",
    "create_department",
    "create_role",
    "create_squad",
    "create_user",
    "delete_department",
    "delete_role",
    "delete_squad",
    "get_department",
    "get_role",
    "get_squad",
    "get_user",
    "list_departments",
    "list_permission_modules",
    "list_roles",
    "list_squads",
    "list_users",
    "reset_password",
    "unbind_certificate",
    "unlock_user",
    "update_department",
    "update_role",
    "update_squad",
    "update_user",
]
