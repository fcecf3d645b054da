"""An idempotent report (APP-7): a phone that lost its connection while reporting sends
the same report again with the same key (`client_ref`); the reporter gets the work order
the first submission opened, never a second one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.event import repository as repo
from geo.event import service
from geo.event.schemas import EventCreate, EventDetail

__all__ = ["Submitted", "submit_report"]


@dataclass(frozen=True)
class Submitted:
    event: EventDetail
    created: bool  # False: a replay answered with the work order of the first submission


def submit_report(session: Session, *, actor: Actor, data: EventCreate) -> Submitted:
    """Report an event once per (reporter, client_ref). Replays racing the first
    submission wait on a lock held until it commits, then read its work order."""
    actor.require("event.report")
    if not data.client_ref:
        return Submitted(service.report_event(session, actor=actor, data=data), created=True)
    repo.lock_report_ref(session, user_id=actor.user_id, client_ref=data.client_ref)
    first = repo.event_by_ref(session, reporter_id=actor.user_id, client_ref=data.client_ref)
    if first is not None:
        detail = service.reporter_view(session, actor=actor, event_id=first)
        return Submitted(detail, created=False)
    return Submitted(service.report_event(session, actor=actor, data=data), created=True)
