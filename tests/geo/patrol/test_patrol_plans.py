"""Patrol plans (LE-8): a daily plan recurs only on its weekdays; a special plan gives each
enterprise of its category to an officer whose enforcement area covers it — never one
outside, never a conflicted officer — spreads the load, and reports the enterprises no
officer may take instead of dropping them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.errors import NotFound
from geo.inspection.models import OfficerConflict
from geo.patrol import checkins, service
from geo.patrol.errors import PatrolRuleError
from geo.patrol.matching import ALL_CONFLICTED, NO_OFFICER, Candidate, spread_load
from geo.patrol.schemas import PlanCreate
from tests.conftest import scalar
from tests.factories import (
    TEST_AREA_SIZE,
    TEST_AREA_SOUTH,
    TEST_AREA_WEST,
    make_enterprise,
    make_officer,
    make_region_tree,
)

W, S, SIZE = TEST_AREA_WEST, TEST_AREA_SOUTH, TEST_AREA_SIZE
MID = W + SIZE / 2


def _today() -> date:
    return datetime.now(SHANGHAI).date()


def _uid(db: Session, username: str) -> int:
    return int(scalar(db, "SELECT id FROM user_account WHERE username = :u", u=username))  # type: ignore[arg-type]


def _daily(db: Session, *usernames: str, weekdays: list[int], days: int = 30) -> PlanCreate:
    return PlanCreate(
        name="日常巡检测试", kind="daily", start_date=_today(),
        end_date=_today() + timedelta(days=days), weekdays=weekdays,
        officer_ids=[_uid(db, u) for u in usernames],
    )  # fmt: skip


# ---- daily -------------------------------------------------------------------------------
def test_a_daily_plan_recurs_on_its_weekdays_only(
    db: Session, actor_of: Callable[[str], Actor]
) -> None:
    today = _today()
    other = today + timedelta(days=1)
    plan = service.create_plan(
        db, actor=actor_of("ys_squad"), data=_daily(db, "ys_officer", weekdays=[today.isoweekday()])
    )
    name = scalar(db, "SELECT display_name FROM user_account WHERE username = 'ys_officer'")
    assert plan.assignment_count == 1 and plan.officer_names == [name]
    officer = actor_of("ys_officer")
    on_day = checkins.my_patrols(db, actor=officer, day=today)
    assert plan.id in {p.plan_id for p in on_day.daily}
    off_day = checkins.my_patrols(db, actor=officer, day=other)
    assert plan.id not in {p.plan_id for p in off_day.daily}
    week_later = checkins.my_patrols(db, actor=officer, day=today + timedelta(days=7))
    assert plan.id in {p.plan_id for p in week_later.daily}
    after_end = checkins.my_patrols(db, actor=officer, day=today + timedelta(days=35))
    assert plan.id not in {p.plan_id for p in after_end.daily}
    # Someone not in the plan does not patrol it.
    assert plan.id not in {
        p.plan_id for p in checkins.my_patrols(db, actor=actor_of("ys_squad"), day=today).daily
    }


def test_a_stopped_plan_leaves_todays_patrols(
    db: Session, actor_of: Callable[[str], Actor]
) -> None:
    leader = actor_of("ys_squad")
    plan = service.create_plan(
        db, actor=leader, data=_daily(db, "ys_officer", weekdays=list(range(1, 8)))
    )
    service.stop_plan(db, actor=leader, plan_id=plan.id)
    mine = checkins.my_patrols(db, actor=actor_of("ys_officer"))
    assert plan.id not in {p.plan_id for p in mine.daily}


@pytest.mark.parametrize(
    ("usernames", "message"),
    [(("ys_grid",), "巡查签到"), (("tq_officer",), "管辖范围"), ((), "至少一名")],
)
def test_a_daily_plan_names_patrolling_officers_of_the_scope(
    db: Session, actor_of: Callable[[str], Actor], usernames: tuple[str, ...], message: str
) -> None:
    with pytest.raises(PatrolRuleError, match=message):
        service.create_plan(
            db, actor=actor_of("ys_squad"), data=_daily(db, *usernames, weekdays=[1])
        )


def test_a_daily_plan_needs_weekdays_and_sane_dates(
    db: Session, actor_of: Callable[[str], Actor]
) -> None:
    leader = actor_of("ys_squad")
    with pytest.raises(PatrolRuleError, match="巡检日"):
        service.create_plan(db, actor=leader, data=_daily(db, "ys_officer", weekdays=[]))
    bad = _daily(db, "ys_officer", weekdays=[1]).model_copy(
        update={"end_date": _today() - timedelta(days=1)}
    )
    with pytest.raises(PatrolRuleError, match="早于|已过"):
        service.create_plan(db, actor=leader, data=bad)


def test_plans_are_seen_only_inside_the_scope(
    db: Session, actor_of: Callable[[str], Actor]
) -> None:
    plan = service.create_plan(
        db, actor=actor_of("ys_squad"), data=_daily(db, "ys_officer", weekdays=[1, 3, 5])
    )
    with pytest.raises(NotFound):
        service.get_plan(db, actor=actor_of("tq_squad"), plan_id=plan.id)
    assert plan.id not in {
        p.id for p in service.list_plans(db, actor=actor_of("tq_squad"), limit=200).items
    }
    assert plan.id in {
        p.id for p in service.list_plans(db, actor=actor_of("ys_squad"), limit=200).items
    }


# ---- special -----------------------------------------------------------------------------
def _special(region_id: int, category: str = "catering") -> PlanCreate:
    return PlanCreate(
        name="专项检查测试", kind="special", start_date=_today(),
        end_date=_today() + timedelta(days=14), enterprise_category=category, region_id=region_id,
    )  # fmt: skip


@pytest.fixture
def special_area(db: Session) -> dict[str, object]:
    """A test town split west / east: two officers cover the west half, one the east half
    except a strip along its east edge; catering enterprises on both sides and in the
    strip, one east enterprise whose only officer is related to it, and a retail shop.
    The demo's own special plans are stopped (rolled back): their open work is no load here."""
    db.execute(text("UPDATE patrol_plan SET active = false"))
    tree = make_region_tree(db)
    west_grid, east_grid = tree.grids
    west = shapely.box(W, S, MID, S + SIZE)
    east = shapely.box(MID, S, W + SIZE * 0.9, S + SIZE)
    ids = {u: _uid(db, u) for u in ("ys_officer", "tq_officer", "ys_squad")}
    a = make_officer(db, user_id=ids["ys_officer"], area=west, region_id=tree.town.id)
    make_officer(db, user_id=ids["tq_officer"], area=west, region_id=tree.town.id)
    c = make_officer(db, user_id=ids["ys_squad"], area=east, region_id=tree.town.id)
    west_ents = [
        make_enterprise(db, lon=W + 0.01 + i * 0.01, lat=S + 0.05, serial=9100 + i,
                        region_id=west_grid.id)
        for i in range(6)
    ]  # fmt: skip
    east_ents = [
        make_enterprise(db, lon=MID + 0.01 + i * 0.01, lat=S + 0.05, serial=9200 + i,
                        region_id=east_grid.id)
        for i in range(3)
    ]  # fmt: skip
    strip = make_enterprise(
        db, lon=W + SIZE * 0.95, lat=S + 0.1, serial=9300, region_id=east_grid.id
    )
    related = make_enterprise(db, lon=MID + 0.05, lat=S + 0.15, serial=9301, region_id=east_grid.id)
    db.add(OfficerConflict(officer_id=c.id, enterprise_id=related.id, reason="亲属经营"))
    shop = make_enterprise(db, lon=W + 0.02, lat=S + 0.1, serial=9302, region_id=west_grid.id,
                           category="retail")  # fmt: skip
    db.flush()
    return {"tree": tree, "ids": ids, "officer_a": a, "west": west_ents, "east": east_ents,
            "strip": strip, "related": related, "shop": shop}  # fmt: skip


