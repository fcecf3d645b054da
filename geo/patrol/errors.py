"""Errors of patrols."""

from __future__ import annotations

from geo.core.errors import DomainError


class PatrolRuleError(DomainError):
    """A plan or a check-in breaks a rule (no officer, bad position, plan not active…)."""

    code = "PatrolRuleError"
    status = 422
