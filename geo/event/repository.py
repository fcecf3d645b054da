"""Reading the event dictionaries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.event.models import EventCategory


def category_names(session: Session) -> dict[str, str]:
    """Category code → Chinese name, parents before children."""
    rows = session.execute(
        select(EventCategory.code, EventCategory.name).order_by(EventCategory.sort_order)
    ).all()
    return {code: name for code, name in rows}
