"""The permission catalogue, the built-in roles the migration installs, the generated
matrix in docs/, and the demo accounts that cover every role."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import text

from data.demo.accounts import TOWNS, demo_accounts
from geo.org.permissions import BUILTIN_ROLES, PERMISSIONS

ROOT = Path(__file__).resolve().parents[3]


def _matrix_script():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("matrix", ROOT / "scripts/permission_matrix.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_matrix_is_generated_from_the_catalogue() -> None:
    expected = _matrix_script().matrix()
    assert (ROOT / "docs/permissions.md").read_text() == expected, (
        "docs/permissions.md is stale: run scripts/permission_matrix.py > docs/permissions.md"
    )


def test_permission_codes_are_module_dot_action() -> None:
    for code, permission in PERMISSIONS.items():
        module, _, action = code.rpartition(".")
        assert module and action and permission.module == module
        assert permission.label


def test_migration_installs_the_built_in_roles_and_grants(db) -> None:  # noqa: ANN001
    rows = db.execute(
        text("""SELECT r.code, r.is_superuser, r.is_builtin,
                       coalesce(array_agg(p.permission)
                                FILTER (WHERE p.permission IS NOT NULL), '{}')
                FROM role r LEFT JOIN role_permission p ON p.role_code = r.code
                WHERE r.is_builtin GROUP BY r.code""")
    ).all()
    installed = {code: (superuser, frozenset(grants)) for code, superuser, _, grants in rows}
    assert installed == {r.code: (r.superuser, r.grants) for r in BUILTIN_ROLES}


def test_every_grant_of_a_built_in_role_is_a_known_permission() -> None:
    for role in BUILTIN_ROLES:
        assert role.grants <= PERMISSIONS.keys(), role.code
        assert role.superuser or role.grants, f"{role.code} grants nothing"


def test_demo_accounts_cover_every_role_in_both_towns(db) -> None:  # noqa: ANN001
    district_roles = {"administrator", "district_dispatcher"}
    town_roles = {r.code for r in BUILTIN_ROLES} - district_roles
    for town_code, prefix, _ in TOWNS:
        held = {
            role
            for (role,) in db.execute(
                text("""SELECT ur.role_code FROM user_account u
                        JOIN user_role ur ON ur.user_id = u.id
                        JOIN region r ON r.id = u.region_id
                        JOIN region t ON t.code = :town AND r.path <@ t.path
                        WHERE u.is_demo AND u.username LIKE :prefix"""),
                {"town": town_code, "prefix": prefix + "\\_%"},
            )
        }
        assert held == town_roles, prefix
    names = [a.username for a in demo_accounts()]
    assert len(names) == len(set(names))
    assert {"admin", "center", "leader"} <= set(names)
