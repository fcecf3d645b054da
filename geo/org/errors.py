"""Errors of the organisation domain, each with a message a clerk understands."""

from __future__ import annotations

from geo.core.errors import DomainError


class OrgRuleError(DomainError):
    """A value or a change the organisation's rules do not allow (HTTP 422)."""

    code = "OrgRuleError"
    status = 422
