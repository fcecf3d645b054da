"""Checks that need the database: unique codes, foreign keys, region parents.

Each adds reasons to the checked features; all run before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, any_, literal, select
from sqlalchemy.orm import Session

from data.importer.rules import PARENT_CODE, LayerSpec
from data.importer.validation import Checked
from geo.region.models import LEVEL_LABELS, Region, RegionLevel


def any_of(column: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """``column = ANY(:values)``: one bound array, however many values."""
    return column == any_(literal(list(values), ARRAY(column.type)))


def _existing(session: Session, column: ColumnElement[Any], values: Iterable[Any]) -> set[Any]:
    """Which of ``values`` are already in ``column`` (one query)."""
    wanted = list(values)
    if not wanted:
        return set()
    return set(session.scalars(select(column).where(any_of(column, wanted))))


def check_unique(session: Session, spec: LayerSpec, checked: list[Checked]) -> None:
    for name, column in spec.columns.items():
        if not column.unique:
            continue
        first: dict[Any, int] = {}
        for i, item in enumerate(checked):
            value = item.values.get(name)
            if value is None:
                continue
            if value in first:
                item.reasons.append(f"{spec.label(name)}「{value}」与要素 #{first[value]} 重复")
            else:
                first[value] = i
        for value in _existing(session, column, first):
            checked[first[value]].reasons.append(f"{spec.label(name)}「{value}」已存在")


def check_references(session: Session, spec: LayerSpec, checked: list[Checked]) -> None:
    """Foreign keys other than the region links (e.g. an event's category code)."""
    for name, column in spec.columns.items():
        for fk in column.foreign_keys:
            wanted = {v for item in checked if (v := item.values.get(name)) is not None}
            found = _existing(session, fk.column, wanted)
            for item in checked:
                value = item.values.get(name)
                if value is not None and value not in found:
                    item.reasons.append(f"{spec.label(name)}「{value}」不存在")


def resolve_parents(session: Session, spec: LayerSpec, checked: list[Checked]) -> None:
    """Region layers: find each feature's parent by its code; set level and parent_id."""
    level = spec.layer.region_level
    if level is None:
        return
    parent_level = level.parent
    assert parent_level is not None  # no layer imports districts
    for item in checked:
        code = item.values.get("code")
        if item.values.get(PARENT_CODE) is None and level is RegionLevel.GRID and code:
            item.values[PARENT_CODE] = code[:12]
    region = Region.__table__
    codes = {v for item in checked if (v := item.values.get(PARENT_CODE))}
    rows = session.execute(
        select(region.c.code, region.c.id, region.c.level).where(any_of(region.c.code, codes))
    ).all()
    parents = {row.code: row for row in rows}
    for item in checked:
        code, parent_code = item.values.get("code"), item.values.pop(PARENT_CODE, None)
        if parent_code is None:
            continue
        parent = parents.get(parent_code)
        if parent is None:
            item.reasons.append(f"上级区划「{parent_code}」不存在")
        elif parent.level != parent_level.value:
            item.reasons.append(f"上级区划「{parent_code}」不是{LEVEL_LABELS[parent_level]}")
        elif level is RegionLevel.GRID and code and not code.startswith(parent_code):
            item.reasons.append(f"网格编码「{code}」必须以所属社区编码「{parent_code}」开头")
        else:
            item.values["parent_id"] = parent.id
        item.values["level"] = level.value
