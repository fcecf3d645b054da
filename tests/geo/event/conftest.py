"""Fixtures of the event tests: a fresh report, and a work order driven to any status
along the workflow table (`actor_of` is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.event import service
from geo.event.schemas import EventCreate
from geo.event.workflow import Status
from tests.geo.event.event_flow import fields, grid_point, performer, shortest_paths


@pytest.fixture
def report(db: Session, actor_of: Callable[[str], Actor]) -> Callable[..., int]:
    """`report()`: a new work order reported by ys_grid in their grid; returns its id."""

    def make(username: str = "ys_grid", **overrides: object) -> int:
        lon, lat = grid_point(db, username)
        data = {"title": "疑似废弃车辆", "category_code": "0101", "lon": lon, "lat": lat}
        created = service.report_event(
            db, actor=actor_of(username), data=EventCreate(**{**data, **overrides})
        )
        return created.id

    return make


@pytest.fixture
def at_status(
    db: Session, actor_of: Callable[[str], Actor], report: Callable[..., int]
) -> Callable[[Status], int]:
    """`at_status(Status.TO_CLOSE)`: a new work order moved there by the demo users."""
    paths = shortest_paths()

    def make(status: Status) -> int:
        event_id = report()
        for t in paths[status]:
            service.transition(
                db, actor=actor_of(performer(t)), event_id=event_id, action=t.action,
                **fields(db, t),
            )  # fmt: skip
        return event_id

    return make
