"""Errors of the event domain."""

from __future__ import annotations

from geo.core.errors import DomainError


class EventRuleError(DomainError):
    """A report or an action breaks a rule (missing opinion, point outside every grid…)."""

    code = "EventRuleError"
    status = 422