def _assignments(db: Session, actor: Actor, plan_id: int) -> list:
    return service.list_assignments(db, actor=actor, plan_id=plan_id).items


def test_each_enterprise_goes_to_an_officer_whose_area_covers_it(
    db: Session, actor_of: Callable[[str], Actor], special_area: dict
) -> None:
    admin = actor_of("admin")
    plan = service.create_plan(db, actor=admin, data=_special(special_area["tree"].town.id))
    rows = _assignments(db, admin, plan.id)
    catering = {e.id for e in special_area["west"] + special_area["east"]} | {
        special_area["strip"].id,
        special_area["related"].id,
    }
    assert {r.enterprise_id for r in rows} == catering  # every one, the shop not
    assert plan.assignment_count == len(catering) and plan.unmatched_count == 2
    outside = scalar(
        db,
        """SELECT count(*) FROM patrol_assignment a
           JOIN enforcement_officer o ON o.user_id = a.officer_id
           JOIN enterprise e ON e.id = a.enterprise_id
           WHERE a.plan_id = :p AND NOT ST_Covers(o.area, e.geom)""",
        p=plan.id,
    )
    assert outside == 0
    reasons = {r.enterprise_id: r.unmatched_reason for r in rows if r.officer_id is None}
    assert reasons == {
        special_area["strip"].id: NO_OFFICER,
        special_area["related"].id: ALL_CONFLICTED,
    }
    # The load is spread: the two west officers take three each.
    west_ids = {e.id for e in special_area["west"]}
    load = Counter(r.officer_id for r in rows if r.enterprise_id in west_ids)
    assert sorted(load.values()) == [3, 3]
    assert {
        r.officer_id for r in rows if r.enterprise_id in {e.id for e in special_area["east"]}
    } == {special_area["ids"]["ys_squad"]}


