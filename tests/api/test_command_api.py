"""The command screen's figures (CMD-1) against direct counts on the demo, their scope
(a 塘桥 leader sees only 塘桥), and the live feed: a committed event reaches a connected
screen of its town within 2 seconds, and not a screen of another town."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from geo.core.db import get_engine
from tests.conftest import bearer_headers
from tests.geo.event.event_flow import grid_point

API = "/api/v1/command"
Login = Callable[[str], dict[str, str]]
OPEN = "status NOT IN ('closed', 'cancelled')"
TQ = "(SELECT path FROM region WHERE code = '320582101000')"


def _count(db: Session, where: str, **params: object) -> int:
    sql = f"SELECT count(*) FROM event e JOIN region r ON r.id = e.region_id WHERE {where}"
    return int(db.execute(text(sql), params).scalar_one())


def _today() -> tuple[datetime, datetime]:
    day = datetime.now(SHANGHAI).date()
    start = datetime.combine(day, datetime.min.time(), SHANGHAI)
    return start, start + timedelta(days=1)


def test_summary_matches_direct_counts(client: TestClient, login_as: Login, db: Session) -> None:
    r = client.get(f"{API}/summary", headers=login_as("leader"))
    assert r.status_code == 200, r.text
    body = r.json()
    start, end = _today()
    today = body["today"]
    assert today["open"] == _count(db, OPEN) > 0
    assert today["overdue"] == _count(db, f"{OPEN} AND deadline < now()")
    assert today["reported"] == _count(db, "reported_at >= :s AND reported_at < :e", s=start, e=end)
    closed = "status = 'closed' AND closed_at >= :s AND closed_at < :e"
    assert today["closed"] == _count(db, closed, s=start, e=end)
    assert len(body["trend"]) == 30
    assert body["trend"][-1]["day"] == start.date().isoformat()
    assert body["trend"][-1]["reported"] == today["reported"]
    month_start = start - timedelta(days=29)
    assert sum(d["reported"] for d in body["trend"]) == _count(
        db, "reported_at >= :s AND reported_at < :e", s=month_start, e=end
    )
    cats = body["top_categories"]
    assert 0 < len(cats) <= 10
    assert [c["count"] for c in cats] == sorted((c["count"] for c in cats), reverse=True)
    top = cats[0]
    assert top["count"] == _count(db, f"{OPEN} AND category_code = :c", c=top["key"])
    assert body["attendance"]["expected"] >= body["attendance"]["checked_in"] >= 0
    assert body["attendance"]["expected"] > 0


def test_a_town_leader_sees_only_the_town(client: TestClient, login_as: Login, db: Session) -> None:
    r = client.get(f"{API}/summary", headers=login_as("tq_leader"))
    assert r.status_code == 200, r.text
    body = r.json()
    in_town = f"{OPEN} AND r.path <@ {TQ}"
    assert body["today"]["open"] == _count(db, in_town) > 0
    assert body["today"]["open"] < _count(db, OPEN)
    town_communities = {
        str(i) for (i,) in db.execute(
            text(f"SELECT id FROM region WHERE level = 'community' AND path <@ {TQ}")
        )
    }  # fmt: skip
    assert {c["key"] for c in body["top_communities"]} <= town_communities
    assert body["top_communities"]

    grids = client.get(f"{API}/grids", headers=login_as("tq_leader")).json()["features"]
    town_grids = db.execute(
        text(f"SELECT count(*) FROM region WHERE level = 'grid' AND path <@ {TQ}")
    ).scalar_one()
    assert len(grids) == town_grids
    in_grids = _count(db, f"{in_town} AND r.level = 'grid'")
    assert sum(g["properties"]["open_events"] for g in grids) == in_grids
    assert all(g["geometry"]["type"] in ("Polygon", "MultiPolygon") for g in grids)

    points = client.get(f"{API}/events", headers=login_as("tq_leader")).json()["features"]
    assert len(points) == _count(db, f"{in_town} AND e.geom IS NOT NULL")
    overdue = sum(p["properties"]["overdue"] for p in points)
    assert overdue == _count(db, f"{in_town} AND deadline < now()")


def test_member_positions_are_the_last_check_in_of_today(
    client: TestClient, login_as: Login, db: Session
) -> None:
    lon, lat = grid_point(db, "ys_wg01")
    for shift in (0.0, 0.0002):
        r = client.post(
            "/api/v1/attendance/check-ins",
            json={"lon": lon + shift, "lat": lat, "accuracy_m": 10},
            headers=login_as("ys_wg01"),
        )
        assert r.status_code == 201, r.text
    members = client.get(f"{API}/members", headers=login_as("ys_leader")).json()["features"]
    mine = [m for m in members if m["properties"]["name"] == "ys_wg01" or m["id"] == _uid(db)]
    assert len(mine) == 1
    assert mine[0]["geometry"]["coordinates"][0] == round(lon + 0.0002, 7)
    assert mine[0]["properties"]["verdict"] in ("in_grid", "out_of_grid", "low_accuracy")
    other = client.get(f"{API}/members", headers=login_as("tq_leader")).json()["features"]
    assert all(m["id"] != _uid(db) for m in other)


def _uid(db: Session) -> int:
    return int(db.execute(text("SELECT id FROM user_account WHERE username = 'ys_wg01'")).one()[0])


def test_the_screen_needs_command_view(client: TestClient, login_as: Login) -> None:
    for path in ("summary", "grids", "members", "events", "stream"):
        assert client.get(f"{API}/{path}", headers=login_as("ys_grid")).status_code == 403
    for leader in ("leader", "ys_leader", "tq_leader", "center"):
        assert client.get(f"{API}/summary", headers=login_as(leader)).status_code == 200


def test_the_page_is_served_at_its_address(anon_client: TestClient) -> None:
    r = anon_client.get("/command/")
    assert r.status_code in (200, 404)  # 404 only when the web app is not built
    if r.status_code == 200:
        assert "text/html" in r.headers["content-type"]


def _listen(url: str, headers: dict[str, str], out: queue.Queue, ready: threading.Event) -> None:
    with httpx.stream("GET", url, headers=headers, timeout=httpx.Timeout(10, read=30)) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("retry:"):
                out.put(("retry", line))
            if line.startswith(": connected"):
                ready.set()
            if line.startswith("data:"):
                out.put(("data", json.loads(line[5:])))


def test_a_new_event_reaches_the_town_screens_within_two_seconds(live_server: str) -> None:
    with Session(get_engine()) as s:
        ys, tq, grid = (bearer_headers(s, u) for u in ("ys_leader", "tq_leader", "ys_grid"))
        lon, lat = grid_point(s)
        s.commit()
    feeds: dict[str, queue.Queue] = {}
    for name, headers in (("ys", ys), ("tq", tq)):
        feeds[name], ready = queue.Queue(), threading.Event()
        threading.Thread(
            target=_listen, args=(f"{live_server}{API}/stream", headers, feeds[name], ready),
            daemon=True,
        ).start()  # fmt: skip
        assert ready.wait(10), "the stream did not open"
    assert feeds["ys"].get(timeout=1)[0] == "retry"
    assert feeds["tq"].get(timeout=1)[0] == "retry"

    body = {"title": "大屏实时测试", "category_code": "0101", "lon": lon, "lat": lat}
    sent = time.monotonic()
    r = httpx.post(f"{live_server}/api/v1/events", json=body, headers=grid, timeout=10)
    assert r.status_code == 201, r.text
    event_id = r.json()["id"]
    try:
        _delivered_to_the_town_only(feeds, event_id, sent)
    finally:
        _forget(event_id)


def _forget(event_id: int) -> None:
    """The committed test event goes again: later tests look for near reports (duplicates)
    in the same grid and category."""
    with Session(get_engine()) as s:
        s.execute(text("DELETE FROM event_action WHERE event_id = :e"), {"e": event_id})
        s.execute(text("DELETE FROM event WHERE id = :e"), {"e": event_id})
        s.commit()


def _delivered_to_the_town_only(feeds: dict[str, queue.Queue], event_id: int, sent: float) -> None:
    while True:
        kind, message = feeds["ys"].get(timeout=max(0.01, 2 - (time.monotonic() - sent)))
        if kind == "data" and message["id"] == event_id:
            break
    assert time.monotonic() - sent < 2
    assert message["title"] == "大屏实时测试" and message["status"] == "reported"
    time.sleep(0.3)
    seen = []
    while not feeds["tq"].empty():
        seen.append(feeds["tq"].get_nowait())
    assert all(m["id"] != event_id for kind, m in seen if kind == "data")
