"""The data scope (SYS-10) of the map layers: which rows of a layer an actor may read.

A feature belongs to the region in its `region_id` (the grid it lies in); a row of a
region layer (towns, communities, grids) *is* a region, so its own id decides: a town
user reads their town and everything below it. District-wide actors, and internal
callers with no actor (`None`), read everything with exactly the unscoped queries.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from geo.core.actor import Actor
from geo.core.scope import readable, scope_params, scope_sql
from geo.layers import Layer

__all__ = ["layer_scope", "layer_scope_params", "layer_scope_sql", "region_column", "unscoped"]


def unscoped(actor: Actor | None) -> bool:
    return actor is None or actor.is_district_wide


def region_column(layer: Layer) -> str:
    return "id" if layer.region_level is not None else "region_id"


def layer_scope(actor: Actor | None, layer: Layer) -> list[ColumnElement[bool]]:
    """WHERE clauses (none when unscoped) for ORM statements over `layer.table`."""
    if unscoped(actor):
        return []
    assert actor is not None
    return [readable(actor, layer.table.c[region_column(layer)])]


def layer_scope_sql(actor: Actor | None, layer: Layer, alias: str = "t") -> str:
    """` AND <filter>` for hand-written SQL over `layer` aliased `alias` ('' when
    unscoped); bind `layer_scope_params(actor)` with it."""
    if unscoped(actor):
        return ""
    return " AND " + scope_sql(actor, f"{alias}.{region_column(layer)}")


def layer_scope_params(actor: Actor | None) -> dict[str, Any]:
    return dict(scope_params(actor))
