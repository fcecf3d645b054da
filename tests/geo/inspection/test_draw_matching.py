"""Inspector-area matching (GIS-6): an officer never gets an object outside their area,
conflicts are excluded, load is spread, and objects without a team are reported."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import text

from geo.inspection.draw import create_draw
from geo.inspection.draw_schemas import DrawCreate
from geo.inspection.draw_view import get_draw
from geo.inspection.matching import OfficerPool, assign_teams, match, tiebreak
from tests.geo.inspection.draw_setup import (
    STEP,
    add_conflict,
    add_objects,
    add_officers,
    box_around,
    make_world,
)


def _draw(db, world, actor, **extra):  # noqa: ANN001, ANN003, ANN202
    data = DrawCreate(
        item_category_id=world.item_category_id, supervision_category_ids=[world.category_id],
        region_id=world.town_id, **extra,
    )  # fmt: skip
    return get_draw(db, actor=actor, draw_id=create_draw(db, actor=actor, data=data))


def test_an_officer_only_gets_objects_inside_their_area(db, actor_of) -> None:  # noqa: ANN001
    world = make_world(db)
    add_objects(db, world, n=40)  # two rows of 20, 0.0002° apart
    # Two officers cover the west half of the row, three the east half, one everything.
    west = box_around(world.lon + 4 * STEP, world.lat + STEP, 5 * STEP)
    east = box_around(world.lon + 15 * STEP, world.lat + STEP, 5.4 * STEP)
    add_officers(db, world, n=2, area=west)
    add_officers(db, world, n=3, area=east)
    add_officers(db, world, n=1)
    detail = _draw(db, world, actor_of("admin"), count=40, team_size=2)
    broken = db.execute(
        text("""SELECT p.enterprise_id, m.uid FROM draw_pick p
                CROSS JOIN unnest(p.officer_ids || p.eligible_officer_ids) AS m(uid)
                JOIN enforcement_officer o ON o.user_id = m.uid
                JOIN enterprise e ON e.id = p.enterprise_id
                WHERE p.draw_id = :d AND NOT ST_Covers(o.area, e.geom)"""),
        {"d": detail.id},
    ).all()
    assert broken == []
    assert detail.unmatched_count == 0
    assert all(len(p.team) == 2 and p.leader_id == p.team[0].user_id for p in detail.picks)


def test_conflicts_are_excluded_and_too_few_officers_are_reported(db, actor_of) -> None:  # noqa: ANN001
    world = make_world(db)
    first, second = add_objects(db, world, n=2)
    a, b, c = add_officers(db, world, n=3)
    add_conflict(db, world, user_id=a, enterprise_id=first)
    add_conflict(db, world, user_id=b, enterprise_id=first)
    detail = _draw(db, world, actor_of("admin"), count=2, team_size=2)
    by_object = {p.enterprise_id: p for p in detail.picks}
    assert by_object[first].team == [] and by_object[first].leader_id is None
    assert by_object[first].unmatched_reason == "无符合条件的执法人员：区域内仅 1 名，每组需要 2 名"
    assert by_object[first].eligible_count == 1
    assert {m.user_id for m in by_object[second].team} <= {a, b, c}
    assert detail.unmatched_count == 1 and detail.pick_count == 2  # reported, not dropped


def test_load_is_spread_when_everyone_is_eligible(db, actor_of) -> None:  # noqa: ANN001
    world = make_world(db)
    add_objects(db, world, n=23)
    officers = add_officers(db, world, n=7)
    detail = _draw(db, world, actor_of("admin"), count=23, team_size=3)
    load = Counter(m.user_id for p in detail.picks for m in p.team)
    counts = [load[o] for o in officers]
    assert sum(counts) == 69 and max(counts) - min(counts) <= 1


def test_officer_scope_limits_who_is_sent(db, actor_of) -> None:  # noqa: ANN001
    world = make_world(db)
    add_objects(db, world, n=6)
    add_officers(db, world, n=3, officer_type="auxiliary")
    formal = add_officers(db, world, n=2)
    chosen = add_officers(db, world, n=2, officer_type="inspector")
    only_formal = _draw(
        db, world, actor_of("admin"), count=6, officer_scope={"officer_types": ["formal"]}
    )
    assert {m.user_id for p in only_formal.picks for m in p.team} == set(formal)
    by_user = _draw(db, world, actor_of("admin"), count=6, officer_scope={"user_ids": chosen})
    assert {m.user_id for p in by_user.picks for m in p.team} == set(chosen)


def test_officers_of_another_town_are_not_visible_to_a_town_user(db, actor_of) -> None:  # noqa: ANN001
    world = make_world(db)
    add_objects(db, world, n=2)
    add_officers(db, world, n=2)
    # Two more officers whose area covers the objects, but filed under 塘桥镇.
    tq_town = db.execute(text("SELECT id FROM region WHERE code = '320582101000'")).scalar_one()
    foreign = add_officers(db, world, n=2)
    db.execute(
        text("UPDATE enforcement_officer SET region_id = :t WHERE user_id = ANY(:u)"),
        {"t": tq_town, "u": foreign},
    )
    detail = _draw(db, world, actor_of("ys_squad"), count=2, team_size=2)
    assert not {m.user_id for p in detail.picks for m in p.team} & set(foreign)
    teams = match(
        db, enterprise_ids=world.objects, pool=OfficerPool(), actor=None, team_size=4,
        seed="0" * 64,
    )  # fmt: skip
    assert all(len(t.officer_ids) == 4 for t in teams)  # an internal caller sees all four


def test_assign_teams_is_reproducible_and_breaks_ties_by_seed() -> None:
    objects = [(10, [1, 2, 3]), (11, [1, 2, 3]), (12, [1, 2, 3])]
    once = assign_teams(objects, team_size=1, seed="a" * 64)
    assert once == assign_teams(objects, team_size=1, seed="a" * 64)
    # With equal loads the first pick goes to the smallest sha256(seed:user_id).
    assert once[0].officer_ids == (min([1, 2, 3], key=lambda u: tiebreak("a" * 64, u)),)
    assert sorted(t.officer_ids[0] for t in once) == [1, 2, 3]  # one each
    seeds = {tuple(t.officer_ids for t in assign_teams(objects, team_size=1, seed=s * 64))
             for s in "abcdef"}  # fmt: skip
    assert len(seeds) > 1


def test_only_officers_whose_roles_let_them_inspect_are_sent(db, actor_of) -> None:  # noqa: ANN001
    world = make_world(db)
    objects = add_objects(db, world, n=3)
    inspectors = add_officers(db, world, n=2)
    clerk = add_officers(db, world, n=1)[0]
    # The register takes any user; this one only keeps a window (no inspection.perform).
    db.execute(text("UPDATE user_role SET role_code = 'window_clerk' WHERE user_id = :u"),
               {"u": clerk})  # fmt: skip
    pool = OfficerPool()
    teams = match(db, enterprise_ids=objects, pool=pool, actor=None, team_size=2, seed="s")
    assert all(set(t.eligible_ids) == set(inspectors) for t in teams)
