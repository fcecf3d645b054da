"""Grid drawing, boundary versions and member assignment at the service level (GIS-4,
GIS-5, GM-12): refusals with the offending area, snapping onto neighbours, versions kept
by events, the responsible member on reports, the district pool for points outside every
grid, member rules and the town scope."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.event import service as events
from geo.event.errors import EventRuleError
from geo.event.schemas import EventCreate
from geo.grid import service
from geo.grid.schemas import GridCreate, GridGeometryUpdate, GridMemberIn, GridMembersUpdate
from tests.conftest import scalar
from tests.geo.grid.grid_setup import (
    M_LON,
    Square,
    grid_of,
    make_grid_member,
    make_square,
    point_in,
)

ActorOf = Callable[[str], Actor]


@pytest.fixture
def square(db: Session) -> Square:
    return make_square(db)


def _create(db: Session, actor: Actor, sq: Square, geometry: dict, name: str = "西网格") -> int:
    body = GridCreate(community_id=sq.community.id, name=name, geometry=geometry)
    return service.create_grid(db, actor=actor, data=body).id


def _report(db: Session, actor: Actor, lon: float, lat: float) -> events.EventDetail:
    data = EventCreate(title="测试事件", category_code="0101", lon=lon, lat=lat)
    return events.report_event(db, actor=actor, data=data)


def _gap_m2(db: Session, sq: Square) -> float:
    """What of the community no grid covers, in m²."""
    return float(
        scalar(
            db,
            """SELECT coalesce(ST_Area(CAST(ST_Difference(c.geom, u.geom) AS geography)), 0)
               FROM region c,
                    (SELECT ST_Union(geom) AS geom FROM region WHERE parent_id = :id) u
               WHERE c.id = :id""",
            id=sq.community.id,
        )
    )


def _overlap_m2(db: Session, a: int, b: int) -> float:
    return float(
        scalar(
            db,
            """SELECT ST_Area(CAST(ST_Intersection(x.geom, y.geom) AS geography))
               FROM region x, region y WHERE x.id = :a AND y.id = :b""",
            a=a,
            b=b,
        )
    )


# ---- drawing -----------------------------------------------------------------------------
def test_a_new_grid_gets_the_next_code_and_version_1(
    db: Session, actor_of: ActorOf, square: Square
) -> None:
    admin = actor_of("admin")
    first = _create(db, admin, square, square.west())
    second = _create(db, admin, square, square.east(), name="东网格")
    detail = service.get_grid(db, actor=admin, grid_id=second)
    assert service.get_grid(db, actor=admin, grid_id=first).code == square.community.code + "001"
    assert detail.code == square.community.code + "002"
    assert detail.version == 1 and [v.version for v in detail.versions] == [1]
    assert detail.versions[0].changed_by == admin.user_id and detail.versions[0].valid_to is None
    assert 0.95 < detail.area_m2 / (200 * 400) < 1.05
    audited = scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'grid.create' "
                         "AND object_id = :id", id=str(second))  # fmt: skip
    assert audited == 1


def test_an_overlap_with_a_sibling_is_refused_with_its_area_and_outline(
    db: Session, actor_of: ActorOf, square: Square
) -> None:
    admin = actor_of("admin")
    _create(db, admin, square, square.west())
    with pytest.raises(service.GridRuleBroken) as refused:
        _create(db, admin, square, square.east(shift_m=-20), name="东网格")
    e = refused.value
    assert "重叠" in e.detail and "西网格" in e.detail
    expected = 20 * square.height_m
    assert e.area_m2 is not None and 0.9 * expected < e.area_m2 < 1.1 * expected
    assert e.geometry is not None and e.geometry["type"] in ("Polygon", "MultiPolygon")
    assert (
        scalar(db, "SELECT count(*) FROM region WHERE parent_id = :c", c=square.community.id) == 1
    )


def test_an_edge_outside_the_community_is_refused(
    db: Session, actor_of: ActorOf, square: Square
) -> None:
    sq = square
    beyond = sq.geojson(sq.mid, sq.s, sq.e + 30 * M_LON, sq.n)
    with pytest.raises(service.GridRuleBroken) as refused:
        _create(db, actor_of("admin"), sq, beyond)
    e = refused.value
    assert "超出上级区划" in e.detail and "测试社区" in e.detail
    expected = 30 * sq.height_m
    assert e.area_m2 is not None and 0.9 * expected < e.area_m2 < 1.1 * expected
    assert e.geometry is not None


@pytest.mark.parametrize("shift_m", [1.0, -1.0], ids=["gap", "overlap"])
def test_snapping_closes_a_1m_gap_or_overlap_with_the_neighbour(
    db: Session, actor_of: ActorOf, square: Square, shift_m: float
) -> None:
    admin = actor_of("admin")
    west = _create(db, admin, square, square.west())
    saved = service.create_grid(
        db, actor=admin,
        data=GridCreate(community_id=square.community.id, name="东网格",
                        geometry=square.east(shift_m=shift_m)),
    )  # fmt: skip
    assert saved.snapped and saved.notice and "吸附" in saved.notice
    assert _gap_m2(db, square) < 0.01
    assert _overlap_m2(db, west, saved.id) < 0.01


def test_a_vertex_near_the_middle_of_a_neighbours_edge_snaps_onto_it(
    db: Session, actor_of: ActorOf, square: Square
) -> None:
    sq, admin = square, actor_of("admin")
    west = _create(db, admin, sq, sq.west())
    x = sq.mid + 1 * M_LON  # the east grid's west edge 1 m off, bent at the middle
    ring = [(x, sq.s), (sq.e, sq.s), (sq.e, sq.n), (x, sq.n), (x, (sq.s + sq.n) / 2), (x, sq.s)]
    geometry = {"type": "Polygon", "coordinates": [ring]}
    saved = service.create_grid(
        db, actor=admin,
        data=GridCreate(community_id=sq.community.id, name="东网格", geometry=geometry),
    )  # fmt: skip
    assert saved.snapped
    assert _gap_m2(db, sq) < 0.01 and _overlap_m2(db, west, saved.id) < 0.01


def test_far_from_neighbours_nothing_snaps(db: Session, actor_of: ActorOf, square: Square) -> None:
    sq = square
    inside = sq.geojson(sq.w + 50 * M_LON, sq.s + 0.001, sq.mid, sq.n - 0.001)
    saved = service.create_grid(
        db, actor=actor_of("admin"),
        data=GridCreate(community_id=sq.community.id, name="中网格", geometry=inside),
    )  # fmt: skip
    assert not saved.snapped and saved.notice is None


# ---- versions ----------------------------------------------------------------------------
def test_a_redraw_opens_a_new_version_and_old_events_keep_theirs(
    db: Session, actor_of: ActorOf, square: Square
) -> None:
    sq, admin = square, actor_of("admin")
    grid_id = _create(db, admin, sq, sq.west())
    old_event = _report(db, admin, sq.w + 50 * M_LON, (sq.s + sq.n) / 2)
    assert old_event.grid_id == grid_id and old_event.grid_version == 1

    smaller = sq.geojson(sq.w + 100 * M_LON, sq.s, sq.mid, sq.n)
    saved = service.redraw_grid(
        db, actor=admin, grid_id=grid_id,
        data=GridGeometryUpdate(geometry=smaller, reason="道路改线", expected_version=1),
    )  # fmt: skip
    assert saved.version == 2 and [v.version for v in saved.versions] == [2, 1]
    newest, first = saved.versions
    assert newest.reason == "道路改线" and newest.valid_to is None and first.valid_to is not None
    assert first.event_count == 1

    new_event = _report(db, admin, sq.w + 150 * M_LON, (sq.s + sq.n) / 2)
    assert new_event.grid_version == 2
    assert events.get_event(db, actor=admin, event_id=old_event.id).grid_version == 1
    # The first outline is still there to be drawn.
    v1 = service.get_version(db, actor=admin, grid_id=grid_id, version=1)
    assert min(x for x, _ in v1.geometry["coordinates"][0][0]) == pytest.approx(sq.w)
    assert scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'grid.redraw'") >= 1


def test_a_stale_expected_version_is_refused_with_409_and_changes_nothing(
    db: Session, actor_of: ActorOf, square: Square
) -> None:
    sq = square
    first = second = actor_of("admin")  # two editors who both started from version 1
    grid_id = _create(db, first, sq, sq.west())
    smaller = sq.geojson(sq.w + 100 * M_LON, sq.s, sq.mid, sq.n)
    service.redraw_grid(
        db, actor=first, grid_id=grid_id,
        data=GridGeometryUpdate(geometry=smaller, reason="第一人", expected_version=1),
    )  # fmt: skip
    other = sq.geojson(sq.w + 50 * M_LON, sq.s, sq.mid, sq.n)
    with pytest.raises(Conflict, match="已被他人修改.*第 2 版"):
        service.redraw_grid(
            db, actor=second, grid_id=grid_id,
            data=GridGeometryUpdate(geometry=other, reason="第二人", expected_version=1),
        )  # fmt: skip
    assert service.get_grid(db, actor=first, grid_id=grid_id).version == 2


def test_the_region_screen_redrawing_a_grid_also_writes_a_version(
    db: Session, actor_of: ActorOf, square: Square
) -> None:
    from geo.region import service as regions
    from geo.region.schemas import RegionUpdate

    sq, admin = square, actor_of("admin")
    grid_id = _create(db, admin, sq, sq.west())
    smaller = sq.geojson(sq.w + 100 * M_LON, sq.s, sq.mid, sq.n)
    regions.update_region(db, actor=admin, region_id=grid_id, data=RegionUpdate(geometry=smaller))
    assert [v.version for v in service.list_versions(db, actor=admin, grid_id=grid_id)] == [2, 1]


# ---- reports -----------------------------------------------------------------------------
def test_a_report_names_the_grids_responsible_member(db: Session, actor_of: ActorOf) -> None:
    grid_member = actor_of("ys_grid")
    event = _report(db, grid_member, *point_in(db, grid_of(db, "ys_grid")))
    assert event.responsible_member_id == grid_member.user_id
    assert event.responsible_member_name == grid_member.display_name
    assert event.grid_version == 1


def test_a_dispatcher_report_outside_every_grid_goes_to_the_district_pool(
    db: Session, actor_of: ActorOf
) -> None:
    centre = actor_of("center")
    lon, lat = point_in(db, int(scalar(db, "SELECT id FROM region WHERE code = '320582102000'")))
    before = events.pool_count(db, actor=centre)
    event = _report(db, centre, lon, lat)
    district = db.execute(text("SELECT id, name FROM region WHERE level = 'district'")).one()
    assert event.grid_id == district.id and event.grid_name == district.name
    assert event.grid_version is None and event.responsible_member_id is None
    assert "区指挥中心" in (event.history[0].opinion or "")
    assert events.pool_count(db, actor=centre) == before + 1
    # A town dispatcher's such report also goes up (and leaves the town's pool alone).
    town = actor_of("ys_dispatcher")
    town_pool = events.pool_count(db, actor=town)
    sent_up = _report(db, town, lon, lat)
    assert sent_up.grid_id == district.id and sent_up.actions == []
    # The first report at that point is a suspected duplicate the town may not read.
    assert sent_up.duplicate_of_candidates == []
    assert events.pool_count(db, actor=town) == town_pool
    assert events.pool_count(db, actor=centre) == before + 2


def test_others_reporting_outside_every_grid_are_refused(db: Session, actor_of: ActorOf) -> None:
    lon, lat = point_in(db, int(scalar(db, "SELECT id FROM region WHERE code = '320582102000'")))
    with pytest.raises(EventRuleError, match="不在任何网格内"):
        _report(db, actor_of("ys_grid"), lon, lat)
    with pytest.raises(EventRuleError, match="不在本区范围内"):
        _report(db, actor_of("center"), 116.39, 39.91)


# ---- members -----------------------------------------------------------------------------
def _members(*pairs: tuple[int, bool]) -> GridMembersUpdate:
    return GridMembersUpdate(members=[GridMemberIn(user_id=u, is_responsible=r) for u, r in pairs])


def test_members_are_replaced_and_the_new_responsible_one_is_named_on_reports(
    db: Session, actor_of: ActorOf
) -> None:
    centre, ys_grid = actor_of("center"), actor_of("ys_grid")
    grid_id = grid_of(db, "ys_grid")
    extra = make_grid_member(db, "ys_grid_t1", "320582100000")
    detail = service.set_members(
        db, actor=centre, grid_id=grid_id, data=_members((extra.id, True), (ys_grid.user_id, False))
    )
    assert [(m.user_id, m.is_responsible) for m in detail.members] == [
        (extra.id, True), (ys_grid.user_id, False),
    ]  # fmt: skip
    assert detail.responsible_member_id == extra.id and detail.member_count == 2
    event = _report(db, ys_grid, *point_in(db, grid_id))
    assert event.responsible_member_name == extra.display_name
    candidates = {c.user_id for c in service.member_candidates(db, actor=centre, grid_id=grid_id)}
    assert {extra.id, ys_grid.user_id} <= candidates
    assert actor_of("tq_grid").user_id not in candidates
    # Nobody responsible is allowed too (zero or one).
    cleared = service.set_members(db, actor=centre, grid_id=grid_id, data=_members())
    assert cleared.members == [] and cleared.responsible_member_id is None


@pytest.mark.parametrize(
    ("who", "match"),
    [
        ("ys_handler", "不是网格员"),
        ("tq_grid", "不属于"),
        ("two_responsible", "只能有一名责任网格员"),
        ("twice", "重复"),
    ],
)
def test_member_rules(db: Session, actor_of: ActorOf, who: str, match: str) -> None:
    centre, ys_grid = actor_of("center"), actor_of("ys_grid")
    grid_id = grid_of(db, "ys_grid")
    if who == "two_responsible":
        extra = make_grid_member(db, "ys_grid_t2", "320582100000")
        data = _members((ys_grid.user_id, True), (extra.id, True))
    elif who == "twice":
        data = _members((ys_grid.user_id, True), (ys_grid.user_id, False))
    else:
        data = _members((actor_of(who).user_id, False))
    with pytest.raises(service.GridRuleBroken, match=match):
        service.set_members(db, actor=centre, grid_id=grid_id, data=data)
    assert service.get_grid(db, actor=centre, grid_id=grid_id).responsible_member_id == (
        ys_grid.user_id
    )


# ---- scope -------------------------------------------------------------------------------
def test_a_town_admin_neither_sees_nor_edits_another_towns_grids(
    db: Session, actor_of: ActorOf
) -> None:
    ys_admin = actor_of("ys_admin")
    tq_grid = grid_of(db, "tq_grid")
    with pytest.raises(NotFound):
        service.get_grid(db, actor=ys_admin, grid_id=tq_grid)
    with pytest.raises(NotFound):
        service.list_versions(db, actor=ys_admin, grid_id=tq_grid)
    geometry = {"type": "Polygon", "coordinates": [[[120, 31], [120.001, 31], [120, 31.001],
                                                    [120, 31]]]}  # fmt: skip
    with pytest.raises(NotFound):
        service.redraw_grid(
            db, actor=ys_admin, grid_id=tq_grid,
            data=GridGeometryUpdate(geometry=geometry, reason="越权", expected_version=1),
        )  # fmt: skip
    listed = service.list_grids(db, actor=ys_admin, limit=200)
    assert listed.items and {g.town_name for g in listed.items} == {"杨舍镇"}


def test_demo_grids_start_at_version_1_and_demo_events_name_it(db: Session) -> None:
    grids_without = scalar(
        db,
        """SELECT count(*) FROM region g WHERE g.level = 'grid'
        AND NOT EXISTS (SELECT 1 FROM grid_boundary b
                        WHERE b.grid_id = g.id AND b.version = 1 AND b.valid_to IS NULL)""",
    )
    assert grids_without == 0
    unlinked = scalar(
        db,
        """SELECT count(*) FROM event e JOIN region g ON g.id = e.region_id
                             WHERE g.level = 'grid' AND e.grid_boundary_id IS NULL""",
    )
    assert unlinked == 0 and scalar(db, "SELECT count(*) FROM event") > 0
    named = scalar(
        db,
        """SELECT count(*) FROM event e JOIN grid_member m
                          ON m.grid_id = e.region_id AND m.is_responsible
                          WHERE e.responsible_member_id = m.user_id""",
    )
    assert named == scalar(
        db,
        """SELECT count(*) FROM event e JOIN grid_member m
                                  ON m.grid_id = e.region_id AND m.is_responsible""",
    )
