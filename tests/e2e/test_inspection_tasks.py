"""An inspection task in a real browser: ys_officer opens the assignment from 检查任务,
confirms it, scores the check list, saves, submits, and sees the verdict; the object (two
passes behind it already) moves from 白库 to 红库, which 红黑库 and its 变动记录 show.

Screenshots go to test-output/inspection_tasks/ (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.db import get_engine
from tests.e2e.conftest import signed_in_context
from tests.geo.inspection.inspection_scene import make_scene


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "inspection_tasks"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def committed_task() -> Iterator[dict[str, Any]]:
    """A committed assignment of ys_officer's team on a 白库 object with two passes
    behind it; deleted afterwards (audit rows stay, as everywhere)."""
    with Session(get_engine()) as session:
        scene = make_scene(session, code="E2E-TASK")
        enterprise_id = scene.object("white")
        session.execute(
            text("UPDATE enterprise SET pass_streak = 2, draw_weight = 0.8 WHERE id = :i"),
            {"i": enterprise_id},
        )
        assignment = scene.assignment(enterprise_id, name="浏览器测试抽查任务")
        name = session.execute(
            text("SELECT name FROM enterprise WHERE id = :i"), {"i": enterprise_id}
        ).scalar_one()
        data = {
            "assignment": assignment.id,
            "task": assignment.task_id,
            "enterprise": enterprise_id,
            "name": name,
            "category": scene.check_list.category.id,
            "contents": [c.id for c in scene.check_list.contents],
        }
        session.commit()
    try:
        yield data
    finally:
        with get_engine().begin() as conn:
            conn.execute(text("DELETE FROM inspection_task WHERE id = :i"), {"i": data["task"]})
            conn.execute(text("DELETE FROM enterprise WHERE id = :i"), {"i": data["enterprise"]})
            conn.execute(
                text("DELETE FROM inspection_item WHERE category_id = :i"), {"i": data["category"]}
            )
            conn.execute(
                text("DELETE FROM inspection_item_category WHERE id = :i"),
                {"i": data["category"]},
            )


def test_an_officer_confirms_scores_saves_and_submits_a_task(
    browser: Any, live_server: str, committed_task: dict[str, Any], shots: Path
) -> None:
    context = signed_in_context(browser, live_server, "ys_officer")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{live_server}/#/inspection/my-tasks", wait_until="domcontentloaded")
        page.get_by_test_id(f"open-assignment-{committed_task['assignment']}").click()
        form = page.get_by_test_id("assignment-form")
        form.get_by_test_id("assignment-confirm").click()
        page.locator('[data-testid="assignment-form"][data-status="confirmed"]').wait_for()

        for content_id in committed_task["contents"]:
            line = form.get_by_test_id(f"check-line-{content_id}")
            score = line.get_by_test_id("line-score").locator("input")
            score.fill("9")
            score.press("Tab")
        form.get_by_test_id("assignment-note").fill("证照齐全，环境整洁")
        form.get_by_test_id("assignment-save").click()
        page.get_by_text("检查结果已保存").wait_for()
        assert "合计 27 / 30 分" in form.get_by_test_id("score-total").inner_text()
        page.screenshot(path=str(shots / "1-saved.png"), full_page=True)

        form.get_by_test_id("assignment-submit").click()
        page.locator(".el-message-box__btns .el-button--primary").click()
        outcome = page.get_by_test_id("submit-outcome")
        outcome.wait_for()
        text_shown = outcome.inner_text()
        assert "检查合格：得分 27 / 30" in text_shown
        assert "名录库调整：白库 → 红库" in text_shown
        page.locator('[data-testid="assignment-form"][data-status="submitted"]').wait_for()
        assert form.get_by_test_id("assignment-save").count() == 0
        page.screenshot(path=str(shots / "2-submitted.png"), full_page=True)

        page.goto(f"{live_server}/#/inspection/lists", wait_until="domcontentloaded")
        page.locator("#tab-red").click()
        search = page.get_by_test_id("risk-search")  # Element Plus puts it on the <input>
        search.fill(committed_task["name"])
        search.press("Enter")
        row = page.get_by_test_id("risk-table").locator("tr", has_text=committed_task["name"])
        row.wait_for()
        assert row.get_by_test_id("list-tag").get_attribute("data-list") == "red"
        page.get_by_test_id(f"history-{committed_task['enterprise']}").click()
        history = page.get_by_test_id("move-history")
        history.locator("tr", has_text="自动调整").wait_for()
        assert "连续合格 3 次，由白库调入红库" in history.inner_text()
        page.wait_for_timeout(500)  # the drawer's slide-in, for the screenshot only
        page.screenshot(path=str(shots / "3-list-history.png"), full_page=True)
        assert errors == []
    finally:
        context.close()
    with get_engine().connect() as conn:
        standing = conn.execute(
            text("SELECT risk_list, draw_weight FROM enterprise WHERE id = :i"),
            {"i": committed_task["enterprise"]},
        ).one()
    assert (standing.risk_list, standing.draw_weight) == ("red", 1.0)
