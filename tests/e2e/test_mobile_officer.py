"""The field app for an officer on a phone-sized screen (APP-4, APP-5, GIS-8, DR-8): ys_officer
opens /m/, sees the officer's modules, finds an enterprise, opens its card and navigates
to it from the (simulated) GPS position inside a 杨舍 grid — the route is drawn with its
length and time, and the hand-off links carry the destination converted to GCJ-02 (Amap,
Tencent) and BD-09 (Baidu); then opens 事项查看 down to an item's check contents. On a
second run the officer takes an inspection task on the phone: confirms it, scores the
check list, adds a photo, submits and sees the verdict and the list change; and registers
a patrol with the phone's position, its accuracy and a photo.

Screenshots go to test-output/mobile/ (git-ignored)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from geo.core import coords
from geo.core.db import get_engine
from geo.org.auth import open_session
from geo.org.models import SessionKind, UserAccount
from geo.patrol import service as patrols
from geo.patrol.schemas import PlanCreate
from tests.e2e.conftest import signed_in_context
from tests.e2e.test_inspection_tasks import committed_task  # noqa: F401  (fixture)
from tests.e2e.test_mobile_report import PHONE, _png
from tests.geo.attendance.attendance_places import inside

OFFICER_TILES = ["m-inspections", "m-patrols", "m-items", "m-places", "m-tasks", "m-destinations"]


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "mobile"
    folder.mkdir(exist_ok=True)
    return folder


def _nearby_enterprise(db: Session, lon: float, lat: float) -> tuple[str, float, float]:
    """The enterprise of ys_officer's town nearest the position but at least 150 m from it
    (browser tests before this one may have placed an object right there: a route to where
    one stands is refused), with a name no other has."""
    row = db.execute(
        text("""
            SELECT e.name, ST_X(e.geom), ST_Y(e.geom)
            FROM enterprise e
            JOIN region r ON r.id = e.region_id
            JOIN user_account u ON u.username = 'ys_officer'
            JOIN region town ON town.id = u.region_id
            WHERE r.path <@ town.path
              AND (SELECT count(*) FROM enterprise x WHERE x.name = e.name) = 1
              AND NOT ST_DWithin(geography(e.geom),
                                 geography(ST_SetSRID(ST_MakePoint(:lon, :lat), 4490)), 150)
            ORDER BY e.geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), ST_SRID(e.geom))
            LIMIT 1"""),
        {"lon": lon, "lat": lat},
    ).one()
    return str(row[0]), float(row[1]), float(row[2])


def _app_point(lon: float, lat: float, system: str) -> tuple[str, str]:
    """The destination as the server converts it, written as the links write it."""
    x, y = coords.convert(lon, lat, "wgs84", system)
    return f"{round(x, 7):.6f}", f"{round(y, 7):.6f}"


def test_officer_navigates_to_an_enterprise_and_reads_the_items(
    browser: Any, live_server: str, shots: Path
) -> None:
    with Session(get_engine()) as db:
        here = inside(db, "ys_grid")
        name, lon, lat = _nearby_enterprise(db, *here)
        categories = db.execute(text("SELECT count(*) FROM inspection_item_category")).scalar_one()
    context = signed_in_context(
        browser,
        live_server,
        "ys_officer",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": here[0], "latitude": here[1], "accuracy": 12},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server}/m/#/home", wait_until="domcontentloaded")
        for tile in OFFICER_TILES:
            page.get_by_test_id(f"m-tile-{tile}").wait_for(timeout=15_000)
        # An officer reports no events: the grid member's tile is not offered.
        assert page.get_by_test_id("m-tile-m-report").count() == 0
        page.screenshot(path=str(shots / "officer-home.png"), full_page=True)

        page.get_by_test_id("m-tile-m-places").click()
        page.get_by_test_id("m-place").first.wait_for(timeout=15_000)
        page.get_by_test_id("m-places-q").fill(name)
        page.get_by_test_id("m-places-search").click()
        page.locator('[data-testid="m-place"]', has_text=name).first.click()
        card = page.get_by_test_id("m-place-card")
        card.wait_for(timeout=15_000)
        assert name in card.inner_text()
        assert "统一社会信用代码" in card.inner_text()
        page.screenshot(path=str(shots / "officer-enterprise-card.png"), full_page=True)

        page.get_by_test_id("m-place-navigate").click()
        summary = page.get_by_test_id("m-nav-summary")
        summary.wait_for(timeout=30_000)
        shown = summary.inner_text()
        assert re.search(r"全程 [\d.]+ (公里|米)，约 \d+ 分钟", shown), shown
        assert page.get_by_test_id("m-nav-name").inner_text() == name
        page.get_by_test_id("m-nav-apps").wait_for(timeout=15_000)
        gx, gy = _app_point(lon, lat, "gcj02")
        bx, by = _app_point(lon, lat, "bd09")
        q = quote(name, safe="")
        assert page.get_by_test_id("m-nav-amap").get_attribute("href") == (
            f"https://uri.amap.com/marker?position={gx},{gy}&name={q}&coordinate=gaode&callnative=1"
        )
        assert page.get_by_test_id("m-nav-baidu").get_attribute("href") == (
            f"baidumap://map/marker?location={by},{bx}&title={q}&coord_type=bd09ll&src=township"
        )
        assert page.get_by_test_id("m-nav-baidu-web").get_attribute("href") == (
            f"https://api.map.baidu.com/marker?location={by},{bx}&title={q}&content={q}"
            "&output=html&coord_type=bd09ll&src=township"
        )
        assert page.get_by_test_id("m-nav-tencent").get_attribute("href") == (
            f"https://apis.map.qq.com/uri/v1/marker?marker=coord:{gy},{gx};title:{q}"
            "&referer=township"
        )
        page.locator('[data-testid="m-nav-map"][data-drawn="true"]').wait_for(timeout=30_000)
        page.wait_for_timeout(500)  # the painted frame reaches the screen
        page.screenshot(path=str(shots / "officer-navigation.png"), full_page=True)

        page.goto(f"{live_server}/m/#/home", wait_until="domcontentloaded")
        page.get_by_test_id("m-tile-m-items").click()
        rows = page.get_by_test_id("m-item-category")
        rows.first.wait_for(timeout=15_000)
        assert rows.count() == categories
        # A demo category: earlier browser tests may add empty ones of their own.
        rows.filter(has_text="食品安全检查").first.click()
        page.get_by_test_id("m-item").first.click()
        detail = page.get_by_test_id("m-item-detail")
        detail.wait_for(timeout=15_000)
        assert page.get_by_test_id("m-item-content").count() > 0
        assert "检查依据" in detail.inner_text()
        page.screenshot(path=str(shots / "officer-items.png"), full_page=True)
        assert errors == []
    finally:
        context.close()


def test_officer_scores_and_submits_an_inspection_on_the_phone(
    browser: Any,
    live_server: str,
    committed_task: dict[str, Any],  # noqa: F811  (the fixture imported above)
    shots: Path,
) -> None:
    context = signed_in_context(
        browser, live_server, "ys_officer", viewport=PHONE, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server}/m/#/home", wait_until="domcontentloaded")
        page.get_by_test_id("m-tile-m-inspections").click()
        page.locator('[data-testid="m-inspection"]', has_text=committed_task["name"]).click()
        form = page.get_by_test_id("assignment-form")
        form.get_by_test_id("assignment-confirm").click()
        page.locator('[data-testid="assignment-form"][data-status="confirmed"]').wait_for()
        for content_id in committed_task["contents"]:
            score = form.get_by_test_id(f"check-line-{content_id}").get_by_test_id("line-score")
            score.locator("input").fill("9")
            score.locator("input").press("Tab")
        form.get_by_test_id("photo-input").set_input_files(
            files=[{"name": "现场.png", "mimeType": "image/png", "buffer": _png()}]
        )
        form.get_by_test_id("assignment-photo").first.wait_for(timeout=15_000)
        page.screenshot(path=str(shots / "officer-inspection-scored.png"), full_page=True)
        form.get_by_test_id("assignment-submit").click()
        page.locator(".el-message-box__btns .el-button--primary").click()
        outcome = page.get_by_test_id("submit-outcome")
        outcome.wait_for(timeout=15_000)
        shown = outcome.inner_text()
        assert "检查合格：得分 27 / 30" in shown
        assert "名录库调整：白库 → 红库" in shown
        page.locator(".el-message-box").wait_for(state="hidden")
        page.wait_for_function(  # the verdict is scrolled into sight after 提交
            "(() => { const r = document.querySelector('[data-testid=submit-outcome]')"
            ".getBoundingClientRect(); return r.top >= 0 && r.top < 200 })()"
        )
        page.screenshot(path=str(shots / "officer-inspection-submitted.png"))
        page.goto(f"{live_server}/m/#/inspections", wait_until="domcontentloaded")
        page.get_by_test_id("m-inspection-views").get_by_text("已完成").click()
        done = page.locator('[data-testid="m-inspection"]', has_text=committed_task["name"])
        done.wait_for(timeout=15_000)
        assert "27 / 30 分 · 合格" in done.inner_text()
        assert errors == []
    finally:
        context.close()
    with get_engine().connect() as conn:
        photos = conn.execute(
            text("SELECT count(*) FROM assignment_photo WHERE assignment_id = :a"),
            {"a": committed_task["assignment"]},
        ).scalar_one()
    assert photos == 1


@pytest.fixture
def daily_plan() -> Iterator[int]:
    """A committed daily patrol plan of ys_officer for every weekday; deleted afterwards."""
    with Session(get_engine()) as db:
        planner = db.query(UserAccount).filter_by(username="ys_squad").one()
        officer = db.query(UserAccount).filter_by(username="ys_officer").one()
        today = datetime.now(SHANGHAI).date()
        plan_id = patrols.create_plan(
            db,
            actor=open_session(db, user=planner, kind=SessionKind.BEARER).actor,
            data=PlanCreate(
                name="手机巡检测试",
                kind="daily",
                start_date=today,
                end_date=today + timedelta(days=7),
                weekdays=[1, 2, 3, 4, 5, 6, 7],
                officer_ids=[officer.id],
            ),
        ).id
        db.commit()
    yield plan_id
    with get_engine().begin() as conn:
        conn.execute(text("DELETE FROM patrol_plan WHERE id = :i"), {"i": plan_id})


def test_officer_registers_a_patrol_with_position_accuracy_and_photo(
    browser: Any, live_server: str, daily_plan: int, shots: Path
) -> None:
    with Session(get_engine()) as db:
        lon, lat = inside(db, "ys_grid")
    context = signed_in_context(
        browser,
        live_server,
        "ys_officer",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": lon, "latitude": lat, "accuracy": 12},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server}/m/#/home", wait_until="domcontentloaded")
        page.get_by_test_id("m-tile-m-patrols").click()
        assert "定位精度约 12 米" in page.get_by_test_id("m-patrol-fix").inner_text()
        card = page.locator('[data-testid="m-patrol"]', has_text="手机巡检测试")
        card.get_by_test_id("m-patrol-start").click()
        card.get_by_test_id("m-patrol-findings").fill("消防通道畅通")
        card.get_by_test_id("m-patrol-photos").set_input_files(
            files=[{"name": "巡检.png", "mimeType": "image/png", "buffer": _png()}]
        )
        page.screenshot(path=str(shots / "officer-patrol-form.png"), full_page=True)
        card.get_by_test_id("m-patrol-submit").click()
        page.locator(".el-message", has_text="巡检登记已提交").wait_for(timeout=15_000)
        card.get_by_text("今日已登记 1 次").wait_for(timeout=15_000)
        page.screenshot(path=str(shots / "officer-patrol-done.png"), full_page=True)
    finally:
        context.close()
    with get_engine().connect() as conn:
        row = conn.execute(
            text("""SELECT c.accuracy_m, c.findings, ST_X(c.geom) AS lon,
                           (SELECT count(*) FROM patrol_photo p
                            WHERE p.check_in_id = c.id) AS photos
                    FROM patrol_check_in c WHERE c.plan_id = :p"""),
            {"p": daily_plan},
        ).one()
    assert (row.accuracy_m, row.findings, row.photos) == (12, "消防通道畅通", 1)
    assert abs(row.lon - lon) < 1e-6
