"""Refusals of the registers (supervision categories, supervised objects): a value or a
change the rules do not allow, answered 422 with a message a clerk can act on."""

from __future__ import annotations

from geo.core.errors import DomainError


class RegisterRuleError(DomainError):
    code = "RegisterRuleError"
    status = 422
