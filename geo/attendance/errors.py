"""Errors of the attendance domain."""

from __future__ import annotations

from geo.core.errors import DomainError


class AttendanceRuleError(DomainError):
    """A check-in or a review breaks a rule (no grid, bad position, missing opinion…)."""

    code = "AttendanceRuleError"
    status = 422
