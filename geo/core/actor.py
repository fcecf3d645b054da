"""Who is acting: the signed-in user as every service sees it (SYS-1, SYS-2, SYS-10).

An `Actor` carries the permissions of all the user's roles and the region whose subtree
is their data scope. Services take it as `actor=`; `readable(actor, column)` is the one
filter that keeps a query inside the scope (see `geo.core.scope`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from geo.core.errors import Forbidden

__all__ = ["Actor", "AuditActor", "sessions_changed", "sessions_epoch"]


class AuditActor(TypedDict):
    actor_id: int
    actor_name: str
    ip: str | None


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    display_name: str
    region_id: int
    region_path: str  # ltree of division codes: the data scope is this subtree
    region_level: str
    roles: tuple[str, ...]
    permissions: frozenset[str]
    superuser: bool = False
    department_id: int | None = None
    squad_id: int | None = None
    window_id: int | None = None
    session_id: int | None = None
    ip: str | None = field(default=None, compare=False)

    @property
    def is_district_wide(self) -> bool:
        """The scope is the whole governed district: scope filters can be skipped."""
        return self.region_level == "district"

    def can(self, permission: str) -> bool:
        return self.superuser or permission in self.permissions

    def require(self, permission: str) -> None:
        if not self.can(permission):
            from geo.org.permissions import PERMISSIONS

            known = PERMISSIONS.get(permission)
            label = known.label if known else permission
            raise Forbidden(f"您没有“{label}”的权限（{permission}），请联系管理员授权")

    def audit_fields(self) -> AuditActor:
        """Keyword arguments for `geo.audit.service.record`."""
        return AuditActor(actor_id=self.user_id, actor_name=self.display_name, ip=self.ip)


# Bumped whenever a sign-in, account, role or window assignment changes in this process
# (geo.audit.service.record does it for those actions), so that actors remembered for
# fast reads (api.auth.ActorCache) are forgotten at once.
_sessions_epoch = 0


def sessions_changed() -> None:
    global _sessions_epoch
    _sessions_epoch += 1


def sessions_epoch() -> int:
    return _sessions_epoch
