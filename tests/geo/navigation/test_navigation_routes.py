"""Routes on the street network (GIS-8): on the demo network and on small test networks
built in the test's transaction (the street trigger rebuilds the graph inside it)."""

from __future__ import annotations

import json

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import LineString
from sqlalchemy import text

from geo.core.srid import STORAGE_SRID
from geo.housing.models import Street
from geo.navigation.errors import RouteError
from geo.navigation.service import Mode, plan_route
from tests.factories import TEST_AREA_SOUTH, TEST_AREA_WEST, make_region_tree

# Two positions in 杨舍镇, about 3.6 km apart, each within 30 m of a street.
DEMO_FROM, DEMO_TO = (120.55, 31.87), (120.58, 31.89)
STEP = 0.002  # about 190 m between the junctions of a test network


def _metres(db, a: tuple[float, float], b: tuple[float, float]) -> float:
    return db.execute(
        text("SELECT ST_Distance(geography(ST_MakePoint(:x1, :y1)), "
             "geography(ST_MakePoint(:x2, :y2)))"),
        {"x1": a[0], "y1": a[1], "x2": b[0], "y2": b[1]},
    ).scalar_one()  # fmt: skip


def _street(db, coords: list[tuple[float, float]], *, name: str, oneway: bool = False) -> Street:
    line = LineString(coords)
    street = Street(name=name, road_class="branch", oneway=oneway,
                    length_m=0.0, geom=from_shape(line, srid=STORAGE_SRID))  # fmt: skip
    db.add(street)
    db.flush()
    db.execute(text("UPDATE street SET length_m = ST_Length(geography(geom)) WHERE id = :i"),
               {"i": street.id})  # fmt: skip
    db.refresh(street)
    return street


@pytest.fixture
def ladder(db):
    """A test district with a ladder of streets: two rails west→east joined by rungs at
    both ends. The south rail is the direct way from A (west) to B (east)."""
    make_region_tree(db)
    x0, y0 = TEST_AREA_WEST + 0.05, TEST_AREA_SOUTH + 0.05
    south = [(x0 + i * STEP, y0) for i in range(4)]
    north = [(x0 + i * STEP, y0 + STEP) for i in range(4)]
    streets = {}
    for i in range(3):
        streets[f"south{i}"] = _street(db, [south[i], south[i + 1]], name=f"南路{i}")
        streets[f"north{i}"] = _street(db, [north[i], north[i + 1]], name=f"北路{i}")
    streets["west"] = _street(db, [south[0], north[0]], name="西巷")
    streets["east"] = _street(db, [south[3], north[3]], name="东巷")
    return {"a": south[0], "b": south[3], "streets": streets}


def test_a_demo_route_is_one_line_along_the_streets(demo_area, db) -> None:
    route = plan_route(db, origin=DEMO_FROM, destination=DEMO_TO, mode=Mode.WALK)
    assert route.geometry["type"] == "LineString"
    line = json.dumps(route.geometry)
    off_street = db.execute(
        text("""SELECT count(*) FROM ST_DumpPoints(ST_SetSRID(ST_GeomFromGeoJSON(:g), 4490)) d
                WHERE NOT EXISTS (SELECT 1 FROM street s
                                  WHERE ST_DWithin(geography(s.geom), geography(d.geom), 0.5))"""),
        {"g": line},
    ).scalar_one()
    assert off_street == 0
    crow = _metres(db, DEMO_FROM, DEMO_TO)
    assert crow * 0.95 < route.length_m < crow * 2.0
    drawn = db.execute(
        text("SELECT ST_Length(geography(ST_SetSRID(ST_GeomFromGeoJSON(:g), 4490)))"),
        {"g": line},
    ).scalar_one()
    assert route.length_m == pytest.approx(drawn, abs=0.5)  # GeoJSON keeps 7 decimals
    assert route.duration_s == pytest.approx(route.length_m / 1.2, rel=1e-6)


