"""Use cases of system parameters (SYS-8): read a parameter as it applies to a region,
set or clear an override (audited). The domain is small enough that its few SQL
statements live here rather than in a repository module.

Resolution: the most specific stored value along the region's ancestry wins — grid →
community → town → district → global (region NULL) — then the default declared in
`registry`. One query: `region.path @> target.path`, deepest first (`nlevel`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Forbidden, NotFound
from geo.core.scope import ensure_readable_region
from geo.parameter.models import SystemParameter
from geo.parameter.registry import PARAMETERS, ParameterError, ParameterSpec, get_spec

__all__ = [
    "ParameterError",
    "ResolvedParameter",
    "clear_parameter",
    "clear_parameter_as",
    "get_parameter",
    "list_parameters",
    "parameters_for",
    "resolve_parameter",
    "set_parameter",
    "set_parameter_as",
]

GLOBAL = "global"  # source of a value stored with region NULL
DEFAULT = "default"  # source of the registry's default


@dataclass(frozen=True)
class ResolvedParameter:
    """A parameter's value for a region and where it came from: `source` is 'default',
    'global', or the level of the region whose override applies (then `source_region_id`)."""

    key: str
    label: str
    value: Any
    source: str
    source_region_id: int | None


# The overrides that apply to :region_id (NULL: only the global one), deepest first;
# `found` tells an unknown region apart from a region without overrides.
_APPLICABLE = """
    SELECT {distinct} p.key, p.value, p.region_id, r.level, t.found
    FROM (SELECT CAST(:region_id AS bigint) IS NULL
                 OR EXISTS (SELECT 1 FROM region WHERE id = :region_id) AS found) AS t
    LEFT JOIN (system_parameter p LEFT JOIN region r ON r.id = p.region_id)
           ON {key_filter}
          AND (p.region_id IS NULL
               OR r.path @> (SELECT path FROM region WHERE id = :region_id))
    ORDER BY {order} nlevel(r.path) DESC NULLS LAST
"""


def _resolved(spec: ParameterSpec, row: Any) -> ResolvedParameter:
    if row is None or row.key is None:
        return ResolvedParameter(spec.key, spec.label, spec.default, DEFAULT, None)
    source = GLOBAL if row.region_id is None else row.level
    return ResolvedParameter(spec.key, spec.label, row.value, source, row.region_id)


def _check_found(found: bool, region_id: int | None) -> None:
    if not found:
        raise NotFound(f"区划 {region_id} 不存在")


def resolve_parameter(
    session: Session, *, key: str, region_id: int | None = None
) -> ResolvedParameter:
    """The value of `key` that applies in the region (None: district-wide) and its source."""
    spec = get_spec(key)
    sql = _APPLICABLE.format(distinct="", key_filter="p.key = :key", order="") + " LIMIT 1"
    row = session.execute(text(sql), {"key": key, "region_id": region_id}).one()
    _check_found(row.found, region_id)
    return _resolved(spec, row)


def get_parameter(session: Session, *, key: str, region_id: int | None = None) -> Any:
    """The value of `key` that applies in the region (None: district-wide)."""
    return resolve_parameter(session, key=key, region_id=region_id).value


def list_parameters(session: Session, *, region_id: int | None = None) -> list[ResolvedParameter]:
    """Every declared parameter as it applies in the region, in registry order."""
    sql = _APPLICABLE.format(
        distinct="DISTINCT ON (p.key)", key_filter="p.key = ANY(:keys)", order="p.key,"
    )
    rows = session.execute(text(sql), {"keys": list(PARAMETERS), "region_id": region_id}).all()
    if rows:
        _check_found(rows[0].found, region_id)
    by_key = {row.key: row for row in rows if row.key is not None}
    return [_resolved(spec, by_key.get(spec.key)) for spec in PARAMETERS.values()]


def _scope(session: Session, region_id: int | None) -> tuple[str | None, str]:
    """(ltree path, Chinese name) of the override's scope."""
    if region_id is None:
        return None, "全局"
    row = session.execute(
        text("SELECT path::text AS path, name FROM region WHERE id = :id"), {"id": region_id}
    ).one_or_none()
    if row is None:
        raise NotFound(f"区划 {region_id} 不存在")
    return row.path, row.name


_SAME_SCOPE = "key = :key AND coalesce(region_id, 0) = coalesce(CAST(:region_id AS bigint), 0)"


