"""Errors of the feature API, each with a message a clerk can act on."""

from __future__ import annotations

from geo.core.errors import DomainError, NotFound


class FeatureError(DomainError):
    code = "FeatureError"


class InvalidParameter(FeatureError):
    code = "InvalidParameterValue"


class UnknownCollection(NotFound):
    pass


class FeatureNotFound(NotFound):
    pass
