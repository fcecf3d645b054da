"""Print the built-in role × permission matrix as Markdown (docs/permissions.md).

.venv/bin/python scripts/permission_matrix.py > docs/permissions.md
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.org.permissions import BUILTIN_ROLES, MODULES  # noqa: E402


def matrix() -> str:
    roles = BUILTIN_ROLES
    lines = [
        "# 角色权限矩阵 · Built-in roles and permissions",
        "",
        "Generated from `geo/org/permissions.py` by `scripts/permission_matrix.py`; a test",
        "keeps it in step. These are the grants a new installation starts with: an",
        "administrator can change any role's grants (except the superuser role's) in",
        "系统管理 → 角色权限. ● granted, blank not granted. Every role acts only inside its",
        "user's region subtree (data scope).",
        "",
        "| 模块 | 权限 | " + " | ".join(f"{r.name}<br>`{r.code}`" for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for module in MODULES:
        for p in module.permissions:
            cells = ["●" if r.superuser or p.code in r.grants else "" for r in roles]
            lines.append(
                f"| {module.label} | {p.label}<br>`{p.code}` | " + " | ".join(cells) + " |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(matrix())
