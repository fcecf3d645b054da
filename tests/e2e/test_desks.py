"""The grid-governance desks in a real browser (GM-8, GM-7, GM-1): the department
handler's 待办 with the desk's columns and the remaining-time colours, a dispatcher
reporting an event through the web form with a point picked on the map, and the
sub-centre approving an extension request at its level.

Work orders are set up through the services in a committed session and removed again at
the end. Screenshots go to test-output/desks/ (git-ignored)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.db import get_engine
from geo.event import extension, service
from geo.event.oversight_schemas import ExtensionCreate
from geo.event.schemas import EventCreate
from geo.event.workflow import Status
from tests.e2e.conftest import signed_in_context
from tests.geo.event.event_flow import fields, grid_point, performer, shortest_paths

GM8_COLUMNS = [
    "标题", "严重程度", "紧急程度", "分类", "所属区划", "上报人", "上报时间", "状态", "剩余时间",
]  # fmt: skip
EXPECTED_REFUSAL = re.compile(
    r"^Failed to load resource: the server responded with a status of 4\d\d"
)


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "desks"
    folder.mkdir(exist_ok=True)
    return folder


def _actor(db: Session, username: str) -> Any:
    from geo.org.auth import open_session
    from geo.org.models import SessionKind, UserAccount

    user = db.query(UserAccount).filter_by(username=username).one()
    return open_session(db, user=user, kind=SessionKind.BEARER).actor


@pytest.fixture
def work_orders() -> Iterator[Callable[..., int]]:
    """`work_orders(status, title=…)`: a committed work order of 杨舍镇 walked to `status`
    by the demo users (dispatched to ys_handler); all are deleted after the test."""
    made: list[int] = []

    def make(status: Status, *, title: str, category: str = "0304") -> int:
        with Session(get_engine()) as db:
            lon, lat = grid_point(db)
            data = EventCreate(title=title, category_code=category, lon=lon, lat=lat)
            event_id = service.report_event(db, actor=_actor(db, "ys_grid"), data=data).id
            for t in shortest_paths()[status]:
                service.transition(
                    db, actor=_actor(db, performer(t)), event_id=event_id, action=t.action,
                    **fields(db, t),
                )  # fmt: skip
            db.commit()
        made.append(event_id)
        return event_id

    yield make
    with get_engine().begin() as conn:
        conn.execute(text("DELETE FROM event WHERE id = ANY(:ids)"), {"ids": made})


@pytest.fixture
def open_as(browser: Any, live_server: str, shots: Path, request: pytest.FixtureRequest) -> Any:
    """`open_as(username, path, testid)` → a signed-in page on #/<path>, the screen shown.
    No script error, no console error except provoked 4xx, no 5xx answer."""
    opened: list[Any] = []
    problems: list[str] = []
    failures_before = request.session.testsfailed

    def on_console(msg: Any) -> None:
        if msg.type == "error" and not EXPECTED_REFUSAL.match(msg.text):
            problems.append(f"console: {msg.text}")

    def _open(username: str, path: str, testid: str) -> Any:
        context = signed_in_context(browser, live_server, username)
        opened.append(context)
        page = context.new_page()
        page.on("console", on_console)
        page.on("pageerror", lambda e: problems.append(f"script: {e}"))
        page.on("response", lambda r: r.status >= 500 and problems.append(f"{r.status} {r.url}"))
        page.goto(f"{live_server}/#/{path}", wait_until="domcontentloaded")
        page.get_by_test_id(testid).wait_for()
        return page

    yield _open
    if request.session.testsfailed > failures_before and opened:
        opened[-1].pages[-1].screenshot(path=str(shots / f"failed-{request.node.name}.png"))
    for context in opened:
        context.close()
    assert problems == []


def _row(page: Any, title: str) -> Any:
    return page.locator(".el-table__body tr", has_text=title).first


def test_department_todo_shows_the_columns_and_remaining_time(
    open_as: Any, work_orders: Callable[..., int], shots: Path
) -> None:
    on_time = work_orders(Status.DISPATCHED, title="桌面测试·按期工单")
    late = work_orders(Status.HANDLING, title="桌面测试·超期工单")
    with get_engine().begin() as conn:
        conn.execute(
            text("UPDATE event SET reported_at = now() - interval '30 days', "
                 "deadline = now() - interval '3 days' WHERE id = :i"), {"i": late},
        )  # fmt: skip
    page = open_as("ys_handler", "work/department", "department-desk")
    page.get_by_test_id("menu-work").wait_for()
    _row(page, "桌面测试·按期工单").wait_for()
    headers = page.locator(".el-table__header th").all_inner_texts()
    assert [h.strip() for h in headers[: len(GM8_COLUMNS)]] == GM8_COLUMNS

    green = _row(page, "桌面测试·按期工单").get_by_test_id("remaining-tag")
    red = _row(page, "桌面测试·超期工单").get_by_test_id("remaining-tag")
    assert green.get_attribute("data-state") == "green" and "剩余" in green.inner_text()
    assert red.get_attribute("data-state") == "red" and "超期" in red.inner_text()
    assert "el-tag--danger" in (red.get_attribute("class") or "")
    assert "已派遣" in _row(page, "桌面测试·按期工单").inner_text()
    page.screenshot(path=str(shots / "department-todo.png"))

    # Only the overdue one when filtering on 超期.
    page.get_by_test_id("desk-time-state").click()
    page.locator(".el-select-dropdown__item", has_text="超期").click()
    page.get_by_role("button", name="查询").click()
    page.locator(".el-table__body tr", has_text="桌面测试·按期工单").wait_for(state="detached")
    assert _row(page, "桌面测试·超期工单").is_visible()

    # The export of one work order: CSV with its history, saved as a browser download.
    with page.expect_download() as info:
        _row(page, "桌面测试·超期工单").get_by_test_id("work-order-export").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    assert "流转记录" in Path(download.path()).read_text(encoding="utf-8-sig") and on_time != late


def test_dispatcher_reports_an_event_with_a_picked_point(open_as: Any, shots: Path) -> None:
    with Session(get_engine()) as db:
        lon, lat = grid_point(db, "ys_grid")
    page = open_as("ys_dispatcher", "work/report", "report-event")
    page.locator('[data-picker-ready="true"]').wait_for(timeout=60_000)
    page.get_by_test_id("report-title").fill("桌面测试·道路积水上报")
    page.locator(".el-cascader").first.click()
    page.locator(".el-cascader-node", has_text="市容环境").click()
    page.locator(".el-cascader-node", has_text="暴露垃圾").click()
    page.get_by_test_id("report-description").fill("路口积水，行人绕行")
    page.get_by_test_id("report-address").fill("人民路与长安路交叉口")

    page.wait_for_function("() => window.__pickerMap && window.__pickerMap.loaded()")
    page.evaluate(f"() => window.__pickerMap.jumpTo({{center: [{lon}, {lat}], zoom: 15}})")
    x, y = page.evaluate(
        f"() => {{ const p = window.__pickerMap.project([{lon}, {lat}]); return [p.x, p.y] }}"
    )
    box = page.get_by_test_id("report-map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.get_by_test_id("report-pin").wait_for()
    located = page.get_by_test_id("report-grid")
    located.wait_for()
    assert "杨舍镇" in located.inner_text()
    page.screenshot(path=str(shots / "report-form.png"))

    page.get_by_test_id("report-submit").click()
    number = page.get_by_test_id("report-event-no")
    number.wait_for()
    event_no = number.inner_text().strip()
    assert re.fullmatch(r"SJ\d{13}", event_no)
    page.get_by_test_id("report-duplicates").wait_for()
    page.screenshot(path=str(shots / "report-result.png"))
    with get_engine().begin() as conn:
        row = conn.execute(
            text("SELECT e.id, e.title, e.source, e.status, ST_X(e.geom) AS x, ST_Y(e.geom) AS y "
                 "FROM event e WHERE e.event_no = :n"), {"n": event_no},
        ).one()  # fmt: skip
        assert row.title == "桌面测试·道路积水上报" and row.status == "reported"
        assert row.source == "hotline"
        assert abs(row.x - lon) < 1e-4 and abs(row.y - lat) < 1e-4
        conn.execute(text("DELETE FROM event WHERE id = :i"), {"i": row.id})


def test_sub_centre_approves_an_extension_request(
    open_as: Any, work_orders: Callable[..., int], shots: Path
) -> None:
    event_id = work_orders(Status.HANDLING, title="桌面测试·申请延期")
    with Session(get_engine()) as db:
        asked = extension.request_extension(
            db, actor=_actor(db, "ys_handler"), event_id=event_id,
            data=ExtensionCreate(days=3, reason="需协调产权单位"),
        )  # fmt: skip
        db.commit()
    page = open_as("ys_dispatcher", "work/extensions", "extension-review")
    assert "一级审核" in page.get_by_test_id("extension-level").inner_text()
    row = _row(page, "桌面测试·申请延期")
    row.wait_for()
    assert "需协调产权单位" in row.inner_text() and "待一级审核" in row.inner_text()
    page.screenshot(path=str(shots / "extension-review.png"))
    row.get_by_test_id("extension-approve").click()
    opinion = (
        '[data-testid="extension-opinion"] textarea, textarea[data-testid="extension-opinion"]'
    )
    page.locator(opinion).first.fill("同意，请抓紧办理")
    page.get_by_test_id("extension-save").click()
    page.locator(".el-message", has_text="已同意该延期申请").wait_for()
    page.locator(".el-table__body tr", has_text="桌面测试·申请延期").wait_for(state="detached")
    with get_engine().begin() as conn:
        status, opinion = conn.execute(
            text("SELECT status, first_opinion FROM event_extension WHERE id = :i"),
            {"i": asked.id},
        ).one()
    assert status == "first_approved" and opinion == "同意，请抓紧办理"
