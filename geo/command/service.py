"""Use cases of the command screen. "Today" is the calendar day in Asia/Shanghai whatever
the server's zone; every figure is counted inside the actor's region subtree."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from geo.command import repository as repo
from geo.command.schemas import (
    AttendanceToday,
    CountItem,
    FeatureCollection,
    Summary,
    TodayFigures,
    TrendDay,
    point_feature,
)
from geo.core.actor import Actor
from geo.event.workflow import STATUS_LABELS, Status

PERMISSION = "command.view"
TREND_DAYS = 30


def _today(now: datetime | None) -> tuple[datetime, date]:
    moment = now or datetime.now(SHANGHAI)
    return moment, moment.astimezone(SHANGHAI).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), SHANGHAI)


def command_summary(session: Session, *, actor: Actor, now: datetime | None = None) -> Summary:
    actor.require(PERMISSION)
    repo.plan_per_call(session)
    moment, today = _today(now)
    first = today - timedelta(days=TREND_DAYS - 1)
    start, end, since = _midnight(today), _midnight(today + timedelta(days=1)), _midnight(first)
    f = repo.today_figures(session, actor=actor, start=start, end=end, now=moment, since=since)
    att = repo.attendance_today(session, actor=actor, day=today)
    return Summary(
        generated_at=moment,
        today=TodayFigures(
            day=today,
            reported=f.reported,
            dispatched=f.dispatched,
            closed=f.closed,
            open=f.open,
            overdue=f.overdue,
            closure_rate=round(f.recent_closed / f.recent, 4) if f.recent else None,
            avg_handling_hours=None if f.avg_hours is None else round(float(f.avg_hours), 1),
        ),  # fmt: skip
        trend=[
            TrendDay(day=r.day, reported=r.reported, closed=r.closed)
            for r in repo.daily_trend(session, actor=actor, first=first, last=today, from_ts=since)
        ],
        top_categories=[
            CountItem(key=r.key, name=r.name, count=r.n)
            for r in repo.top_categories(session, actor=actor)
        ],
        top_communities=[
            CountItem(key=r.key, name=r.name, count=r.n)
            for r in repo.top_communities(session, actor=actor)
        ],
        attendance=AttendanceToday(checked_in=att.checked_in, expected=att.expected),
    )


def grid_load(session: Session, *, actor: Actor) -> FeatureCollection:
    actor.require(PERMISSION)
    return FeatureCollection(
        features=[
            {
                "type": "Feature",
                "id": r.id,
                "geometry": json.loads(r.geometry) if r.geometry else None,
                "properties": {"name": r.name, "code": r.code, "open_events": r.open_events},
            }
            for r in repo.grid_load(session, actor=actor)
        ]
    )


def member_positions(
    session: Session, *, actor: Actor, now: datetime | None = None
) -> FeatureCollection:
    actor.require(PERMISSION)
    _, today = _today(now)
    return FeatureCollection(
        features=[
            point_feature(
                r.user_id,
                r.lon,
                r.lat,
                name=r.name,
                grid_id=r.grid_id,
                grid_name=r.grid_name,
                at=r.at.isoformat(),
                verdict=r.verdict,
                accuracy_m=r.accuracy_m,
                party_member=r.party_member,
            )  # fmt: skip
            for r in repo.member_positions(session, actor=actor, day=today)
        ]
    )


def open_events(
    session: Session, *, actor: Actor, now: datetime | None = None
) -> FeatureCollection:
    actor.require(PERMISSION)
    repo.plan_per_call(session)
    moment, _ = _today(now)
    return FeatureCollection(
        features=[
            point_feature(
                r.id,
                r.lon,
                r.lat,
                event_no=r.event_no,
                title=r.title,
                status=r.status,
                status_label=STATUS_LABELS[Status(r.status)],
                category=r.category,
                reported_at=r.reported_at.isoformat(),
                overdue=r.overdue,
            )  # fmt: skip
            for r in repo.open_events(session, actor=actor, now=moment)
        ]
    )
