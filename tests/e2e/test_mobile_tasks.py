"""The field app's 我的任务, 导航 and patrol check-in naming an enterprise, on a phone-sized
screen (APP-6, GIS-8, LE-8): ys_squad dispatches two matters to ys_officer; on the phone
the officer opens 我的任务, receives the first and feeds it back with text and a camera
photo (tried with no network first: the text stays), with status, history and attachment
checked in the database; converts the second into a case (the case_record row checked).
ys_squad re-dispatches a matter waiting in the squad to ys_officer. The officer finds an
enterprise through the 导航 tile and sees the route's length, and checks in on a daily
patrol naming the nearest enterprise.

Screenshots go to test-output/mobile/ (git-ignored)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from geo.core.db import get_engine
from geo.org.auth import open_session
from geo.org.models import SessionKind, UserAccount
from geo.patrol import service as patrols
from geo.patrol.schemas import PlanCreate
from geo.task import service as task_service
from geo.task.schemas import TaskCreate
from geo.task.workflow import Action
from tests.e2e.conftest import signed_in_context
from tests.e2e.test_mobile_officer import _nearby_enterprise
from tests.e2e.test_mobile_report import PHONE, _png
from tests.geo.attendance.attendance_places import inside
from tests.geo.task.task_flow import grid_point, squad_of, user_id


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "mobile"
    folder.mkdir(exist_ok=True)
    return folder


def _actor(db: Session, username: str) -> Any:
    user = db.query(UserAccount).filter_by(username=username).one()
    return open_session(db, user=user, kind=SessionKind.BEARER).actor


@pytest.fixture
def sent_to_officer() -> Iterator[Callable[..., int]]:
    """A committed matter of 杨舍镇 sent by ys_squad to ys_officer (or, `to_squad`, to
    ys_squad's own squad); deleted afterwards with the case it may have become."""
    made: list[int] = []

    def make(title: str, to_squad: bool = False) -> int:
        with Session(get_engine()) as db:
            lon, lat = grid_point(db)
            squad = _actor(db, "ys_squad")
            data = TaskCreate(
                title=title, description="群众反映店外占道经营，请现场核查", source="区城管局",
                address="测试路 8 号", lon=lon, lat=lat,
                deadline=datetime.now(SHANGHAI).date() + timedelta(days=5),
            )  # fmt: skip
            task = task_service.register_task(db, actor=squad, data=data)
            if to_squad:
                task_service.transition(
                    db, actor=squad, task_id=task.id, action=Action.SEND_TO_SQUAD,
                    expected_status=task.status, squad_id=squad_of(db, "ys_squad"),
                )  # fmt: skip
            else:
                task_service.transition(
                    db, actor=squad, task_id=task.id, action=Action.SEND_TO_OFFICER,
                    expected_status=task.status, user_id=user_id(db, "ys_officer"),
                )  # fmt: skip
            db.commit()
        made.append(task.id)
        return task.id

    yield make
    with get_engine().begin() as conn:
        cases = conn.execute(
            text("SELECT case_id FROM enforcement_task WHERE id = ANY(:ids) AND case_id > 0"),
            {"ids": made},
        ).scalars().all()  # fmt: skip
        conn.execute(text("DELETE FROM enforcement_task WHERE id = ANY(:ids)"), {"ids": made})
        conn.execute(text("DELETE FROM case_record WHERE id = ANY(:ids)"), {"ids": list(cases)})


def _phone(
    browser: Any, live_server: str, here: tuple[float, float], username: str = "ys_officer"
) -> Any:
    return signed_in_context(
        browser, live_server, username, viewport=PHONE, is_mobile=True, has_touch=True,
        geolocation={"longitude": here[0], "latitude": here[1], "accuracy": 10},
        permissions=["geolocation"],
    )  # fmt: skip


def _open_task(page: Any, live_server: str, title: str) -> None:
    page.goto(f"{live_server}/m/#/home", wait_until="domcontentloaded")
    page.get_by_test_id("m-tile-m-tasks").click()
    page.locator('[data-testid="m-task"]', has_text=title).first.click()
    page.get_by_test_id("m-task-detail").wait_for(timeout=15_000)


def test_officer_receives_feeds_back_and_converts_tasks(
    browser: Any, live_server: str, shots: Path, sent_to_officer: Callable[..., int]
) -> None:
    mark = uuid4().hex[:6]
    fed_title, case_title = f"手机任务反馈{mark}", f"手机任务转立案{mark}"
    fed_id, case_id = sent_to_officer(fed_title), sent_to_officer(case_title)
    with Session(get_engine()) as db:
        here = inside(db, "ys_grid")
    context = _phone(browser, live_server, here)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        _open_task(page, live_server, fed_title)
        detail = page.get_by_test_id("m-task-detail")
        assert "待接收" in detail.inner_text() and "测试路 8 号" in detail.inner_text()
        page.locator('[data-testid="m-task-map"][data-drawn="true"]').wait_for(timeout=30_000)
        page.wait_for_timeout(500)  # the painted frame reaches the screen
        page.screenshot(path=str(shots / "task-detail.png"), full_page=True)

        page.get_by_test_id("m-task-receive").click()
        page.locator('[data-testid="m-task-detail"][data-status="handling"]').wait_for(
            timeout=15_000
        )
        page.get_by_test_id("m-task-feedback").click()
        page.get_by_test_id("m-task-findings").fill("现场核实：已劝离占道摊点")
        page.get_by_test_id("m-task-photos").set_input_files(
            files=[{"name": "现场.png", "mimeType": "image/png", "buffer": _png()}]
        )
        assert page.get_by_test_id("m-task-photo-count").inner_text().strip() == "已选 1 张照片"
        page.screenshot(path=str(shots / "task-feedback-form.png"), full_page=True)
        # No network: nothing is sent, the screen says so and keeps the text and the photo.
        context.set_offline(True)
        page.get_by_test_id("m-task-feedback-submit").click()
        page.get_by_test_id("m-task-offline").wait_for(timeout=15_000)
        assert page.get_by_test_id("m-task-findings").input_value() == "现场核实：已劝离占道摊点"
        assert page.get_by_test_id("m-task-photo-count").inner_text().strip() == "已选 1 张照片"
        page.screenshot(path=str(shots / "task-feedback-offline.png"), full_page=True)
        context.set_offline(False)
        # The app is closed and opened again: the feedback form comes back filled.
        page.reload(wait_until="domcontentloaded")
        page.locator(".el-message", has_text="已恢复上次未提交的内容").wait_for(timeout=15_000)
        assert page.get_by_test_id("m-task-findings").input_value() == "现场核实：已劝离占道摊点"
        assert page.get_by_test_id("m-task-photo-count").inner_text().strip() == "已选 1 张照片"
        page.get_by_test_id("m-task-feedback-submit").click()
        page.locator('[data-testid="m-task-detail"][data-status="fed_back"]').wait_for(
            timeout=15_000
        )
        page.get_by_test_id("m-task-attachments").locator("img").first.wait_for(timeout=15_000)
        page.screenshot(path=str(shots / "task-fed-back.png"), full_page=True)

        _open_task(page, live_server, case_title)
        page.get_by_test_id("m-task-receive").click()
        page.locator('[data-testid="m-task-detail"][data-status="handling"]').wait_for(
            timeout=15_000
        )
        page.get_by_test_id("m-task-convert").click()
        assert page.get_by_test_id("m-task-case-title").input_value() == case_title
        page.get_by_test_id("m-task-case-party").fill("某某小吃店")
        page.get_by_test_id("m-task-convert-submit").click()
        page.locator('[data-testid="m-task-detail"][data-status="converted"]').wait_for(
            timeout=15_000
        )
        assert "案件编号" in page.get_by_test_id("m-task-detail").inner_text()
        page.screenshot(path=str(shots / "task-converted.png"), full_page=True)
        assert errors == []
    finally:
        context.close()

    with get_engine().connect() as conn:
        status, findings = conn.execute(
            text("SELECT status, findings FROM enforcement_task WHERE id = :i"), {"i": fed_id}
        ).one()
        actions = conn.execute(
            text("SELECT action FROM enforcement_task_action WHERE task_id = :i ORDER BY id"),
            {"i": fed_id},
        ).scalars().all()  # fmt: skip
        files = conn.execute(
            text("SELECT kind, filename FROM enforcement_task_attachment WHERE task_id = :i"),
            {"i": fed_id},
        ).all()  # fmt: skip
        case = conn.execute(
            text("""SELECT t.status, c.title, c.party_name, c.procedure FROM enforcement_task t
                    JOIN case_record c ON c.id = t.case_id WHERE t.id = :i"""),
            {"i": case_id},
        ).one()  # fmt: skip
    assert (status, findings) == ("fed_back", "现场核实：已劝离占道摊点")
    assert list(actions) == ["register", "send_to_officer", "receive", "feedback"]
    assert [tuple(f) for f in files] == [("feedback", "现场.png")]
    assert tuple(case) == ("converted", case_title, "某某小吃店", "simple")


def test_squad_leader_redispatches_to_an_officer(
    browser: Any, live_server: str, shots: Path, sent_to_officer: Callable[..., int]
) -> None:
    title = f"手机中队转派{uuid4().hex[:6]}"
    task_id = sent_to_officer(title, to_squad=True)
    with Session(get_engine()) as db:
        here = inside(db, "ys_grid")
        officer_name = db.execute(
            text("SELECT display_name FROM user_account WHERE username = 'ys_officer'")
        ).scalar_one()
    context = _phone(browser, live_server, here, "ys_squad")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/m/#/home", wait_until="domcontentloaded")
        page.get_by_test_id("m-tile-m-tasks").click()
        page.get_by_test_id("m-task-views").get_by_text("中队待派").click()
        page.locator('[data-testid="m-task"]', has_text=title).first.click()
        page.get_by_test_id("m-task-redispatch").click()
        page.get_by_test_id("m-task-officer").click()
        page.locator(".el-select-dropdown__item:visible", has_text=officer_name).first.click()
        page.screenshot(path=str(shots / "task-redispatch.png"), full_page=True)
        page.get_by_test_id("m-task-redispatch-submit").click()
        page.locator('[data-testid="m-task-detail"][data-status="dispatched"]').wait_for(
            timeout=15_000
        )
    finally:
        context.close()
    with get_engine().connect() as conn:
        status, assignee = conn.execute(
            text("""SELECT t.status, u.username FROM enforcement_task t
                    JOIN user_account u ON u.id = t.assignee_id WHERE t.id = :i"""),
            {"i": task_id},
        ).one()
    assert (status, assignee) == ("dispatched", "ys_officer")


def test_navigate_tile_finds_an_enterprise_and_shows_the_route(
    browser: Any, live_server: str, shots: Path
) -> None:
    with Session(get_engine()) as db:
        here = inside(db, "ys_grid")
        name, _, _ = _nearby_enterprise(db, *here)
    context = _phone(browser, live_server, here)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/m/#/home", wait_until="domcontentloaded")
        page.evaluate("localStorage.removeItem('township-m-recent-destinations')")
        page.get_by_test_id("m-tile-m-destinations").click()
        page.get_by_test_id("m-destination-query").fill(name)
        page.get_by_test_id("m-destination-search").click()
        hit = page.locator(f'[data-testid="m-destination"][data-name="{name}"]').first
        hit.wait_for(timeout=15_000)
        assert re.search(r"\d+(\.\d)? (公里|米)", hit.inner_text()), hit.inner_text()
        page.screenshot(path=str(shots / "navigate-search.png"), full_page=True)
        hit.click()
        summary = page.get_by_test_id("m-nav-summary")
        summary.wait_for(timeout=30_000)
        assert re.search(r"全程 [\d.]+ (公里|米)，约 \d+ 分钟", summary.inner_text())
        assert page.get_by_test_id("m-nav-name").inner_text() == name
        page.screenshot(path=str(shots / "navigate-route.png"), full_page=True)
        # Remembered on the phone: the search screen offers it again.
        page.go_back()
        recent = page.get_by_test_id("m-destination-recent-item")
        recent.first.wait_for(timeout=15_000)
        assert name in recent.first.inner_text()
    finally:
        context.close()


@pytest.fixture
def named_daily_plan() -> Iterator[tuple[int, str]]:
    """A committed daily patrol plan of ys_officer with a unique name; deleted afterwards."""
    name = f"巡检企业测试{uuid4().hex[:6]}"
    with Session(get_engine()) as db:
        today = datetime.now(SHANGHAI).date()
        plan_id = patrols.create_plan(
            db, actor=_actor(db, "ys_squad"),
            data=PlanCreate(name=name, kind="daily", start_date=today,
                            end_date=today + timedelta(days=7), weekdays=[1, 2, 3, 4, 5, 6, 7],
                            officer_ids=[user_id(db, "ys_officer")]),
        ).id  # fmt: skip
        db.commit()
    yield plan_id, name
    with get_engine().begin() as conn:
        conn.execute(text("DELETE FROM patrol_plan WHERE id = :i"), {"i": plan_id})


def test_patrol_check_in_names_the_nearest_enterprise(
    browser: Any, live_server: str, shots: Path, named_daily_plan: tuple[int, str]
) -> None:
    plan_id, plan_name = named_daily_plan
    with Session(get_engine()) as db:
        here = inside(db, "ys_grid")
    context = _phone(browser, live_server, here)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/m/#/home", wait_until="domcontentloaded")
        page.get_by_test_id("m-tile-m-patrols").click()
        card = page.locator('[data-testid="m-patrol"]', has_text=plan_name)
        card.get_by_test_id("m-patrol-start").click()
        card.get_by_test_id("m-patrol-enterprise").click()
        option = page.locator(".el-select-dropdown__item:visible").first
        option.wait_for(timeout=15_000)
        chosen = option.inner_text().split(" · ")[0].strip()
        option.click()
        card.get_by_test_id("m-patrol-findings").fill("检查企业消防通道")
        page.screenshot(path=str(shots / "patrol-enterprise.png"), full_page=True)
        card.get_by_test_id("m-patrol-submit").click()
        card.get_by_text("今日已登记 1 次").wait_for(timeout=15_000)
    finally:
        context.close()
    with get_engine().connect() as conn:
        row = conn.execute(
            text("""SELECT e.name, c.distance_m FROM patrol_check_in c
                    JOIN enterprise e ON e.id = c.enterprise_id WHERE c.plan_id = :p"""),
            {"p": plan_id},
        ).one()
        nearest = conn.execute(
            text("""SELECT min(ST_Distance(geography(e.geom),
                                           geography(ST_SetSRID(ST_MakePoint(:x, :y), 4490))))
                    FROM enterprise e JOIN region r ON r.id = e.region_id
                    WHERE r.path <@ '320582000000.320582100000'"""),
            {"x": here[0], "y": here[1]},
        ).scalar_one()
    assert row.name == chosen
    assert abs(row.distance_m - nearest) < 1.0  # the first offered is the nearest
