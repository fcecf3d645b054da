"""The demo district's invariants, checked in PostGIS on the generated data."""

from __future__ import annotations

import hashlib
import itertools
import re
from datetime import date, timedelta

import pytest
import shapely

from data.demo import features as f
from data.demo.accounts import TOWNS
from data.demo.history import Desks, Person, TownDesk, anchor_end_of
from data.demo.layout import build_layout
from geo.calendar.arithmetic import DEFAULT_PERIODS, SHANGHAI, WorkingCalendar
from geo.core.identifiers import is_valid_phone, is_valid_uscc
from tests.conftest import scalar

TINY = 1e-12  # square degrees, ~0.01 m²: floating-point dust, not a gap or an overlap


def test_row_counts_meet_the_demo_minimums(demo_area: dict[str, int], db) -> None:
    levels = dict(
        db.execute(shapely_sql("SELECT level, count(*) FROM region GROUP BY level")).all()
    )
    assert levels["district"] == 1
    assert levels["town"] >= 2
    assert 8 <= levels["community"] <= 14
    assert 80 <= levels["grid"] <= 150
    assert demo_area["building"] >= 3000
    assert demo_area["enterprise"] >= 500
    assert demo_area["construction_site"] >= 20
    assert demo_area["event"] >= 2000
    assert demo_area["camera"] >= 50
    assert demo_area["party_site"] >= 20
    assert demo_area["patrol_route"] >= 10
    assert demo_area["street"] >= 1000


def shapely_sql(sql: str):
    from sqlalchemy import text

    return text(sql)


@pytest.mark.parametrize(
    "child,parent", [("grid", "community"), ("community", "town"), ("town", "district")]
)
def test_children_tile_their_parent_exactly(db, child: str, parent: str) -> None:
    rows = db.execute(
        shapely_sql(f"""
        SELECT p.code,
               ST_Area(ST_SymDifference(p.geom, ST_Union(c.geom))) AS gap_or_excess,
               bool_and(ST_CoveredBy(c.geom, p.geom)) AS inside
        FROM region p JOIN region c ON c.parent_id = p.id
        WHERE p.level = '{parent}' AND c.level = '{child}'
        GROUP BY p.id""")
    ).all()
    assert rows, f"no {child} under any {parent}"
    for code, gap, inside in rows:
        assert gap < TINY, f"{parent} {code}: union of its {child}s differs by {gap}"
        assert inside, f"a {child} of {code} reaches outside it"


def test_detailed_town_has_communities_and_another_town_too(db) -> None:
    towns_with_communities = scalar(
        db,
        """
        SELECT count(DISTINCT parent_id) FROM region WHERE level = 'community'""",
    )
    assert towns_with_communities >= 2


def test_sibling_regions_do_not_overlap(db) -> None:
    overlap = scalar(
        db,
        """
        SELECT coalesce(sum(ST_Area(ST_Intersection(a.geom, b.geom))), 0)
        FROM region a JOIN region b
          ON a.parent_id = b.parent_id AND a.id < b.id AND ST_Intersects(a.geom, b.geom)""",
    )
    assert overlap < TINY


@pytest.mark.parametrize(
    "table",
    [
        "region",
        "street",
        "building",
        "enterprise",
        "event",
        "construction_site",
        "camera",
        "party_site",
        "patrol_route",
    ],
)
def test_every_geometry_is_valid_and_in_the_storage_crs(db, table: str) -> None:
    bad = scalar(
        db, f"SELECT count(*) FROM {table} WHERE NOT ST_IsValid(geom) OR ST_SRID(geom) <> 4490"
    )
    assert bad == 0
    outside = scalar(
        db,
        f"""
        SELECT count(*) FROM {table} t, region d
        WHERE d.level = 'district' AND NOT ST_CoveredBy(t.geom, d.geom)""",
    )
    assert outside == 0


