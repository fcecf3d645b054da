"""The SQL of Open311 answers: the services (leaf categories) and service requests with
what the spec shows of them, in one query (no N+1). Reporters' names, phones and emails
are never selected here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, exists, func, select
from sqlalchemy.orm import Session, aliased

from geo.event.models import Event, EventCategory, EventSource
from geo.open311.models import Open311Request
from geo.org.models import Department
from geo.region.place import GRID as _grid
from geo.region.place import TOWN as _town
from geo.region.place import with_place

MAX_REQUESTS = 1000

_parent = aliased(EventCategory, name="parent")
_child = aliased(EventCategory, name="child")
_merged = aliased(Event, name="merged_into")


def _is_leaf() -> Any:
    """A category with no sub-category (a 小类): what a report is filed under."""
    return ~exists().where(_child.parent_code == EventCategory.code)


def service_rows(session: Session, *, code: str | None = None) -> list[Row[Any]]:
    query = (
        select(
            EventCategory.code,
            EventCategory.name,
            EventCategory.default_days,
            _parent.name.label("group"),
        )  # fmt: skip
        .outerjoin(_parent, _parent.code == EventCategory.parent_code)
        .where(_is_leaf(), EventCategory.default_days.is_not(None))
        .order_by(EventCategory.sort_order, EventCategory.code)
    )
    if code is not None:
        query = query.where(EventCategory.code == code)
    result: Any = session.execute(query)  # rows are read by name
    return list(result.all())


def request_rows(
    session: Session,
    *,
    numbers: list[str] | None = None,
    category: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    statuses: list[str] | None = None,
    limit: int = MAX_REQUESTS,
) -> list[Row[Any]]:
    """Service requests, newest first. `numbers` (event numbers) ignores the other filters.
    Only work orders from the public's own channels are published (source 'public'): the
    internal ones (grid members, patrols, cameras, the hotline's callers) stay inside."""
    selected = select(
        Event.event_no,
        Event.status,
        Event.description,
        Event.address,
        Event.reported_at,
        Event.updated_at,
        Event.closed_at,
        Event.deadline,
        Event.category_code,
        EventCategory.name.label("category_name"),
        EventCategory.default_days,
        func.ST_X(Event.geom).label("lon"),
        func.ST_Y(Event.geom).label("lat"),
        _grid.name.label("grid_name"),
        _town.name.label("town_name"),
        Department.name.label("department_name"),
        _merged.event_no.label("merged_into_no"),
        Open311Request.media_url,
        Open311Request.media_sha256,
    ).join(EventCategory, EventCategory.code == Event.category_code)  # fmt: skip
    query = (
        with_place(selected, Event.region_id)
        .outerjoin(Department, Department.id == Event.assignee_department_id)
        .outerjoin(_merged, _merged.id == Event.merged_into_id)
        .outerjoin(Open311Request, Open311Request.event_id == Event.id)
        .where(Event.source == EventSource.PUBLIC.value)
    )
    if numbers is not None:
        query = query.where(Event.event_no.in_(numbers))
    else:
        if category:
            query = query.where(Event.category_code == category)
        if since is not None:
            query = query.where(Event.reported_at >= since)
        if until is not None:
            query = query.where(Event.reported_at <= until)
        if statuses:
            query = query.where(Event.status.in_(statuses))
    query = query.order_by(Event.reported_at.desc(), Event.id.desc()).limit(limit)
    result: Any = session.execute(query)  # rows are read by name
    return list(result.all())


def published_media_type(session: Session, sha256: str) -> str | None:
    """The type of a photo sent with an Open311 request (None: no such public photo)."""
    from geo.file.models import StoredFile

    return session.scalar(
        select(StoredFile.media_type).where(
            StoredFile.sha256 == sha256,
            exists().where(Open311Request.media_sha256 == StoredFile.sha256),
        )
    )
