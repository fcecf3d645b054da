"""Cells of the files people open in a spreadsheet (CSV, XLSX)."""

from __future__ import annotations

from typing import TypeVar

# What a spreadsheet reads as the start of a formula (tab and CR too: some strip them first).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

T = TypeVar("T")


def inert(value: T) -> T | str:
    """Text typed by people, prefixed with ' when a spreadsheet would run it as a formula
    (CSV injection); other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
