"""The draw in a real browser (DR-7, DR-9): the squad leader of 杨舍镇 sets the conditions,
starts and stops the draw, chooses another leader for a team and submits the result as a
named task with dates; the draw is published from 抽取记录, and a visitor who has not
signed in opens its public page and verifies it.

Screenshots go to test-output/inspection_draw/ (git-ignored)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.db import get_engine
from tests.e2e.conftest import signed_in_context
from tests.geo.inspection.draw_setup import add_objects, add_officers, make_world


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "inspection_draw"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def world() -> Any:
    """Objects and officers committed for the server's process (a fresh tag each run)."""
    tag = f"e2e{secrets.token_hex(3)}"
    with Session(get_engine()) as db:
        w = make_world(db, tag=tag)
        db.execute(
            text("UPDATE inspection_item_category SET name = :n WHERE id = :i"),
            {"n": f"食品安全{tag}", "i": w.item_category_id},
        )
        add_objects(db, w, n=6, risk_list="white")
        add_objects(db, w, n=2, risk_list="black")
        add_officers(
            db, w, n=4, area=shapely.box(w.lon - 0.01, w.lat - 0.01, w.lon + 0.01, w.lat + 0.01)
        )
        db.commit()
    return tag


def _pick(page: Any, trigger: str, option: str) -> None:
    page.locator(trigger).first.click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


def test_draw_stop_choose_leader_submit_publish_and_verify(
    browser: Any, live_server: str, world: str, shots: Path
) -> None:
    context = signed_in_context(browser, live_server, "ys_squad", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/#/inspection/draw")
    page.get_by_test_id("draw-add-conditions").click()
    _pick(page, "[data-testid=draw-item-category]", f"食品安全{world}")
    page.locator("[data-testid=draw-supervision] .el-select__wrapper").first.click()
    page.locator(".el-tree-node:visible", has_text=f"测试监管类别{world}").locator(
        ".el-checkbox"
    ).first.click()
    page.keyboard.press("Escape")
    page.locator("[data-testid=draw-count] input").fill("5")
    page.locator("[data-testid=draw-count] input").blur()
    page.screenshot(path=str(shots / "01-conditions.png"))
    page.get_by_test_id("draw-conditions-save").click()
    page.get_by_test_id("draw-conditions").wait_for()

    page.get_by_test_id("draw-start").click()
    page.get_by_test_id("draw-rolling").wait_for()
    stop = page.get_by_test_id("draw-stop")
    page.wait_for_function("() => !document.querySelector('[data-testid=draw-stop]')?.disabled")
    page.screenshot(path=str(shots / "02-rolling.png"))
    stop.click()
    table = page.get_by_test_id("draw-picks-table")
    table.wait_for()
    assert table.locator("tbody tr").count() == 5
    page.wait_for_function(
        "() => document.querySelector('[data-testid=draw-map]')?.dataset.points === '5'"
    )
    page.screenshot(path=str(shots / "03-result.png"))

    # Choose the second member of the first team as its leader.
    first_row = table.locator("tbody tr").first
    team = first_row.locator("td").nth(3).inner_text().split("、")
    first_row.locator("[data-testid=draw-leader-select]").click()
    page.locator(".el-select-dropdown__item:visible", has_text=team[1]).first.click()
    page.get_by_text("组长已调整").wait_for()

    page.get_by_test_id("draw-submit").click()
    page.locator(
        "input[data-testid=draw-task-name], [data-testid=draw-task-name] input"
    ).first.fill("E2E 食品安全双随机抽查")
    for testid, day in (("draw-start-date", "2026-12-01"), ("draw-end-date", "2026-12-15")):
        field = page.locator(f"input[data-testid={testid}], [data-testid={testid}] input").first
        field.fill(day)
        field.press("Enter")
    page.screenshot(path=str(shots / "04-submit.png"))
    page.get_by_test_id("draw-submit-save").click()
    page.get_by_test_id("draw-task").wait_for()
    assert "E2E 食品安全双随机抽查" in page.get_by_test_id("draw-task").inner_text()

    with get_engine().connect() as conn:
        number, leader, task = conn.execute(
            text("""SELECT d.number, u.display_name, t.name FROM inspection_draw d
                    JOIN inspection_task t ON t.draw_id = d.id
                    JOIN draw_pick p ON p.draw_id = d.id AND p.rank = 1
                    JOIN user_account u ON u.id = p.leader_id
                    JOIN inspection_item_category c ON c.id = d.item_category_id
                    WHERE c.name = :n"""),
            {"n": f"食品安全{world}"},
        ).one()
    assert leader == team[1].strip() and task == "E2E 食品安全双随机抽查"

    page.goto(f"{live_server}/#/inspection/draws")
    row = page.get_by_test_id("draws-table").locator("tbody tr", has_text=number)
    row.get_by_test_id("draw-publish").click()
    page.locator(".el-message-box__btns .el-button--primary").click()
    row.get_by_test_id("draw-public-link").wait_for()
    page.screenshot(path=str(shots / "05-records.png"))
    context.close()
    assert errors == []

    visitor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    public = visitor.new_page()
    public.goto(f"{live_server}/#/public/draws/{number}")
    public.get_by_test_id("public-picks").wait_for()
    assert public.get_by_test_id("public-picks").locator("tbody tr").count() == 5
    public.get_by_test_id("public-verify").click()
    result = public.get_by_test_id("public-verify-result")
    result.wait_for()
    assert "核验通过" in result.inner_text()
    public.screenshot(path=str(shots / "06-public.png"), full_page=True)
    visitor.close()
