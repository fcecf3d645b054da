"""Rules shared by the staff and item registers of random inspections (DR-3 … DR-5).

Reading a register needs `inspection.view`, changing it `inspection.configure`. Global
configuration (officer types, item categories, items and their check lists) is one
catalogue for the whole district: every viewer reads it, only district-wide holders of
`inspection.configure` change it. Region-bound rows (officers, experts) are read and
changed only inside the actor's region subtree; another town's rows are "not found".
"""

from __future__ import annotations

from typing import Any

from geo.core import paging
from geo.core.actor import Actor
from geo.core.errors import DomainError, Forbidden

__all__ = [
    "CONFIGURE",
    "MAX_PAGE",
    "VIEW",
    "AreaRefused",
    "RegisterRuleError",
    "after_id",
    "ensure_global_editor",
]

VIEW = "inspection.view"
CONFIGURE = "inspection.configure"
MAX_PAGE = 200


class RegisterRuleError(DomainError):
    """A register entry that breaks a rule (422)."""

    code = "InspectionRuleBroken"
    status = 422


class AreaRefused(RegisterRuleError):
    """An enforcement area refused by a rule, with the offending part for the map."""

    code = "AreaRefused"

    def __init__(
        self, detail: str, *, area_m2: float | None = None, geometry: dict[str, Any] | None = None
    ) -> None:
        super().__init__(detail)
        self.area_m2 = area_m2
        self.geometry = geometry


def ensure_global_editor(actor: Actor, what: str) -> None:
    """403 unless the actor may change the district-wide catalogue `what`."""
    actor.require(CONFIGURE)
    if not actor.is_district_wide:
        raise Forbidden(f"{what}为全区统一配置，只能由区级管理人员维护")


def after_id(cursor: str | None) -> int | None:
    """The id a keyset page continues after (the previous page's `next_cursor`)."""
    return paging.after_id(cursor, error=RegisterRuleError)
