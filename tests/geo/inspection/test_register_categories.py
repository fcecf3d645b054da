"""The supervision-category tree (DR-1): order, cycles refused, deletes refused while in
use, district-wide configuration, every change audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.errors import Conflict, Forbidden, NotFound
from geo.inspection import categories
from geo.inspection.category_schemas import (
    SupervisionCategoryCreate as Create,
)
from geo.inspection.category_schemas import (
    SupervisionCategoryUpdate as Update,
)
from geo.inspection.models import EnterpriseSupervision
from geo.inspection.register_errors import RegisterRuleError
from tests.factories import make_enterprise, registers_grant


@pytest.fixture
def admin(actor_of: Callable[[str], Any]) -> Any:
    return actor_of("admin")


def _make(
    db: Session, actor: Any, code: str, name: str, parent: int | None = None, sort: int = 0
) -> int:
    data = Create(code=code, name=name, parent_id=parent, sort_order=sort)
    return categories.create_category(db, actor=actor, data=data).id


def _walk(nodes: list[Any]) -> list[tuple[str, list[Any]]]:
    return [(n.code, _walk(n.children)) for n in nodes]


def test_the_tree_nests_children_and_sorts_by_sort_order_then_name(db: Session, admin: Any) -> None:
    food = _make(db, admin, "T-FOOD", "食品", sort=2)
    _make(db, admin, "T-SAFE-B", "B 安全", sort=1)
    _make(db, admin, "T-SAFE-A", "A 安全", sort=1)
    _make(db, admin, "T-FOOD-2", "餐饮服务", parent=food, sort=5)
    _make(db, admin, "T-FOOD-1", "食品销售", parent=food, sort=0)

    tree = [
        n for n in _walk(categories.list_category_tree(db, actor=admin)) if n[0].startswith("T-")
    ]
    assert [code for code, _ in tree] == ["T-SAFE-A", "T-SAFE-B", "T-FOOD"]
    assert dict(tree)["T-FOOD"] == [("T-FOOD-1", []), ("T-FOOD-2", [])]


def test_a_category_cannot_move_under_itself_or_its_descendants(db: Session, admin: Any) -> None:
    top = _make(db, admin, "T-TOP", "顶级")
    middle = _make(db, admin, "T-MID", "中级", parent=top)
    leaf = _make(db, admin, "T-LEAF", "末级", parent=middle)
    for target in (top, middle, leaf):
        with pytest.raises(RegisterRuleError, match="下级"):
            categories.update_category(
                db, actor=admin, category_id=top, changes=Update(parent_id=target)
            )
    # Moving the leaf to the top, and the former top under it, is no cycle.
    categories.update_category(db, actor=admin, category_id=leaf, changes=Update(parent_id=None))
    moved = categories.update_category(
        db, actor=admin, category_id=top, changes=Update(parent_id=leaf, sort_order=7)
    )
    assert (moved.parent_id, moved.sort_order) == (leaf, 7)


def test_delete_is_refused_while_children_or_objects_use_the_category(
    db: Session, admin: Any
) -> None:
    parent = _make(db, admin, "T-P", "父类")
    child = _make(db, admin, "T-C", "子类", parent=parent)
    with pytest.raises(Conflict, match="1 个下级类别"):
        categories.delete_category(db, actor=admin, category_id=parent)

    for serial in (1, 2):
        e = make_enterprise(db, lon=120.5, lat=31.9, serial=900 + serial)
        db.add(EnterpriseSupervision(enterprise_id=e.id, category_id=child))
    db.flush()
    with pytest.raises(Conflict, match="2 个监管对象"):
        categories.delete_category(db, actor=admin, category_id=child)

    db.execute(text("DELETE FROM enterprise_supervision WHERE category_id = :c"), {"c": child})
    categories.delete_category(db, actor=admin, category_id=child)
    categories.delete_category(db, actor=admin, category_id=parent)
    with pytest.raises(NotFound):
        categories.get_category(db, actor=admin, category_id=parent)
    actions = db.execute(
        text(
            "SELECT action FROM audit_log WHERE object_type = 'supervision_category' "
            "AND object_id = :id ORDER BY id"
        ),
        {"id": str(parent)},
    ).scalars()
    assert list(actions) == ["inspection.category_create", "inspection.category_delete"]


def test_codes_are_unique_and_well_formed(db: Session, admin: Any) -> None:
    _make(db, admin, "T-DUP", "甲")
    with pytest.raises(Conflict, match="T-DUP"):
        _make(db, admin, "T-DUP", "乙")
    with pytest.raises(RegisterRuleError, match="类别编码"):
        _make(db, admin, "含 空格", "丙")
    with pytest.raises(Conflict, match="同一上级下已有"):
        _make(db, admin, "T-OTHER", "甲")


def test_only_district_wide_configurers_change_the_tree(
    db: Session, actor_of: Callable[[str], Any], admin: Any
) -> None:
    registers_grant(db, "tq_admin", "inspection.view", "inspection.configure")
    town_configurer = actor_of("tq_admin")
    with pytest.raises(Forbidden, match="区级"):
        _make(db, town_configurer, "T-TOWN", "镇里加的")
    officer = actor_of("ys_officer")
    with pytest.raises(Forbidden):
        _make(db, officer, "T-OFF", "队员加的")
    # Reading is open to every holder of inspection.view, in any town.
    made = _make(db, admin, "T-READ", "可读")
    assert made in {n.id for n in categories.list_category_tree(db, actor=officer)}
