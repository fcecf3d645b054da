"""Errors of the feature API, each with a message a clerk can act on."""

from __future__ import annotations


class FeatureError(Exception):
    code = "FeatureError"
    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidParameter(FeatureError):
    code = "InvalidParameterValue"


class UnknownCollection(FeatureError):
    code = "NotFound"
    status = 404


class FeatureNotFound(FeatureError):
    code = "NotFound"
    status = 404
