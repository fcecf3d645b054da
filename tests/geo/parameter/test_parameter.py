"""System parameters with region overrides: resolution along the region's ancestry,
validation against the registry, and every change audited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from geo.audit.service import search
from geo.core.errors import NotFound
from geo.parameter.registry import PARAMETERS, ParameterError, ParameterSpec
from geo.parameter.service import (
    clear_parameter,
    get_parameter,
    list_parameters,
    resolve_parameter,
    set_parameter,
)
from tests.conftest import scalar

KEY = "event.duplicate_distance_m"


def _regions(db) -> dict[str, Any]:  # noqa: ANN001
    """The district, two towns that have grids, a community and grid of town A, a grid of
    town B — ids and paths."""
    towns = db.execute(
        text("""
            SELECT t.id, t.path::text AS path FROM region t
            WHERE t.level = 'town'
              AND EXISTS (SELECT 1 FROM region g WHERE g.level = 'grid' AND g.path <@ t.path)
            ORDER BY t.code LIMIT 2""")
    ).all()
    assert len(towns) == 2

    def first(level: str, under: str) -> Any:
        return db.execute(
            text("""SELECT id, path::text AS path FROM region
                    WHERE level = :l AND path <@ CAST(:p AS ltree) ORDER BY code LIMIT 1"""),
            {"l": level, "p": under},
        ).one()

    community_a = first("community", towns[0].path)
    return {
        "district": scalar(db, "SELECT id FROM region WHERE level = 'district'"),
        "town_a": towns[0],
        "town_b": towns[1],
        "community_a": community_a,
        "grid_a": first("grid", community_a.path),
        "grid_b": first("grid", towns[1].path),
    }


def test_every_parameter_starts_at_its_default(db) -> None:
    r = _regions(db)
    for key, spec in PARAMETERS.items():
        assert get_parameter(db, key=key) == spec.default
        assert get_parameter(db, key=key, region_id=r["grid_a"].id) == spec.default
    assert get_parameter(db, key="case.simple_procedure_max_fine_citizen") == 200
    assert get_parameter(db, key="case.simple_procedure_max_fine_organisation") == 3000
    assert resolve_parameter(db, key=KEY).source == "default"


def test_the_most_specific_override_wins(db) -> None:
    r = _regions(db)
    grid_a, grid_b, town_a = r["grid_a"].id, r["grid_b"].id, r["town_a"].id

    def at(region_id: int | None) -> int:
        return get_parameter(db, key=KEY, region_id=region_id)

    assert at(grid_a) == at(grid_b) == 50  # the code default

    set_parameter(db, key=KEY, value=60)  # global
    assert (at(None), at(grid_a), at(grid_b)) == (60, 60, 60)

    set_parameter(db, key=KEY, value=70, region_id=r["district"])
    assert (at(None), at(r["district"]), at(grid_a), at(grid_b)) == (60, 70, 70, 70)

    set_parameter(db, key=KEY, value=80, region_id=town_a)
    assert (at(town_a), at(grid_a), at(grid_b), at(r["town_b"].id)) == (80, 80, 70, 70)
    assert at(r["community_a"].id) == 80

    set_parameter(db, key=KEY, value=90, region_id=r["community_a"].id)
    assert (at(grid_a), at(town_a), at(grid_b)) == (90, 80, 70)
    resolved = resolve_parameter(db, key=KEY, region_id=grid_a)
    assert (resolved.value, resolved.source, resolved.source_region_id) == (
        90, "community", r["community_a"].id,
    )  # fmt: skip
    assert resolve_parameter(db, key=KEY, region_id=grid_b).source == "district"
    assert resolve_parameter(db, key=KEY).source == "global"

    assert clear_parameter(db, key=KEY, region_id=r["community_a"].id)
    assert at(grid_a) == 80
    assert clear_parameter(db, key=KEY, region_id=town_a)
    assert at(grid_a) == 70
    assert clear_parameter(db, key=KEY, region_id=r["district"])
    assert at(grid_a) == 60
    assert clear_parameter(db, key=KEY)
    assert at(grid_a) == 50
    assert not clear_parameter(db, key=KEY)  # nothing left to clear

    # another key's override does not leak into this one
    set_parameter(db, key="attendance.tolerance_m", value=100, region_id=town_a)
    assert at(grid_a) == 50


def test_list_parameters_shows_values_and_sources(db) -> None:
    r = _regions(db)
    set_parameter(db, key=KEY, value=80, region_id=r["town_a"].id)
    set_parameter(db, key="attendance.tolerance_m", value=40)
    listed = {p.key: p for p in list_parameters(db, region_id=r["grid_a"].id)}
    assert list(listed) == list(PARAMETERS)
    assert (listed[KEY].value, listed[KEY].source) == (80, "town")
    assert (listed["attendance.tolerance_m"].value, listed["attendance.tolerance_m"].source) == (
        40, "global",
    )  # fmt: skip
    assert listed["event.duplicate_window_hours"].source == "default"
    assert listed[KEY].label == "疑似重复事件距离（米）"
    district_wide = {p.key: p.value for p in list_parameters(db)}
    assert district_wide[KEY] == 50


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("event.no_such_thing", 1, "未知的系统参数 'event.no_such_thing'"),
        (KEY, "50", r"疑似重复事件距离（米）（event.duplicate_distance_m）应为整数，收到 '50'"),
        (KEY, 50.5, "应为整数"),
        (KEY, True, "应为整数"),
        (KEY, None, "应为整数"),
        (KEY, 0, "不能小于 1米，收到 0米"),
        (KEY, 1001, "不能大于 1000米"),
        ("case.simple_procedure_max_fine_citizen", 201, "行政处罚法.*第五十一条"),
        ("case.simple_procedure_max_fine_organisation", 3001, "不能大于 3000元"),
        ("approval.extension_max_working_days", 11, "行政许可法》第四十二条"),
    ],
)
def test_bad_values_are_refused(db, key: str, value: object, message: str) -> None:
    audited = scalar(db, "SELECT count(*) FROM audit_log")
    stored = scalar(db, "SELECT count(*) FROM system_parameter")  # the demo's own overrides
    with pytest.raises(ParameterError, match=message):
        set_parameter(db, key=key, value=value)
    assert scalar(db, "SELECT count(*) FROM system_parameter") == stored
    assert scalar(db, "SELECT count(*) FROM audit_log") == audited


def test_unknown_key_or_region_is_refused(db) -> None:
    with pytest.raises(ParameterError, match="未知的系统参数"):
        get_parameter(db, key="nope.nope")
    with pytest.raises(ParameterError, match="未知的系统参数"):
        clear_parameter(db, key="nope.nope")
    with pytest.raises(NotFound, match="区划 -1 不存在"):
        get_parameter(db, key=KEY, region_id=-1)
    with pytest.raises(NotFound, match="区划 -1 不存在"):
        list_parameters(db, region_id=-1)
    with pytest.raises(NotFound, match="区划 -1 不存在"):
        set_parameter(db, key=KEY, value=60, region_id=-1)


def test_a_declaration_must_fit_its_own_bounds() -> None:
    with pytest.raises(ParameterError, match="不能大于 3"):
        ParameterSpec("test.bad", int, "坏参数", 5, minimum=0, maximum=3)
    with pytest.raises(TypeError, match="不受支持"):
        ParameterSpec("test.bad", list, "坏参数", [])


def test_one_value_per_key_and_region_the_global_one_included(db) -> None:
    db.execute(text("INSERT INTO system_parameter (key, value) VALUES (:k, '1')"), {"k": KEY})
    with pytest.raises(IntegrityError, match="uq_system_parameter_key_region"), db.begin_nested():
        db.execute(text("INSERT INTO system_parameter (key, value) VALUES (:k, '2')"), {"k": KEY})


def test_every_change_is_audited(db) -> None:
    r = _regions(db)
    town_a = r["town_a"]
    set_parameter(db, key=KEY, value=80, region_id=town_a.id, actor_id=5, actor_name="王五")
    set_parameter(db, key=KEY, value=80, region_id=town_a.id)  # same value: nothing changed
    row = set_parameter(db, key=KEY, value=85, region_id=town_a.id)
    assert (row.key, row.region_id, row.value) == (KEY, town_a.id, 85)
    set_parameter(db, key=KEY, value=60)
    clear_parameter(db, key=KEY, region_id=town_a.id, actor_name="王五")
    clear_parameter(db, key=KEY, region_id=town_a.id)  # nothing to clear: no row

    rows = search(db, object_type="system_parameter", object_id=KEY).items
    assert [(r.action, r.before, r.after) for r in rows] == [
        ("parameter.clear", {"region_id": town_a.id, "value": 85}, None),
        ("parameter.set", None, {"region_id": None, "value": 60}),
        (
            "parameter.set",
            {"region_id": town_a.id, "value": 80},
            {"region_id": town_a.id, "value": 85},
        ),
        ("parameter.set", None, {"region_id": town_a.id, "value": 80}),
    ]
    assert [r.region_path for r in rows] == [town_a.path, None, town_a.path, town_a.path]
    assert (rows[-1].actor_id, rows[-1].actor_name) == (5, "王五")
    town_name = scalar(db, "SELECT name FROM region WHERE id = :i", i=town_a.id)
    assert rows[0].detail == f"疑似重复事件距离（米） · {town_name}"
    assert rows[1].detail == "疑似重复事件距离（米） · 全局"
    # the town's changes are found by a search scoped to the town, not to another town
    in_town = search(db, object_type="system_parameter", region_path=town_a.path).items
    assert len(in_town) == 3
    assert search(db, object_type="system_parameter", region_path=r["town_b"].path).items == []
