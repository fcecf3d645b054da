"""The register services on a small region tree of their own (tests/factories.py): the
area of picked grids is their union (here exactly the community), a drawn area reaching
out of the officer's town is refused with the part outside measured, the "covers point"
filter answers who may be sent to a place, and a category's check list adds up."""

from __future__ import annotations

from dataclasses import replace

import pytest
import shapely
from shapely.geometry import mapping
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.errors import NotFound
from geo.inspection import items, officers
from geo.inspection.item_schemas import CheckContentIn, ItemCategoryWrite, ItemWrite
from geo.inspection.officer_areas import OfficerRegion, resolve_area
from geo.inspection.register_rules import AreaRefused
from tests.factories import (
    TEST_AREA_SIZE,
    TEST_AREA_SOUTH,
    TEST_AREA_WEST,
    make_officer,
    make_region_tree,
)

W, S, SIZE = TEST_AREA_WEST, TEST_AREA_SOUTH, TEST_AREA_SIZE


@pytest.fixture
def tree(db: Session):  # noqa: ANN201
    made = make_region_tree(db)
    for region in (made.district, made.town, *made.grids):
        db.refresh(region)  # the path is the trigger's
    return made


@pytest.fixture
def admin(actor_of, tree):  # noqa: ANN001, ANN201
    """A district-wide actor whose district is the test tree's."""
    return replace(actor_of("admin"), region_path=tree.district.path)


def _town(tree) -> OfficerRegion:  # noqa: ANN001
    return OfficerRegion(tree.town.id, tree.town.name, tree.town.path)


def test_picked_grids_are_stored_as_their_union(db, tree, admin) -> None:
    area, ids = resolve_area(
        db, actor=admin, region=_town(tree), drawn=None,
        region_ids=[g.id for g in reversed(tree.grids)],
    )  # fmt: skip
    assert ids == sorted(g.id for g in tree.grids)
    assert area.geom_type == "MultiPolygon"
    assert shapely.equals(area, shapely.box(W, S, W + SIZE, S + SIZE))


def test_a_drawn_area_outside_the_town_is_refused_with_the_outside_part(db, tree, admin) -> None:
    half = SIZE / 2
    square = shapely.box(W + half, S, W + SIZE + half, S + SIZE)  # its east half is outside
    with pytest.raises(AreaRefused) as refused:
        resolve_area(db, actor=admin, region=_town(tree), drawn=mapping(square), region_ids=None)
    outside = db.execute(
        text("SELECT ST_Area(CAST(ST_MakeEnvelope(:w, :s, :e, :n, 4490) AS geography))"),
        {"w": W + SIZE, "s": S, "e": W + SIZE + half, "n": S + SIZE},
    ).scalar()
    assert refused.value.area_m2 == pytest.approx(outside, rel=1e-3)
    assert shapely.equals(
        shapely.geometry.shape(refused.value.geometry),
        shapely.box(W + SIZE, S, W + SIZE + half, S + SIZE),
    )


def test_a_picked_region_outside_the_scope_is_not_found(db, tree, admin) -> None:
    town_actor = replace(admin, region_path=tree.grids[0].path, region_level="grid")
    with pytest.raises(NotFound):
        resolve_area(
            db, actor=town_actor, region=_town(tree), drawn=None, region_ids=[tree.grids[1].id]
        )


def test_covers_point_lists_the_officers_whose_area_holds_it(db, tree, actor_of) -> None:
    users = db.execute(
        text("SELECT id FROM user_account WHERE username IN ('ys_officer', 'ys_squad') "
             "ORDER BY username")
    ).scalars().all()  # fmt: skip
    half = SIZE / 2
    west, east = shapely.box(W, S, W + half, S + SIZE), shapely.box(W + half, S, W + SIZE, S + SIZE)
    a = make_officer(db, user_id=users[0], area=west, region_id=tree.town.id)
    b = make_officer(db, user_id=users[1], area=east, region_id=tree.town.id)
    admin = actor_of("admin")

    def covering(lon: float, lat: float) -> list[int]:
        page = officers.list_officers(db, actor=admin, lon=lon, lat=lat)
        return sorted(o.id for o in page.items)

    assert covering(W + 0.01, S + 0.01) == [a.id]
    assert covering(W + SIZE - 0.01, S + 0.01) == [b.id]
    assert covering(W + half, S + 0.01) == sorted([a.id, b.id])  # the shared edge: both


def test_the_checklist_adds_up_the_active_items(db, actor_of) -> None:
    admin = actor_of("admin")
    category = items.create_category(
        db, actor=admin, data=ItemCategoryWrite(code="SAFE", name="安全生产")
    )

    def item(code: str, scores: list[int], active: bool = True) -> int:
        contents = [CheckContentIn(content=f"第{i}条", max_score=s) for i, s in enumerate(scores)]
        data = ItemWrite(category_id=category.id, code=code, name=code, active=active,
                         contents=contents)  # fmt: skip
        return items.create_item(db, actor=admin, data=data).id

    kept = [item("SAFE-01", [10, 5]), item("SAFE-02", [20])]
    item("SAFE-03", [50], active=False)
    checklist = items.checklist(db, actor=admin, category_id=category.id)
    assert [i.id for i in checklist.items] == kept
    assert checklist.total_max_score == 35
    assert checklist.category.item_count == 3 and checklist.category.active_item_count == 2
