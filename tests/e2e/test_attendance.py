"""Attendance in a real browser: a reviewer of 杨舍镇 opens a pending daily report from the
menu, sees the member's check-ins on the map, and approves it; the town's grid member
checks in with the browser's (simulated) position and sees the verdict.

Screenshots go to test-output/attendance/ (git-ignored)."""

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
from tests.geo.attendance.attendance_places import inside


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "attendance"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def signed_in(browser: Any, live_server: str) -> Iterator[Any]:
    """`signed_in(username, **context options)` → a page of that demo user."""
    contexts: list[Any] = []

    def _open(username: str, **options: Any) -> Any:
        context = signed_in_context(
            browser, live_server, username, timezone_id="Asia/Shanghai", **options
        )
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.script_errors = errors
        return page

    yield _open
    for context in contexts:
        context.close()


def _pending_day_count(prefix: str) -> int:
    """Pending daily reports of the town's grid members (usernames `prefix`_…)."""
    with get_engine().connect() as conn:
        return int(
            conn.execute(
                text("""SELECT count(*) FROM attendance_day d JOIN user_account u
                        ON u.id = d.user_id
                        WHERE u.username LIKE :p || '\\_%' AND d.status = 'pending'"""),
                {"p": prefix},
            ).scalar_one()
        )


def test_reviewer_opens_a_day_sees_the_points_and_approves(
    signed_in: Any, live_server: str, shots: Path
) -> None:
    pending_before = _pending_day_count("ys")
    assert pending_before > 0  # the demo leaves the latest days for review
    page = signed_in("ys_dispatcher")
    page.goto(f"{live_server}/#/map", wait_until="domcontentloaded")
    page.get_by_test_id("menu-work").locator(".el-sub-menu__title").click()
    page.locator(".el-menu--popup").get_by_test_id("menu-attendance").click()
    page.wait_for_url(re.compile(r"#/attendance/review$"))
    rows = page.locator('[data-testid="attendance-days"] .el-table__body tr')
    rows.first.wait_for(timeout=30_000)
    assert rows.count() == pending_before  # 待审核 by default, this town's members only
    assert "杨舍网格员" in rows.first.inner_text()
    rows.first.click()

    check_ins = page.locator('[data-testid="attendance-check-ins"] .el-table__body tr')
    check_ins.first.wait_for()
    drawn = page.get_by_test_id("attendance-map")
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=attendance-map]')"
        ".getAttribute('data-points')) === n",
        arg=check_ins.count(),
    )
    assert int(drawn.get_attribute("data-points")) >= 2
    page.wait_for_timeout(1500)  # the basemap tiles settle for the picture
    page.screenshot(path=str(shots / "review-day.png"))

    # Element Plus puts the test id on the <textarea> itself.
    page.locator('textarea[data-testid="attendance-opinion"]').fill("轨迹正常，同意")
    page.get_by_test_id("attendance-approve").click()
    page.locator(".el-message", has_text="已审核通过").wait_for(timeout=10_000)
    status = page.get_by_test_id("attendance-detail-status")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=attendance-detail-status]')"
        ".innerText.includes('已通过')"
    )
    assert "已通过" in status.inner_text()
    assert "审核人：杨舍分中心·孙晓" in page.get_by_test_id("attendance-detail").inner_text()
    assert _pending_day_count("ys") == pending_before - 1
    page.screenshot(path=str(shots / "review-approved.png"))

    page.get_by_role("tab", name="月度汇总").click()
    summary = page.locator('[data-testid="attendance-summary-table"] .el-table__body tr')
    summary.first.wait_for()
    names = [row.split("\n")[0] for row in summary.all_inner_texts()]
    assert "杨舍网格员·周杰" in names and all(n.startswith("杨舍网格员") for n in names)
    page.screenshot(path=str(shots / "summary.png"))
    assert page.script_errors == []


def test_grid_member_checks_in_with_the_browsers_position(
    signed_in: Any, live_server: str, shots: Path
) -> None:
    with Session(get_engine()) as session:
        lon, lat = inside(session, "ys_grid")
    page = signed_in(
        "ys_grid",
        geolocation={"longitude": lon, "latitude": lat, "accuracy": 12},
        permissions=["geolocation"],
        viewport={"width": 420, "height": 860},
    )
    page.goto(f"{live_server}/#/attendance/mine", wait_until="domcontentloaded")
    page.get_by_test_id("my-attendance").wait_for(timeout=30_000)
    items = page.locator('[data-testid="my-check-ins"] li')
    before = items.count()
    page.get_by_test_id("check-in-note").fill("早班巡查")
    page.get_by_test_id("check-in").click()
    page.locator(".el-message", has_text="签到成功：网格内").wait_for(timeout=20_000)
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=my-check-ins] li').length === n",
        arg=before + 1,
    )
    newest = items.last.inner_text()
    assert "网格内" in newest and "早班巡查" in newest
    assert page.get_by_test_id("my-day-status").inner_text() == "待审核"
    page.wait_for_timeout(600)  # the tags' fade-in, for the picture
    page.screenshot(path=str(shots / "my-check-in.png"), full_page=True)
    assert page.script_errors == []
