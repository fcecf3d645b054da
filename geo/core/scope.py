"""Data scope (SYS-10): a user sees and changes only the rows of their region subtree.

Every domain filters its queries through `readable(actor, table.c.region_id)` (ORM) or
`scope_sql(actor, "t.region_id")` (hand-written SQL such as tiles); both become
`region_id IN (SELECT id FROM region WHERE path <@ :scope)`, answered from the GiST index
on `region.path`. District-wide users get no filter at all (rows with no region — the
odd feature outside every division — stay visible to them only).

Skipping the filter for a district-level actor is correct only because the governed area
is exactly one district: every region is that district or lies below it, so "the actor's
subtree" and "everything" are the same set. `region_in_scope` (which compares paths)
agrees with it for the same reason. The invariant is kept by `geo.region.service`, which
refuses to create a second district-level region; should the system ever govern several
districts, `readable` and `scope_sql` must filter district-level actors by path too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, bindparam, cast, select, true
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.errors import NotFound
from geo.core.models import Ltree

__all__ = [
    "ensure_readable_region",
    "path_within",
    "readable",
    "region_in_scope",
    "scope_key",
    "scope_params",
    "scope_sql",
]

SCOPE_PARAM = "scope_path"


def readable(actor: Actor, region_id: ColumnElement[Any] | Any) -> ColumnElement[bool]:
    """A WHERE clause keeping rows whose `region_id` lies in the actor's subtree."""
    from geo.region.models import Region

    if actor.is_district_wide:
        return true()
    scope = cast(bindparam(SCOPE_PARAM, actor.region_path, type_=String, unique=True), Ltree)
    return region_id.in_(select(Region.id).where(Region.path.op("<@")(scope)))


def scope_sql(actor: Actor | None, column: str) -> str:
    """The same filter as SQL text; bind `scope_params(actor)` with it. `actor=None`
    (an internal caller with no user, e.g. a job) and district-wide actors: no filter."""
    if actor is None or actor.is_district_wide:
        return "TRUE"
    return f"{column} IN (SELECT id FROM region WHERE path <@ CAST(:{SCOPE_PARAM} AS ltree))"


def scope_params(actor: Actor | None) -> dict[str, str]:
    if actor is None or actor.is_district_wide:
        return {}
    return {SCOPE_PARAM: actor.region_path}


def scope_key(actor: Actor | None) -> str:
    """What distinguishes one scope's view of shared data (e.g. a tile cache key)."""
    return "" if actor is None or actor.is_district_wide else actor.region_path


def path_within(path: str, ancestor: str) -> bool:
    """The region at `path` is `ancestor` or lies below it (ltree paths as text)."""
    return path == ancestor or path.startswith(ancestor + ".")


def region_in_scope(session: Session, actor: Actor, region_id: int) -> bool:
    from geo.region.models import Region

    path = session.scalar(select(Region.path).where(Region.id == region_id))
    return path is not None and path_within(path, actor.region_path)


def ensure_readable_region(
    session: Session, actor: Actor, region_id: int, *, what: str = "区划"
) -> None:
    """404 (not 403) for a region outside the scope: an id someone guessed reveals nothing."""
    if not region_in_scope(session, actor, region_id):
        raise NotFound(f"未找到{what}（编号 {region_id}），或不在您的管辖范围内")