def test_the_route_starts_and_ends_at_the_nearest_street_points(demo_area, db) -> None:
    route = plan_route(db, origin=DEMO_FROM, destination=DEMO_TO, mode=Mode.DRIVE)
    first, last = route.geometry["coordinates"][0], route.geometry["coordinates"][-1]
    assert _metres(db, DEMO_FROM, tuple(first)) == pytest.approx(route.start_snap_m, abs=0.5)
    assert _metres(db, DEMO_TO, tuple(last)) == pytest.approx(route.end_snap_m, abs=0.5)
    assert route.start_snap_m > 20 and "当前位置不在道路上" in route.notes[0]


def test_walking_takes_the_direct_rail(ladder, db) -> None:
    route = plan_route(db, origin=ladder["a"], destination=ladder["b"], mode=Mode.WALK)
    direct = sum(s.length_m for k, s in ladder["streets"].items() if k.startswith("south"))
    assert route.length_m == pytest.approx(direct, rel=1e-3)
    assert route.notes == [] and route.start_snap_m < 0.01


def test_driving_never_goes_against_a_one_way_street(ladder, db) -> None:
    # The middle of the south rail becomes one-way from east to west.
    middle = ladder["streets"]["south1"]
    db.execute(text("UPDATE street SET oneway = true, geom = ST_Reverse(geom) WHERE id = :i"),
               {"i": middle.id})  # fmt: skip
    walk = plan_route(db, origin=ladder["a"], destination=ladder["b"], mode=Mode.WALK)
    drive = plan_route(db, origin=ladder["a"], destination=ladder["b"], mode=Mode.DRIVE)
    assert drive.length_m > walk.length_m * 1.5  # round by the north rail
    back = plan_route(db, origin=ladder["b"], destination=ladder["a"], mode=Mode.DRIVE)
    assert back.length_m == pytest.approx(walk.length_m, rel=1e-3)  # with the one-way: direct


def test_a_new_street_joins_the_network_at_once(ladder, db) -> None:
    before = plan_route(db, origin=ladder["a"], destination=ladder["b"], mode=Mode.WALK)
    _street(db, [ladder["a"], ladder["b"]], name="直通路")
    after = plan_route(db, origin=ladder["a"], destination=ladder["b"], mode=Mode.WALK)
    assert after.length_m == pytest.approx(before.length_m, rel=1e-3)  # the same straight line
    assert db.execute(text("SELECT count(*) FROM street WHERE source IS NULL")).scalar_one() == 0


def test_an_unconnected_destination_is_refused_with_the_reason(ladder, db) -> None:
    far = (TEST_AREA_WEST + 0.15, TEST_AREA_SOUTH + 0.15)
    _street(db, [far, (far[0] + STEP, far[1])], name="孤立路")
    with pytest.raises(RouteError, match="无法到达终点"):
        plan_route(db, origin=ladder["a"], destination=far, mode=Mode.WALK)


def test_the_same_street_point_needs_no_route(ladder, db) -> None:
    with pytest.raises(RouteError, match="同一位置"):
        plan_route(db, origin=ladder["a"], destination=ladder["a"], mode=Mode.WALK)


@pytest.mark.parametrize(
    ("origin", "message"),
    [((31.87, 120.55), "经纬度顺序颠倒"), ((100.0, 20.0), "起点位置无效")],
)
def test_positions_are_validated_at_the_door(demo_area, db, origin, message) -> None:
    with pytest.raises(RouteError, match=message):
        plan_route(db, origin=origin, destination=DEMO_TO, mode=Mode.WALK)


def test_every_demo_street_is_in_one_connected_network(demo_area, db) -> None:
    components = db.execute(
        text("""SELECT count(DISTINCT component) FROM pgr_connectedComponents(
                    'SELECT id, source, target, length_m AS cost,
                            length_m AS reverse_cost FROM street')""")
    ).scalar_one()
    assert components == 1
