"""Errors of task dispatch."""

from __future__ import annotations

from geo.core.errors import DomainError


class TaskRuleError(DomainError):
    """A registration or an action breaks a rule (no findings, point outside the area…)."""

    code = "TaskRuleError"
    status = 422
