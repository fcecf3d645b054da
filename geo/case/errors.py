"""Errors of the case domain."""

from __future__ import annotations

from geo.core.errors import DomainError


class CaseRuleError(DomainError):
    """A registration breaks a rule (missing facts, unknown procedure…)."""

    code = "CaseRuleError"
    status = 422