def test_open_work_counts_as_load(
    db: Session, actor_of: Callable[[str], Actor], special_area: dict
) -> None:
    admin = actor_of("admin")
    town = special_area["tree"].town.id
    service.create_plan(db, actor=admin, data=_special(town))  # 3 + 3 west, still open
    # Officer A finished nothing; officer B checked all of theirs: B is now the lighter one.
    db.execute(
        text("UPDATE patrol_assignment SET done_at = now() WHERE officer_id = :b"),
        {"b": special_area["ids"]["tq_officer"]},
    )
    second = service.create_plan(db, actor=admin, data=_special(town))
    rows = _assignments(db, admin, second.id)
    west_ids = {e.id for e in special_area["west"]}
    load = Counter(r.officer_id for r in rows if r.enterprise_id in west_ids)
    a, b = load[special_area["ids"]["ys_officer"]], load[special_area["ids"]["tq_officer"]]
    assert a + b == 6 and b >= 4  # B (0 open) catches up with A (3 open) first
    assert abs((3 + a) - b) <= 1  # and the open work ends up even


def test_a_special_plan_with_no_enterprise_of_the_category_is_refused(
    db: Session, actor_of: Callable[[str], Actor], special_area: dict
) -> None:
    with pytest.raises(PatrolRuleError, match="没有"):
        service.create_plan(
            db, actor=actor_of("admin"), data=_special(special_area["tree"].town.id, "healthcare")
        )


def test_a_special_plan_outside_the_scope_is_not_found(
    db: Session, actor_of: Callable[[str], Actor]
) -> None:
    tq_town = scalar(db, "SELECT region_id FROM user_account WHERE username = 'tq_admin'")
    with pytest.raises(NotFound):
        service.create_plan(db, actor=actor_of("ys_squad"), data=_special(int(tq_town)))  # type: ignore[arg-type]


# ---- the spreading rule itself -------------------------------------------------------------
def test_spread_load_takes_the_least_loaded_then_the_lower_id() -> None:
    candidates = [Candidate(e, (1, 2), 2) for e in range(10, 16)]
    matches = spread_load(candidates, {1: 3})
    taken = Counter(m.officer_id for m in matches)
    assert taken == {2: 4, 1: 2}  # 2 catches up to 3, then they alternate (1 first on ties)


def test_spread_load_serves_scarce_enterprises_first() -> None:
    # Enterprise 1 can go to officer 1 or 2; enterprise 2 only to officer 1. Taking 1 first
    # by id would give it to officer 1 and overload them; scarcity first balances them.
    matches = spread_load([Candidate(1, (1, 2), 2), Candidate(2, (1,), 1)], {})
    assert {m.enterprise_id: m.officer_id for m in matches} == {1: 2, 2: 1}


def test_spread_load_reports_unmatched_with_the_reason() -> None:
    matches = spread_load([Candidate(1, (), 0), Candidate(2, (), 2)], {})
    assert [(m.officer_id, m.unmatched_reason) for m in matches] == [
        (None, NO_OFFICER), (None, ALL_CONFLICTED),
    ]  # fmt: skip
