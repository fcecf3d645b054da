"""All SQL of the audit log. Works on a Session or a bare Connection (the demo generator
edits the calendar inside its own Connection's transaction, and those edits are audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from geo.audit.models import AuditLog

Executor = Session | Connection

_COLUMNS = (
    "id, at, actor_id, actor_name, action, object_type, object_id, "
    "region_path::text AS region_path, before, after, detail, host(ip) AS ip"
)


def insert_entry(
    db: Executor,
    *,
    action: str,
    object_type: str,
    object_id: str,
    before_json: str | None,
    after_json: str | None,
    actor_id: int | None,
    actor_name: str | None,
    region_path: str | None,
    detail: str | None,
    ip: str | None,
) -> int:
    """Append one row (in the caller's transaction); returns its id."""
    return int(
        db.execute(
            text("""
                INSERT INTO audit_log (actor_id, actor_name, action, object_type, object_id,
                                       region_path, before, after, detail, ip)
                VALUES (:actor_id, :actor_name, :action, :object_type, :object_id,
                        CAST(:region_path AS ltree), CAST(:before AS jsonb),
                        CAST(:after AS jsonb), :detail, CAST(:ip AS inet))
                RETURNING id"""),
            {
                "actor_id": actor_id,
                "actor_name": actor_name,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "region_path": region_path,
                "before": before_json,
                "after": after_json,
                "detail": detail,
                "ip": ip,
            },
        ).scalar_one()
    )


def search_entries(
    db: Executor,
    *,
    action: str | None,
    object_type: str | None,
    object_id: str | None,
    actor_id: int | None,
    since: datetime | None,
    until: datetime | None,
    region_path: str | None,
    after_id: int | None,
    limit: int,
) -> list[AuditLog]:
    """Rows matching every given filter, newest first, strictly older than `after_id`.
    Only fixed SQL fragments are joined; every value is a bound parameter."""
    params: dict[str, Any] = {
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "actor_id": actor_id,
        "since": since,
        "until": until,
        "region_path": region_path,
        "after_id": after_id,
        "limit": limit,
    }
    fragments = {
        "action": "action = :action",
        "object_type": "object_type = :object_type",
        "object_id": "object_id = :object_id",
        "actor_id": "actor_id = :actor_id",
        "since": "at >= :since",
        "until": "at < :until",
        "region_path": "region_path <@ CAST(:region_path AS ltree)",
        "after_id": "id < :after_id",
    }
    where = [sql for name, sql in fragments.items() if params[name] is not None]
    sql = f"SELECT {_COLUMNS} FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT :limit"
    rows = db.execute(text(sql), params).mappings().all()
    return [AuditLog(**row) for row in rows]
