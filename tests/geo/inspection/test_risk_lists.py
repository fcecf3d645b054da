"""The red / white / black lists (DR-6): pass / fail sequences move objects between lists
and step their weights (floor and cap), each change leaves a history row; rules follow
region overrides; manual moves need inspection.configure, a reason and the list the
screen showed (409 when stale); towns see only their own objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.errors import Conflict, Forbidden, NotFound
from geo.enterprise.models import RiskList
from geo.inspection import lists
from geo.inspection.list_schemas import MoveCreate
from geo.inspection.lists import Rules, Standing, next_standing
from geo.inspection.models import RiskListMoveKind
from geo.parameter.service import set_parameter
from tests.factories import make_enterprise
from tests.geo.inspection.inspection_scene import (
    TQ_TOWN,
    Scene,
    make_scene,
    submit_all,
    town_grid,
)

ActorOf = Callable[[str], Actor]
DEFAULT = Rules(promote_after=3, demote_after=2, pass_step=0.1, fail_step=0.2)
R, W, B = RiskList.RED, RiskList.WHITE, RiskList.BLACK


@pytest.fixture
def scene(db: Session) -> Scene:
    return make_scene(db)


def _walk(start: Standing, results: str, rules: Rules = DEFAULT) -> list[Standing]:
    """The standings after each result of `results` ('P' pass, 'F' fail)."""
    out, now = [], start
    for r in results:
        now = next_standing(now, passed=r == "P", rules=rules)
        out.append(now)
    return out


# ---- the rules (pure) --------------------------------------------------------------------
def test_three_passes_move_white_to_red_with_weights_stepping_down_first() -> None:
    steps = _walk(Standing(W, 1.0, 0, 0), "PPP")
    assert steps == [Standing(W, 0.9, 1, 0), Standing(W, 0.8, 2, 0), Standing(R, 1.0, 0, 0)]


def test_two_failures_move_red_to_white_and_two_more_to_black() -> None:
    steps = _walk(Standing(R, 1.0, 0, 0), "FFFF")
    assert [s.risk_list for s in steps] == [R, W, W, B]
    assert steps[0] == Standing(R, 1.2, 0, 1)
    assert steps[1] == Standing(W, 1.0, 0, 0)  # a move resets weight and streaks
    assert steps[3] == Standing(B, 1.0, 0, 0)


def test_a_failure_breaks_a_run_of_passes() -> None:
    steps = _walk(Standing(B, 1.0, 0, 0), "PPFPPP")
    assert [s.risk_list for s in steps] == [B, B, B, B, B, W]
    assert steps[2] == Standing(B, 1.0, 0, 1)  # 0.8 + 0.2


def test_weights_stop_at_the_floor_and_the_cap() -> None:
    red_passes = _walk(Standing(R, 0.3, 0, 0), "PPPPP")
    assert [s.weight for s in red_passes] == [0.2, 0.1, 0.1, 0.1, 0.1]
    assert red_passes[-1].pass_streak == 5  # red cannot go higher: it stays, streak counts
    black_fails = _walk(Standing(B, 9.7, 0, 0), "FFF")
    assert [s.weight for s in black_fails] == [9.9, 10.0, 10.0]


def test_other_rules_change_the_counts_and_steps() -> None:
    rules = Rules(promote_after=1, demote_after=1, pass_step=0.5, fail_step=1.0)
    assert _walk(Standing(B, 1.0, 0, 0), "P", rules) == [Standing(W, 1.0, 0, 0)]
    assert _walk(Standing(R, 1.0, 0, 0), "F", rules) == [Standing(W, 1.0, 0, 0)]
    assert _walk(Standing(B, 1.0, 0, 0), "F", rules) == [Standing(B, 2.0, 0, 1)]


# ---- results submitted through the task form ---------------------------------------------
def _standing(db: Session, enterprise_id: int) -> Standing:
    row = db.execute(
        text(
            "SELECT risk_list, draw_weight, pass_streak, fail_streak FROM enterprise WHERE id = :i"
        ),
        {"i": enterprise_id},
    ).one()
    return Standing(RiskList(row.risk_list), row.draw_weight, row.pass_streak, row.fail_streak)


def _inspect(db: Session, scene: Scene, officer: Actor, enterprise_id: int, passed: bool) -> int:
    """One more task on the object, submitted passing (full marks) or failing (zeros)."""
    a = scene.assignment(enterprise_id)
    lines = scene.lines(None if passed else (lambda _: 0), passed=passed)
    outcome = submit_all(db, officer, a.id, lines)
    assert outcome.passed is passed
    return a.id


def test_submitted_passes_promote_white_to_red_and_leave_a_history(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    officer = actor_of("ys_officer")
    obj = scene.object("white")
    assignment_ids = [_inspect(db, scene, officer, obj, True) for _ in range(3)]
    assert _standing(db, obj) == Standing(R, 1.0, 0, 0)
    history = lists.list_moves(db, actor=actor_of("ys_legal"), enterprise_id=obj).items
    assert [(m.kind, m.from_list, m.to_list) for m in history] == [
        (RiskListMoveKind.AUTOMATIC, W, R),
        (RiskListMoveKind.WEIGHT, W, W),
        (RiskListMoveKind.WEIGHT, W, W),
    ]
    assert [m.assignment_id for m in history] == assignment_ids[::-1]
    assert [(m.from_weight, m.to_weight) for m in history] == [(0.8, 1.0), (0.9, 0.8), (1.0, 0.9)]
    assert "连续合格 3 次，由白库调入红库" in history[0].reason
    assert history[0].moved_by_name and history[0].to_list_label == "红库"
    audits = db.execute(
        text("""SELECT action FROM audit_log WHERE object_type = 'enterprise'
                AND object_id = :i ORDER BY id"""),
        {"i": str(obj)},
    ).scalars()
    assert list(audits) == ["inspection.list_weight"] * 2 + ["inspection.list_automatic"]


def test_submitted_failures_demote_red_to_white_then_black(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    officer = actor_of("ys_officer")
    obj = scene.object("red")
    seen = []
    for _ in range(4):
        _inspect(db, scene, officer, obj, False)
        seen.append(_standing(db, obj))
    assert seen == [
        Standing(R, 1.2, 0, 1), Standing(W, 1.0, 0, 0), Standing(W, 1.2, 0, 1),
        Standing(B, 1.0, 0, 0),
    ]  # fmt: skip


def test_the_outcome_reports_the_list_change(db: Session, scene: Scene, actor_of: ActorOf) -> None:
    officer = actor_of("ys_officer")
    obj = scene.object("white")
    set_parameter(db, key="inspection.demote_after", value=1, region_id=scene.town_id)
    a = scene.assignment(obj)
    outcome = submit_all(db, officer, a.id, scene.lines(lambda _: 0, passed=False))
    change = outcome.list_change
    assert (change.moved, change.from_list, change.to_list, change.kind) == (
        True, W, B, RiskListMoveKind.AUTOMATIC,
    )  # fmt: skip
    assert outcome.assignment.object.risk_list is B


def test_rules_follow_region_overrides(db: Session, scene: Scene, actor_of: ActorOf) -> None:
    set_parameter(db, key="inspection.promote_after", value=1, region_id=scene.town_id)
    set_parameter(db, key="inspection.pass_weight_step", value=0.25)  # global
    officer = actor_of("ys_officer")
    obj = scene.object("black")
    _inspect(db, scene, officer, obj, True)
    assert _standing(db, obj).risk_list is W
    rules = {r.key: r for r in lists.effective_rules(db, actor=officer).rules}
    promote, step = rules["inspection.promote_after"], rules["inspection.pass_weight_step"]
    assert (promote.value, promote.source) == (1, "town")
    assert (step.value, step.source) == (0.25, "global")
    assert rules["inspection.demote_after"].source == "default"
    tq_rules = {
        r.key: r.value for r in lists.effective_rules(db, actor=actor_of("tq_officer")).rules
    }
    assert tq_rules["inspection.promote_after"] == 3


# ---- manual moves ------------------------------------------------------------------------
def _configurer(actor_of: ActorOf, username: str = "ys_admin") -> Actor:
    actor = actor_of(username)
    return replace(
        actor, permissions=actor.permissions | {"inspection.configure", "inspection.view"}
    )


def test_a_manual_move_resets_the_standing_and_is_recorded(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    obj = scene.object("white", weight=1.6)
    db.execute(text("UPDATE enterprise SET fail_streak = 1 WHERE id = :i"), {"i": obj})
    admin = _configurer(actor_of)
    change = lists.move_manually(
        db, actor=admin,
        data=MoveCreate(enterprise_id=obj, to_list=B, expected_list=W, reason="多次被投诉"),
    )  # fmt: skip
    assert (change.kind, change.from_weight, change.to_weight) == (
        RiskListMoveKind.MANUAL,
        1.6,
        1.0,
    )
    assert _standing(db, obj) == Standing(B, 1.0, 0, 0)
    [move] = lists.list_moves(db, actor=admin, enterprise_id=obj).items
    assert (move.reason, move.kind_label, move.moved_by) == (
        "多次被投诉",
        "手动调整",
        admin.user_id,
    )


def test_a_manual_move_from_a_stale_list_is_409(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    obj = scene.object("red")
    admin = _configurer(actor_of)
    stale = MoveCreate(enterprise_id=obj, to_list=B, expected_list=W, reason="复查发现问题")
    with pytest.raises(Conflict, match="当前在红库"):
        lists.move_manually(db, actor=admin, data=stale)
    assert _standing(db, obj).risk_list is R


def test_a_manual_move_needs_a_reason_another_list_and_the_permission(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    obj = scene.object("white")
    with pytest.raises(ValidationError):
        MoveCreate(enterprise_id=obj, to_list=R, expected_list=W, reason="   ")
    same = MoveCreate(enterprise_id=obj, to_list=W, expected_list=W, reason="无")
    with pytest.raises(lists.ListRuleError, match="已在白库"):
        lists.move_manually(db, actor=_configurer(actor_of), data=same)
    up = MoveCreate(enterprise_id=obj, to_list=R, expected_list=W, reason="表现良好")
    with pytest.raises(Forbidden):
        lists.move_manually(db, actor=actor_of("ys_squad"), data=up)


# ---- region isolation --------------------------------------------------------------------
def test_a_town_sees_and_moves_only_its_own_objects(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    tq_grid = town_grid(db, TQ_TOWN)
    tq_obj = make_enterprise(
        db, lon=tq_grid.lon, lat=tq_grid.lat, serial=889001, region_id=tq_grid.id,
        risk_list="black", name="塘桥抽查测试企业",
    ).id  # fmt: skip
    ys_obj = scene.object("black")
    ys = _configurer(actor_of)
    page = lists.list_objects(db, actor=ys, risk_list=B, keyword="抽查测试企业", limit=200)
    assert ys_obj in {o.id for o in page.items} and tq_obj not in {o.id for o in page.items}
    with pytest.raises(NotFound):
        lists.list_moves(db, actor=ys, enterprise_id=tq_obj)
    move = MoveCreate(enterprise_id=tq_obj, to_list=W, expected_list=B, reason="试图越权")
    with pytest.raises(NotFound):
        lists.move_manually(db, actor=ys, data=move)
    ys_counts = lists.count_lists(db, actor=ys)
    all_counts = lists.count_lists(db, actor=actor_of("admin"))
    assert ys_counts.black < all_counts.black
    tq = actor_of("tq_legal")
    assert tq_obj in {o.id for o in lists.list_objects(db, actor=tq, risk_list=B, limit=200).items}


def test_the_list_pages_by_keyset_and_filters_by_keyword(
    db: Session, scene: Scene, actor_of: ActorOf
) -> None:
    ids = [scene.object("red") for _ in range(3)]
    officer = actor_of("ys_officer")
    seen, cursor = [], None
    while True:
        page = lists.list_objects(
            db, actor=officer, risk_list=R, keyword="抽查测试企业", cursor=cursor, limit=2
        )
        seen += [o.id for o in page.items]
        if not (cursor := page.next_cursor):
            break
    assert seen == ids
    name = db.execute(text("SELECT name FROM enterprise WHERE id = :i"), {"i": ids[1]}).scalar()
    found = lists.list_objects(db, actor=officer, risk_list=R, keyword=str(name)).items
    assert [(o.id, o.risk_list_label) for o in found] == [(ids[1], "红库")]
    assert not lists.list_objects(db, actor=officer, risk_list=W, keyword=str(name)).items
