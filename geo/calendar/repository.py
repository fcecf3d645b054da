"""All SQL of the working-day calendar. Works on a Session or a bare Connection (the demo
generator writes inside its own Connection's transaction)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from geo.calendar.models import CalendarDay, DayKind

Executor = Session | Connection


def insert_year(db: Executor, *, year: int) -> int:
    """Every day of the year, Mon–Fri workday, Sat/Sun weekend; existing (possibly
    edited) days are left alone. Returns the number of rows inserted."""
    result = db.execute(
        text("""
            INSERT INTO calendar_day (day, kind, is_working)
            SELECT d::date,
                   CASE WHEN extract(isodow FROM d) >= 6 THEN 'weekend' ELSE 'workday' END,
                   extract(isodow FROM d) < 6
            FROM generate_series(make_date(:year, 1, 1), make_date(:year, 12, 31),
                                 interval '1 day') AS d
            ON CONFLICT (day) DO NOTHING"""),
        {"year": year},
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def update_day(db: Executor, *, day: date, kind: str, name: str | None) -> bool:
    """Set one existing day's kind and name; False when the day is not generated yet."""
    result = db.execute(
        text("""
            UPDATE calendar_day
               SET kind = :kind, is_working = :working, name = :name, updated_at = now()
             WHERE day = :day"""),
        {"day": day, "kind": kind, "working": DayKind(kind).is_working, "name": name},
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def get_day(db: Executor, *, day: date) -> CalendarDay | None:
    row = db.execute(
        text("SELECT day, kind, is_working, name, updated_at FROM calendar_day WHERE day = :d"),
        {"d": day},
    ).one_or_none()
    if row is None:
        return None
    return CalendarDay(
        day=row.day, kind=row.kind, is_working=row.is_working, name=row.name,
        updated_at=row.updated_at,
    )  # fmt: skip


def count_days(db: Executor, *, first: date, last: date) -> int:
    return int(
        db.execute(
            text("SELECT count(*) FROM calendar_day WHERE day BETWEEN :first AND :last"),
            {"first": first, "last": last},
        ).scalar_one()
    )


def working_days(db: Executor, *, first: date, last: date) -> list[date]:
    return list(
        db.execute(
            text("""
                SELECT day FROM calendar_day
                WHERE day BETWEEN :first AND :last AND is_working ORDER BY day"""),
            {"first": first, "last": last},
        ).scalars()
    )


def missing_years(db: Executor, *, first: date, last: date) -> list[int]:
    """Years of [first, last] with at least one day not generated."""
    return list(
        db.execute(
            text("""
                SELECT DISTINCT extract(year FROM d)::int AS y
                FROM generate_series(CAST(:first AS date), CAST(:last AS date),
                                     interval '1 day') AS d
                WHERE NOT EXISTS (SELECT 1 FROM calendar_day c WHERE c.day = d::date)
                ORDER BY y"""),
            {"first": first, "last": last},
        ).scalars()
    )
