"""Document numbers that read well on paper: a prefix, the year and a serial, e.g.
CQ2026-0001. One counter row per (kind, year), bumped with an upsert, so two clerks
registering at the same moment get different numbers without a table lock."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from geo.calendar.arithmetic import SHANGHAI
from geo.core.db import Base

__all__ = ["SerialNumber", "next_number"]


class SerialNumber(Base):
    __tablename__ = "serial_number"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, nullable=False)


def next_number(session: Session, *, prefix: str, digits: int = 6, on: date | None = None) -> str:
    """The next number of the kind `prefix` in the year of `on` (today in Shanghai)."""
    year = (on or datetime.now(SHANGHAI).date()).year
    serial = session.execute(
        text(
            "INSERT INTO serial_number (kind, year, last) VALUES (:kind, :year, 1) "
            "ON CONFLICT (kind, year) DO UPDATE SET last = serial_number.last + 1 "
            "RETURNING last"
        ),
        {"kind": prefix, "year": year},
    ).scalar_one()
    return f"{prefix}{year}-{serial:0{digits}d}"
