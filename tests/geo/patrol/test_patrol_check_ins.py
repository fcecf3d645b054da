"""Patrol check-ins (LE-8): the position is validated at the door, the region is found
from the point, the distance to a named enterprise is measured in metres, a special
assignment is done only when its officer checks in at its enterprise, and a daily plan
is patrolled only on its weekdays."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.errors import NotFound
from geo.patrol import checkins, service
from geo.patrol.errors import PatrolRuleError
from geo.patrol.schemas import CheckInCreate, PlanCreate
from tests.conftest import scalar
from tests.factories import make_officer
from tests.geo.task.task_flow import grid_point, user_id


def _today() -> datetime:
    return datetime.now(SHANGHAI)


def _plan(db: Session, actor: Actor, *, weekdays: list[int], officer: str = "ys_officer") -> int:
    return service.create_plan(
        db, actor=actor,
        data=PlanCreate(name="日常巡检", kind="daily", start_date=_today().date(),
                        end_date=_today().date() + timedelta(days=30), weekdays=weekdays,
                        officer_ids=[user_id(db, officer)]),
    ).id  # fmt: skip


def _body(plan_id: int, lon: float, lat: float, **extra: object) -> CheckInCreate:
    return CheckInCreate(plan_id=plan_id, lon=lon, lat=lat, accuracy_m=8, **extra)  # type: ignore[arg-type]


def _ys_enterprise(db: Session) -> tuple[int, float, float]:
    row = db.execute(
        text("""SELECT e.id, ST_X(e.geom), ST_Y(e.geom) FROM enterprise e
                JOIN region r ON r.id = e.region_id
                WHERE r.path <@ '320582000000.320582100000' ORDER BY e.id LIMIT 1""")
    ).one()
    return int(row[0]), float(row[1]), float(row[2])


def test_a_check_in_records_place_region_and_distance(
    db: Session, actor_of: Callable[[str], Actor]
) -> None:
    plan_id = _plan(db, actor_of("ys_squad"), weekdays=list(range(1, 8)))
    lon, lat = grid_point(db, "ys_grid")
    enterprise_id, _, _ = _ys_enterprise(db)
    saved = checkins.check_in(
        db, actor=actor_of("ys_officer"),
        data=_body(plan_id, lon, lat, enterprise_id=enterprise_id, findings="无异常"),
    )  # fmt: skip
    grid = scalar(db, "SELECT region_id FROM user_account WHERE username = 'ys_grid'")
    expected = scalar(
        db,
        "SELECT ST_Distance(geography(geom), geography(ST_SetSRID(ST_MakePoint(:x, :y), 4490))) "
        "FROM enterprise WHERE id = :e",
        x=lon, y=lat, e=enterprise_id,
    )  # fmt: skip
    assert saved.region_id == grid
    assert saved.distance_m == pytest.approx(float(expected), abs=0.1)  # type: ignore[arg-type]
    assert saved.assignment_id is not None and not saved.assignment_done
    audited = scalar(
        db, "SELECT count(*) FROM audit_log WHERE action = 'patrol.check_in' AND object_id = :i",
        i=str(saved.id),
    )  # fmt: skip
    assert audited == 1
    today = checkins.my_patrols(db, actor=actor_of("ys_officer"))
    assert next(p for p in today.daily if p.plan_id == plan_id).check_ins_today == 1


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("swapped", "经纬度顺序颠倒"),
        ("abroad", "不在辖区范围内"),
        ("other_town", "不在您的管辖范围内"),
    ],
)
def test_a_bad_position_is_refused_at_the_door(
    db: Session, actor_of: Callable[[str], Actor], where: str, message: str
) -> None:
    plan_id = _plan(db, actor_of("ys_squad"), weekdays=list(range(1, 8)))
    lon, lat = grid_point(db, "ys_grid")
    if where == "swapped":
        lon, lat = lat, lon
    elif where == "abroad":
        lon, lat = 116.4, 39.9
    else:
        lon, lat = grid_point(db, "tq_grid")
    with pytest.raises(PatrolRuleError, match=message):
        checkins.check_in(db, actor=actor_of("ys_officer"), data=_body(plan_id, lon, lat))


def test_a_daily_plan_is_patrolled_on_its_weekdays_only(
    db: Session, actor_of: Callable[[str], Actor]
) -> None:
    not_today = (_today().isoweekday() % 7) + 1
    plan_id = _plan(db, actor_of("ys_squad"), weekdays=[not_today])
    lon, lat = grid_point(db, "ys_grid")
    with pytest.raises(PatrolRuleError, match="不是巡检日"):
        checkins.check_in(db, actor=actor_of("ys_officer"), data=_body(plan_id, lon, lat))
    that_day = _today() + timedelta(days=1)
    saved = checkins.check_in(
        db, actor=actor_of("ys_officer"), data=_body(plan_id, lon, lat), now=that_day
    )
    assert saved.plan_id == plan_id


def test_only_the_plans_officers_check_in_under_it(
    db: Session, actor_of: Callable[[str], Actor]
) -> None:
    plan_id = _plan(db, actor_of("ys_squad"), weekdays=list(range(1, 8)))
    lon, lat = grid_point(db, "ys_grid")
    with pytest.raises(NotFound):
        checkins.check_in(db, actor=actor_of("ys_squad"), data=_body(plan_id, lon, lat))


def test_an_officer_reads_their_own_check_ins_a_planner_those_of_the_scope(
    db: Session, actor_of: Callable[[str], Actor]
) -> None:
    plan_id = _plan(db, actor_of("ys_squad"), weekdays=list(range(1, 8)))
    lon, lat = grid_point(db, "ys_grid")
    saved = checkins.check_in(db, actor=actor_of("ys_officer"), data=_body(plan_id, lon, lat))
    planner_ids = {c.id for c in checkins.list_check_ins(db, actor=actor_of("ys_squad")).items}
    assert saved.id in planner_ids
    with pytest.raises(NotFound):
        checkins.get_check_in(db, actor=actor_of("tq_squad"), check_in_id=saved.id)
    assert saved.id not in {
        c.id for c in checkins.list_check_ins(db, actor=actor_of("tq_squad")).items
    }
    day = _today().date()
    layer = checkins.check_in_map(
        db, actor=actor_of("ys_squad"), date_from=day, date_to=day, plan_id=plan_id
    )
    assert [f["id"] for f in layer["features"]] == [saved.id]
    assert layer["features"][0]["geometry"]["coordinates"] == pytest.approx([lon, lat])
    with pytest.raises(PatrolRuleError, match="最多显示"):
        checkins.check_in_map(
            db, actor=actor_of("ys_squad"), date_from=day - timedelta(days=200), date_to=day
        )


# ---- special assignments -----------------------------------------------------------------
@pytest.fixture
def special_plan(db: Session, actor_of: Callable[[str], Actor]) -> dict[str, int]:
    """ys_officer covers all of 杨舍镇; a special plan over the catering of ys_grid's
    community gives them every one."""
    town = db.execute(
        text("SELECT id, ST_AsText(geom) FROM region WHERE code = '320582100000'")
    ).one()
    import shapely

    make_officer(db, user_id=user_id(db, "ys_officer"), area=shapely.from_wkt(town[1]),
                 region_id=town[0])  # fmt: skip
    community = scalar(
        db,
        "SELECT r.parent_id FROM user_account u JOIN region r ON r.id = u.region_id "
        "WHERE u.username = 'ys_grid'",
    )
    category = scalar(
        db,
        """SELECT e.category FROM enterprise e JOIN region g ON g.id = e.region_id
           WHERE g.parent_id = :c GROUP BY e.category ORDER BY count(*) DESC LIMIT 1""",
        c=community,
    )
    plan = service.create_plan(
        db, actor=actor_of("ys_squad"),
        data=PlanCreate(name="专项检查", kind="special", start_date=_today().date(),
                        end_date=_today().date() + timedelta(days=7),
                        enterprise_category=category, region_id=community),
    )  # fmt: skip
    return {"plan": plan.id, "community": int(community)}  # type: ignore[arg-type]


def test_a_special_assignment_is_done_by_a_check_in_at_its_enterprise(
    db: Session, actor_of: Callable[[str], Actor], special_plan: dict[str, int]
) -> None:
    officer = actor_of("ys_officer")
    mine = checkins.my_patrols(db, actor=officer).special
    assert mine and all(p.plan_id == special_plan["plan"] for p in mine)
    first = mine[0]
    assert first.enterprise_id is not None and first.lon is not None and first.lat is not None
    plan_id, enterprise_id = special_plan["plan"], first.enterprise_id
    far = checkins.check_in(
        db, actor=officer,
        data=_body(plan_id, first.lon, first.lat + 0.004, enterprise_id=enterprise_id),
    )  # fmt: skip
    assert not far.assignment_done and far.notice and "尚未完成" in far.notice
    near = checkins.check_in(
        db, actor=officer,
        data=_body(special_plan["plan"], first.lon, first.lat, enterprise_id=first.enterprise_id,
                   problem_found=True, findings="消防通道堵塞"),
    )  # fmt: skip
    assert near.assignment_done and near.distance_m == pytest.approx(0, abs=0.5)
    left = {p.enterprise_id for p in checkins.my_patrols(db, actor=officer).special}
    assert first.enterprise_id not in left and len(left) == len(mine) - 1
    plan = service.get_plan(db, actor=actor_of("ys_squad"), plan_id=special_plan["plan"])
    assert plan.done_count == 1 and plan.check_in_count == 2


def test_a_special_check_in_names_one_of_ones_own_enterprises(
    db: Session, actor_of: Callable[[str], Actor], special_plan: dict[str, int]
) -> None:
    lon, lat = grid_point(db, "ys_grid")
    officer = actor_of("ys_officer")
    with pytest.raises(PatrolRuleError, match="须选择"):
        checkins.check_in(db, actor=officer, data=_body(special_plan["plan"], lon, lat))
    other = scalar(
        db,
        """SELECT e.id FROM enterprise e WHERE e.id NOT IN
           (SELECT enterprise_id FROM patrol_assignment WHERE plan_id = :p) LIMIT 1""",
        p=special_plan["plan"],
    )
    with pytest.raises(PatrolRuleError, match="不在分配给您"):
        checkins.check_in(
            db, actor=officer, data=_body(special_plan["plan"], lon, lat, enterprise_id=other)
        )
