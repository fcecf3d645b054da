"""Errors of the working-day calendar, each with a message a clerk understands."""

from __future__ import annotations

from geo.core.errors import DomainError


class CalendarError(DomainError):
    code = "CalendarError"
    status = 422


class CalendarNotLoaded(CalendarError):
    """A date outside the generated/loaded calendar: we never guess whether people work."""

    code = "CalendarNotLoaded"
    status = 409


class NaiveDatetimeError(CalendarError, ValueError):
    """A datetime without a time zone: 08:30 where? Refused rather than guessed."""

    code = "NaiveDatetime"
    status = 422