def set_parameter(
    session: Session,
    *,
    key: str,
    value: Any,
    region_id: int | None = None,
    actor_id: int | None = None,
    actor_name: str | None = None,
) -> SystemParameter:
    """Store `value` for `key` in the region (None: the global value), after checking it
    against the registry; audited as 'parameter.set' when the value changes."""
    spec = get_spec(key)
    value = spec.validate(value)
    path, scope_name = _scope(session, region_id)
    params = {"key": key, "region_id": region_id}
    before = session.execute(
        text(f"SELECT value FROM system_parameter WHERE {_SAME_SCOPE} FOR UPDATE"), params
    ).one_or_none()
    row = session.execute(
        text("""
            INSERT INTO system_parameter (key, region_id, value)
            VALUES (:key, :region_id, CAST(:value AS jsonb))
            ON CONFLICT (key, (coalesce(region_id, 0)))
            DO UPDATE SET value = EXCLUDED.value, updated_at = now()
            RETURNING id, key, region_id, value, updated_at"""),
        {**params, "value": _json(value)},
    ).one()
    if before is None or before.value != value:
        record(
            session,
            action="parameter.set",
            object_type="system_parameter",
            object_id=key,
            before=None if before is None else {"region_id": region_id, "value": before.value},
            after={"region_id": region_id, "value": value},
            actor_id=actor_id,
            actor_name=actor_name,
            region_path=path,
            detail=f"{spec.label} · {scope_name}",
        )
    return SystemParameter(**row._mapping)


def clear_parameter(
    session: Session,
    *,
    key: str,
    region_id: int | None = None,
    actor_id: int | None = None,
    actor_name: str | None = None,
) -> bool:
    """Remove the override of `key` in the region (None: the global value), so the next
    broader value applies again; audited as 'parameter.clear'. False when there was none."""
    spec = get_spec(key)
    path, scope_name = _scope(session, region_id)
    removed = session.execute(
        text(f"DELETE FROM system_parameter WHERE {_SAME_SCOPE} RETURNING value"),
        {"key": key, "region_id": region_id},
    ).one_or_none()
    if removed is None:
        return False
    record(
        session,
        action="parameter.clear",
        object_type="system_parameter",
        object_id=key,
        before={"region_id": region_id, "value": removed.value},
        after=None,
        actor_id=actor_id,
        actor_name=actor_name,
        region_path=path,
        detail=f"{spec.label} · {scope_name}",
    )
    return True


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# ---- as a signed-in actor sees and changes them (the administration screen) -------------
def _known(key: str) -> ParameterSpec:
    """A key in a URL: unknown is 'not found', not 'broken rule'."""
    if key not in PARAMETERS:
        raise NotFound(f"未知的系统参数 {key}")
    return PARAMETERS[key]


def _check_scope(session: Session, actor: Actor, region_id: int | None) -> None:
    if region_id is None:
        if not actor.is_district_wide:
            raise Forbidden("全局参数只能由区县级管理员设置，请选择本辖区的区划")
        return
    ensure_readable_region(session, actor, region_id)


def parameters_for(
    session: Session, *, actor: Actor, region_id: int | None = None
) -> list[tuple[ParameterSpec, ResolvedParameter]]:
    """Every parameter as it applies in a region of the actor's scope (default: the
    actor's own region), with its declaration."""
    region_id = actor.region_id if region_id is None else region_id
    ensure_readable_region(session, actor, region_id)
    return [(PARAMETERS[p.key], p) for p in list_parameters(session, region_id=region_id)]


def set_parameter_as(
    session: Session, *, actor: Actor, key: str, value: Any, region_id: int | None
) -> tuple[ParameterSpec, ResolvedParameter]:
    """Override `key` in a region of the actor's scope (None: globally, district-wide
    actors only); returns the parameter as it now applies there."""
    spec = _known(key)
    _check_scope(session, actor, region_id)
    set_parameter(
        session, key=key, value=value, region_id=region_id,
        actor_id=actor.user_id, actor_name=actor.display_name,
    )  # fmt: skip
    return spec, resolve_parameter(session, key=key, region_id=region_id)


def clear_parameter_as(
    session: Session, *, actor: Actor, key: str, region_id: int | None
) -> tuple[ParameterSpec, ResolvedParameter]:
    """Remove the override of `key` in the region (None: the global one); returns the
    parameter as it applies there afterwards."""
    spec = _known(key)
    _check_scope(session, actor, region_id)
    clear_parameter(
        session, key=key, region_id=region_id,
        actor_id=actor.user_id, actor_name=actor.display_name,
    )  # fmt: skip
    return spec, resolve_parameter(session, key=key, region_id=region_id)
