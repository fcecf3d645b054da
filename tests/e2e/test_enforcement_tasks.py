"""Task dispatch and patrol plans in a real browser (LE-8, LE-9): a dispatcher of 杨舍镇
registers a matter with an attachment and sends it to the squad; the squad leader
re-dispatches it; the officer receives it and feeds back. A second task is converted into
a case, whose number the detail then links. A special patrol plan is created and its
assignments shown on the map; a daily plan follows a route, and the officer's check-in
with a photo is seen by the planner.

Screenshots go to test-output/enforcement/ (git-ignored)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.db import get_engine
from tests.e2e.conftest import signed_in_context
from tests.e2e.test_mobile_report import _png
from tests.geo.task.task_flow import grid_point

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "enforcement"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def signed_in(browser: Any, live_server: str) -> Iterator[Any]:
    contexts: list[Any] = []

    def _open(username: str) -> Any:
        context = signed_in_context(browser, live_server, username, timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.script_errors = errors
        return page

    yield _open
    for context in contexts:
        context.close()


def _choose(page: Any, testid: str, option: str) -> None:
    """Pick `option` in the Element Plus select carrying `testid`."""
    page.get_by_test_id(testid).click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


def _open_task(page: Any, number: str) -> None:
    row = page.locator(".el-table__body tr", has_text=number).first
    row.wait_for(timeout=20_000)
    row.get_by_test_id("task-open").click()
    page.get_by_test_id("task-number").filter(has_text=number).wait_for()


def _act(page: Any, action: str) -> None:
    page.get_by_test_id(f"task-action-{action}").click()


def _status_is(page: Any, label: str) -> None:
    page.get_by_test_id("task-status").filter(has_text=label).wait_for(timeout=20_000)


def test_a_matter_goes_through_the_squad_to_the_officer_and_back(
    signed_in: Any, live_server: str, shots: Path
) -> None:
    with Session(get_engine()) as session:
        lon, lat = grid_point(session)
    leader = signed_in("ys_squad")
    leader.goto(f"{live_server}/#/enforcement/tasks", wait_until="domcontentloaded")
    leader.get_by_test_id("task-register").click()
    dialog = leader.get_by_test_id("task-register-dialog")
    dialog.get_by_test_id("task-title").fill("核查沿街占道经营")
    dialog.locator('textarea[data-testid="task-description"]').fill(
        "区城管局交办：人民路沿街占道经营"
    )
    dialog.get_by_test_id("task-source").fill("区城管局")
    leader.wait_for_function("() => window.__pickerMap && window.__pickerMap.loaded()")
    leader.evaluate(f"() => window.__pickerMap.jumpTo({{center: [{lon}, {lat}], zoom: 15}})")
    x, y = leader.evaluate(
        f"() => {{ const p = window.__pickerMap.project([{lon}, {lat}]); return [p.x, p.y] }}"
    )
    box = leader.get_by_test_id("report-map").bounding_box()
    leader.mouse.click(box["x"] + x, box["y"] + y)
    dialog.get_by_test_id("task-point").wait_for()
    dialog.get_by_test_id("task-file-input").set_input_files(
        {"name": "交办单.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    leader.screenshot(path=str(shots / "register.png"))
    dialog.get_by_test_id("task-register-submit").click()
    leader.locator(".el-message", has_text="已登记").wait_for(timeout=20_000)
    number = leader.get_by_test_id("task-number").first.inner_text()
    assert re.fullmatch(r"RW\d{4}-\d{6}", number)
    leader.get_by_test_id("task-attachments").filter(has_text="交办单.pdf").wait_for()

    _act(leader, "send_to_squad")
    _choose(leader, "task-squad", "杨舍第一中队")
    leader.get_by_test_id("task-action-submit").click()
    _status_is(leader, "待中队派发")

    leader.goto(f"{live_server}/#/enforcement/my-tasks", wait_until="domcontentloaded")
    leader.get_by_role("tab", name="中队待派").click()
    _open_task(leader, number)
    _act(leader, "redispatch")
    _choose(leader, "task-officer", "杨舍执法队员")
    leader.get_by_test_id("task-action-submit").click()
    _status_is(leader, "待接收")

    officer = signed_in("ys_officer")
    officer.goto(f"{live_server}/#/enforcement/my-tasks", wait_until="domcontentloaded")
    _open_task(officer, number)
    _act(officer, "receive")
    _status_is(officer, "处理中")
    _act(officer, "feedback")
    officer.locator('textarea[data-testid="task-findings"]').fill(
        "已到现场，摊贩已劝离，路面恢复通行"
    )
    officer.get_by_test_id("task-action-submit").click()
    _status_is(officer, "已反馈")
    history = officer.get_by_test_id("task-history").inner_text()
    for step in ("登记", "转中队派发", "中队转派", "接收", "反馈"):
        assert step in history
    officer.wait_for_timeout(400)
    officer.screenshot(path=str(shots / "fed-back.png"))
    assert leader.script_errors == [] and officer.script_errors == []


def test_a_task_is_converted_into_a_case(signed_in: Any, live_server: str, shots: Path) -> None:
    with Session(get_engine()) as session:
        lon, lat = grid_point(session)
        officer_id = session.execute(
            text("SELECT id FROM user_account WHERE username = 'ys_officer'")
        ).scalar_one()
    leader = signed_in("ys_squad")
    api = leader.context.request
    made = api.post(
        f"{live_server}/api/v1/enforcement-tasks",
        data={
            "title": "核查违法搭建",
            "description": "群众举报违法搭建彩钢棚",
            "lon": lon,
            "lat": lat,
        },
        headers={"X-CSRF-Token": _csrf(api, live_server)},
    )
    assert made.ok, made.text()
    task = made.json()
    sent = api.post(
        f"{live_server}/api/v1/enforcement-tasks/{task['id']}/send_to_officer",
        data={"expected_status": "registered", "user_id": officer_id},
        headers={"X-CSRF-Token": _csrf(api, live_server)},
    )
    assert sent.ok, sent.text()

    officer = signed_in("ys_officer")
    officer.goto(f"{live_server}/#/enforcement/my-tasks", wait_until="domcontentloaded")
    _open_task(officer, task["number"])
    _act(officer, "receive")
    _status_is(officer, "处理中")
    _act(officer, "convert")
    officer.get_by_test_id("case-procedure-general").click()
    officer.get_by_test_id("case-party").fill("王五")
    officer.get_by_test_id("task-action-submit").click()
    _status_is(officer, "已转案件")
    link = officer.get_by_test_id("task-case-link")
    case_number = link.inner_text()
    assert re.fullmatch(r"AJ\d{4}-\d{4}", case_number)
    link.click()
    shown = officer.get_by_test_id("case-number")
    shown.wait_for()
    assert shown.inner_text() == case_number
    assert task["number"] in officer.get_by_test_id("case-dialog").inner_text()
    officer.screenshot(path=str(shots / "case.png"))
    assert officer.script_errors == []


def _csrf(api: Any, live_server: str) -> str:
    me = api.get(f"{live_server}/api/v1/auth/me")
    assert me.ok, me.text()
    return str(me.json()["csrf_token"])


def test_a_special_patrol_plan_is_created_and_shown(
    signed_in: Any, live_server: str, shots: Path
) -> None:
    with get_engine().begin() as conn:  # ys_officer inspects all of 杨舍镇
        conn.execute(
            text("""INSERT INTO enforcement_officer (user_id, officer_type, active, area, region_id)
                    SELECT u.id, 'formal', true, r.geom, r.id FROM user_account u, region r
                    WHERE u.username = 'ys_officer' AND r.code = '320582100000'
                    ON CONFLICT (user_id) DO NOTHING""")
        )
    page = signed_in("ys_squad")
    page.goto(f"{live_server}/#/enforcement/patrols", wait_until="domcontentloaded")
    page.get_by_test_id("plan-new").click()
    dialog = page.get_by_test_id("plan-dialog")
    dialog.get_by_test_id("plan-kind-special").click()
    dialog.get_by_test_id("plan-name").fill("餐饮企业消防专项检查")
    _choose(page, "plan-category", "餐饮")
    dialog.get_by_test_id("plan-save").click()
    page.locator(".el-message", has_text="巡检任务已保存").wait_for(timeout=20_000)
    detail = page.get_by_test_id("plan-detail")
    rows = detail.locator('[data-testid="assignment-table"] .el-table__body tr')
    rows.first.wait_for(timeout=20_000)
    page.wait_for_function(
        "() => Number(document.querySelector('[data-testid=plan-map]')"
        "?.getAttribute('data-points')) > 0"
    )
    assert "杨舍执法队员" in detail.inner_text()
    page.wait_for_timeout(1500)  # the basemap tiles settle for the picture
    page.screenshot(path=str(shots / "special-plan.png"))
    page.keyboard.press("Escape")
    table = page.get_by_test_id("plan-table")
    assert "餐饮企业消防专项检查" in table.inner_text() and "专项检查" in table.inner_text()
    assert page.script_errors == []


def test_a_daily_plan_follows_a_route_and_shows_check_in_photos(
    signed_in: Any, browser: Any, live_server: str, shots: Path
) -> None:
    name = "沿线日常巡检（路线）"
    page = signed_in("ys_squad")
    page.goto(f"{live_server}/#/enforcement/patrols", wait_until="domcontentloaded")
    page.get_by_test_id("plan-new").click()
    dialog = page.get_by_test_id("plan-dialog")
    dialog.get_by_test_id("plan-name").fill(name)
    _choose(page, "plan-officers", "杨舍执法队员")
    page.keyboard.press("Escape")
    for day in ("周六", "周日"):  # every day of the week: the test may run on any
        dialog.locator(".el-checkbox", has_text=day).click()
    route = dialog.get_by_test_id("plan-route")
    route.click()
    page.keyboard.type("日常")
    option = page.locator(".el-select-dropdown__item:visible", has_text="日常巡查路线").first
    route_name = option.inner_text().split("（")[0]
    option.click()
    dialog.get_by_test_id("plan-save").click()
    page.locator(".el-message", has_text="巡检任务已保存").wait_for(timeout=20_000)

    with Session(get_engine()) as session:
        lon, lat = grid_point(session, "ys_officer")
    officer = signed_in_context(
        browser, live_server, "ys_officer", geolocation={"longitude": lon, "latitude": lat,
        "accuracy": 12}, permissions=["geolocation"],
    )  # fmt: skip
    try:
        mine = officer.new_page()
        mine.goto(f"{live_server}/#/enforcement/my-patrols", wait_until="domcontentloaded")
        mine.get_by_test_id("my-daily").locator("li", has_text=name).get_by_test_id(
            "patrol-check-in"
        ).click()
        mine.get_by_test_id("check-in-findings").fill("沿线店招牌松动一处")
        mine.get_by_test_id("report-photo-input").set_input_files(
            files=[{"name": "现场.png", "mimeType": "image/png", "buffer": _png()}]
        )
        mine.get_by_test_id("check-in-submit").click()
        mine.locator(".el-message", has_text="巡检登记已提交").wait_for(timeout=20_000)
    finally:
        officer.close()

    page.reload(wait_until="domcontentloaded")
    page.locator(".el-table__body tr", has_text=name).first.get_by_test_id("plan-check-ins").click()
    detail = page.get_by_test_id("plan-detail")
    detail.get_by_test_id("check-in-table").locator(".el-table__body tr").first.click()
    found = detail.get_by_test_id("check-in-detail")
    assert "沿线店招牌松动一处" in found.inner_text()
    photo = found.get_by_test_id("check-in-photo").locator("img")
    photo.wait_for(timeout=20_000)
    page.wait_for_function(
        "el => el.complete && el.naturalWidth > 0", arg=photo.element_handle(), timeout=20_000
    )
    assert route_name in detail.get_by_test_id("plan-route-note").inner_text()
    assert detail.get_by_test_id("plan-map").get_attribute("data-line") == "1"
    page.wait_for_timeout(1500)  # the basemap tiles settle for the picture
    page.screenshot(path=str(shots / "daily-plan-check-in.png"))
    assert page.script_errors == []
