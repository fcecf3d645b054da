"""Errors of random-inspection draws."""

from __future__ import annotations

from geo.core.errors import DomainError


class DrawRuleError(DomainError):
    """The draw's conditions or an action on a draw break a rule (422)."""

    code = "DrawRuleError"
    status = 422
