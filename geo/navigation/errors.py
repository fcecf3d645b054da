"""Errors of navigation."""

from __future__ import annotations

from geo.core.errors import DomainError


class RouteError(DomainError):
    """No route can be given: bad position, no street nearby, or no way between."""

    code = "RouteError"
    status = 422