@pytest.mark.parametrize(
    "table", ["enterprise", "event", "camera", "party_site", "building", "construction_site"]
)
def test_every_feature_lies_in_the_grid_it_is_filed_under(db, table: str) -> None:
    misfiled = scalar(
        db,
        f"""
        SELECT count(*) FROM {table} t
        WHERE NOT EXISTS (SELECT 1 FROM region g WHERE g.id = t.region_id AND g.level = 'grid'
                          AND ST_Covers(g.geom, t.geom))""",
    )
    assert misfiled == 0


def test_street_network_is_one_connected_graph_with_chinese_names(db) -> None:
    rows = db.execute(
        shapely_sql("""
        SELECT name, ST_AsText(ST_StartPoint(geom)), ST_AsText(ST_EndPoint(geom)) FROM street""")
    ).all()
    parent: dict[str, str] = {}

    def find(p: str) -> str:
        while parent.setdefault(p, p) != p:
            p = parent[p]
        return p

    for _, a, b in rows:
        parent[find(a)] = find(b)
    assert len({find(a) for _, a, _ in rows}) == 1
    assert all(re.search(r"[\u4e00-\u9fff]", name) for name, _, _ in rows)
    assert len({name for name, _, _ in rows}) > 50


def test_enterprise_codes_and_phones_are_valid(db) -> None:
    rows = db.execute(shapely_sql("SELECT uscc, contact_phone FROM enterprise")).all()
    assert all(is_valid_uscc(code) for code, _ in rows)
    assert all(is_valid_phone(phone) for _, phone in rows)
    assert len({code for code, _ in rows}) == len(rows)


def test_events_span_a_year_with_realistic_statuses(db) -> None:
    days = scalar(db, "SELECT max(reported_at)::date - min(reported_at)::date FROM event")
    assert 300 <= days <= 366
    closed_share = scalar(db, "SELECT avg((status = 'closed')::int) FROM event")
    assert 0.7 < closed_share < 0.99
    # Closing and cancelling both end a work order (geo.event.service stamps closed_at).
    bad_closure = scalar(
        db,
        "SELECT count(*) FROM event "
        "WHERE (status IN ('closed', 'cancelled')) <> (closed_at IS NOT NULL)",
    )
    assert bad_closure == 0


def _digest(rows) -> str:  # noqa: ANN001
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def test_same_seed_gives_the_same_district_and_another_seed_does_not() -> None:
    def fingerprint(seed: int) -> str:
        layout = build_layout(seed)
        ids = f.RegionIds(
            list(range(8)), list(range(len(layout.communities))), list(range(len(layout.grids)))
        )
        anchor = date(2026, 11, 28)
        return _digest(
            itertools.chain(
                (shapely.to_wkb(g.geom) for g in layout.grids),
                itertools.islice(f.events(layout, ids, seed, 1, anchor, _desks(anchor), []), 200),
                itertools.islice(f.enterprises(layout, ids, seed, 1), 100),
            )
        )

    assert fingerprint(7) == fingerprint(7)
    assert fingerprint(7) != fingerprint(8)


def _desks(anchor: date) -> Desks:
    """Desks without a database: made-up people, a Mon–Fri calendar around the anchor."""
    first, last = date(anchor.year - 1, 1, 1), date(anchor.year + 1, 12, 31)
    weekdays = {
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() < 5
    }
    return Desks(
        towns={code: TownDesk(Person(1, "派遣员"), Person(2, "处置人员", 3)) for code, *_ in TOWNS},
        centre=Person(4, "区中心"),
        members={},
        days=dict.fromkeys(f.CATEGORY_WEIGHTS, 2),
        calendar=WorkingCalendar(first, last, frozenset(weekdays), DEFAULT_PERIODS, SHANGHAI),
        anchor_end=anchor_end_of(anchor),
    )


def test_scale_multiplies_volume_and_keeps_scale_one_features() -> None:
    layout = build_layout(7)
    ids = f.RegionIds(
        list(range(8)), list(range(len(layout.communities))), list(range(len(layout.grids)))
    )
    one = list(f.buildings(layout, ids, {}, 7, 1))
    three = list(f.buildings(layout, ids, {}, 7, 3))
    assert 2.5 * len(one) < len(three)
    assert {row[5] for row in one} <= {row[5] for row in three}
