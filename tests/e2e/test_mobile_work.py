"""The field app's other screens on a phone-sized screen: a handler of 杨舍镇 receives a
work order dispatched to them and feeds back with a photo; a grid member checks in with
the (simulated) GPS position and sees the verdict.

Screenshots go to test-output/mobile/ (git-ignored)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.db import get_engine
from geo.event import service
from geo.event.schemas import EventCreate
from geo.event.workflow import Status
from geo.org.auth import open_session
from geo.org.models import SessionKind, UserAccount
from tests.e2e.conftest import signed_in_context
from tests.e2e.test_mobile_report import PHONE, _png
from tests.geo.attendance.attendance_places import inside
from tests.geo.event.event_flow import fields, grid_point, performer, shortest_paths


@pytest.fixture
def shots(output_dir: Path) -> Path:
    folder = output_dir / "mobile"
    folder.mkdir(exist_ok=True)
    return folder


def _actor(db: Session, username: str) -> Any:
    user = db.query(UserAccount).filter_by(username=username).one()
    return open_session(db, user=user, kind=SessionKind.BEARER).actor


@pytest.fixture
def dispatched() -> Iterator[Callable[[str], int]]:
    """A committed work order of 杨舍镇 dispatched to ys_handler; deleted afterwards."""
    made: list[int] = []

    def make(title: str) -> int:
        with Session(get_engine()) as db:
            lon, lat = grid_point(db)
            data = EventCreate(title=title, category_code="0304", lon=lon, lat=lat)
            event_id = service.report_event(db, actor=_actor(db, "ys_grid"), data=data).id
            for t in shortest_paths()[Status.DISPATCHED]:
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


def _phone(browser: Any, live_server: str, username: str, **options: Any) -> Any:
    context = signed_in_context(
        browser, live_server, username, viewport=PHONE, is_mobile=True, has_touch=True, **options
    )
    return context


def test_handler_receives_and_feeds_back_with_a_photo(
    browser: Any, live_server: str, shots: Path, dispatched: Callable[[str], int]
) -> None:
    event_id = dispatched("移动端处置反馈测试")
    context = _phone(browser, live_server, "ys_handler")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server}/m/#/home", wait_until="domcontentloaded")
        page.get_by_test_id("m-tile-m-orders").click()
        page.locator('[data-testid="m-order"]', has_text="移动端处置反馈测试").first.click()
        page.get_by_test_id("m-order-receive").click()
        page.get_by_test_id("m-order-feedback").wait_for(timeout=15_000)
        page.get_by_test_id("m-order-opinion").fill("已现场清理完毕")
        page.locator('[data-testid="m-order-actions"] input[type=file]').set_input_files(
            files=[{"name": "处置后.png", "mimeType": "image/png", "buffer": _png()}]
        )
        # The app closes before the feedback is sent: the text and the photo were kept.
        page.wait_for_timeout(1000)
        page.reload(wait_until="domcontentloaded")
        page.locator(".el-message", has_text="已恢复上次未提交的内容").wait_for(timeout=15_000)
        assert page.get_by_test_id("m-order-opinion").input_value() == "已现场清理完毕"
        assert "1" in page.get_by_test_id("m-order-photo-count").inner_text()
        page.get_by_test_id("m-order-feedback").click()
        page.locator(".el-message", has_text="处置反馈成功").wait_for(timeout=15_000)
        page.get_by_test_id("m-order-actions").wait_for(state="detached", timeout=15_000)
        page.screenshot(path=str(shots / "work-order-fed-back.png"), full_page=True)
        page.wait_for_timeout(600)  # the emptied form's last save has run
        left = page.evaluate(
            """() => new Promise((done) => {
                 const open = indexedDB.open('township-m')
                 open.onsuccess = () => {
                   const req = open.result.transaction('drafts').objectStore('drafts').count()
                   req.onsuccess = () => done(req.result)
                 }
               })"""
        )
        assert left == 0  # sent: no draft is left on the phone
        with get_engine().connect() as conn:
            status = conn.execute(
                text("SELECT status FROM event WHERE id = :id"), {"id": event_id}
            ).scalar_one()
            kinds = conn.execute(
                text("SELECT kind FROM event_photo WHERE event_id = :id"), {"id": event_id}
            ).scalars()
            assert (status, list(kinds)) == ("to_close", ["feedback"])
        assert errors == []
    finally:
        context.close()


def test_grid_member_checks_in_and_sees_the_verdict(
    browser: Any, live_server: str, shots: Path
) -> None:
    with Session(get_engine()) as session:
        lon, lat = inside(session, "ys_grid")
    context = _phone(
        browser,
        live_server,
        "ys_grid",
        geolocation={"longitude": lon, "latitude": lat, "accuracy": 10},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server}/m/#/home", wait_until="domcontentloaded")
        page.get_by_test_id("m-tile-m-check-in").click()
        page.get_by_test_id("m-check-in-fix").wait_for(timeout=15_000)
        page.get_by_test_id("m-check-in-note").fill("移动端签到")
        page.get_by_test_id("m-check-in-submit").click()
        verdict = page.get_by_test_id("m-check-in-verdict")
        verdict.wait_for(timeout=15_000)
        assert verdict.inner_text().startswith("网格内")
        page.locator("li", has_text="移动端签到").first.wait_for(timeout=10_000)
        page.screenshot(path=str(shots / "check-in.png"), full_page=True)
    finally:
        context.close()
