"""The audit log in PostGIS: recording in the caller's transaction, keyset search with
filters, JSON-safe values, the append-only guarantee, and audited calendar edits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point, Polygon
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from geo.audit.service import AuditError, record, search, to_jsonable
from geo.calendar.service import generate_year, set_day
from geo.core.db import get_engine
from tests.conftest import scalar

APPEND_ONLY = "审计日志只能追加，不能修改或删除"


def _paths(db) -> tuple[str, str]:  # noqa: ANN001
    """The ltree paths of two different towns."""
    rows = db.execute(
        text("SELECT path::text FROM region WHERE level = 'town' ORDER BY code LIMIT 2")
    ).scalars()
    a, b = rows
    return a, b


def test_record_then_search_pages_newest_first(db) -> None:
    ids = [
        record(db, action="test.touch", object_type="test_thing", object_id=i, detail=f"第{i}次")
        for i in range(5)
    ]
    assert ids == sorted(ids)
    seen: list[int] = []
    pages = 0
    after_id = None
    while True:
        page = search(db, object_type="test_thing", after_id=after_id, limit=2)
        pages += 1
        seen += [row.id for row in page.items]
        assert len(page.items) <= 2
        if page.next_after_id is None:
            break
        assert page.next_after_id == page.items[-1].id
        after_id = page.next_after_id
    assert seen == ids[::-1]
    assert pages == 3
    newest = search(db, object_type="test_thing", limit=1).items[0]
    assert (newest.action, newest.object_id, newest.detail) == ("test.touch", "4", "第4次")
    assert newest.at is not None and newest.at.tzinfo is not None
    # an exactly full last page says so: no empty page to fetch
    assert search(db, object_type="test_thing", limit=5).next_after_id is None


def test_search_filters(db) -> None:
    town_a, town_b = _paths(db)
    grid_a = scalar(
        db,
        "SELECT path::text FROM region WHERE level = 'grid' AND path <@ CAST(:t AS ltree) LIMIT 1",
        t=town_a,
    )
    assert grid_a is not None
    r1 = record(db, action="test.create", object_type="test_thing", object_id="a",
                actor_id=7, actor_name="张三", region_path=town_a, ip="10.0.0.8")  # fmt: skip
    r2 = record(db, action="test.update", object_type="test_thing", object_id="a",
                actor_id=8, region_path=str(grid_a))  # fmt: skip
    r3 = record(db, action="test.update", object_type="test_thing", object_id="b",
                actor_id=7, region_path=town_b)  # fmt: skip
    r4 = record(db, action="test.update", object_type="test_other", object_id="a")

    def ids(**filters: object) -> list[int]:
        return [row.id for row in search(db, **filters).items if row.id >= r1]  # type: ignore[arg-type]

    assert ids(object_type="test_thing") == [r3, r2, r1]
    assert ids(object_type="test_thing", object_id="a") == [r2, r1]
    assert ids(action="test.update", object_id="a") == [r4, r2]
    assert ids(actor_id=7) == [r3, r1]
    assert ids(region_path=town_a) == [r2, r1]  # the town and the grid inside it
    assert ids(region_path=str(grid_a)) == [r2]
    assert ids(region_path=town_b) == [r3]
    assert ids(object_type="test_thing", actor_id=7, region_path=town_b) == [r3]
    first = search(db, object_type="test_thing", object_id="a", actor_id=7).items[0]
    assert (first.actor_name, first.ip, first.region_path) == ("张三", "10.0.0.8", town_a)

    # since inclusive, until exclusive; `at` is the transaction's time, the same for all
    at = first.at
    assert ids(object_type="test_thing", since=at) == [r3, r2, r1]
    assert ids(object_type="test_thing", until=at) == []
    assert ids(object_type="test_thing", since=at + timedelta(seconds=1)) == []
    assert ids(object_type="test_thing", until=at + timedelta(seconds=1)) == [r3, r2, r1]


def test_search_refuses_bad_arguments(db) -> None:
    with pytest.raises(AuditError, match="每页条数应在 1～500 之间"):
        search(db, limit=0)
    with pytest.raises(AuditError, match="每页条数"):
        search(db, limit=501)
    with pytest.raises(AuditError, match="缺少时区"):
        search(db, since=datetime(2026, 1, 1))
    with pytest.raises(AuditError, match="区划路径"):
        search(db, region_path="3205'; --")


def test_record_refuses_bad_arguments(db) -> None:
    before = scalar(db, "SELECT count(*) FROM audit_log")
    with pytest.raises(ValueError, match="审计动作"):
        record(db, action="Update Region", object_type="region", object_id=1)
    with pytest.raises(ValueError, match="区划路径"):
        record(db, action="region.update", object_type="region", object_id=1, region_path="a b")
    with pytest.raises(ValueError):
        record(db, action="region.update", object_type="region", object_id=1, ip="999.1.1.1")
    with pytest.raises(TypeError, match="无法保存"):
        record(db, action="region.update", object_type="region", object_id=1, after=object())
    assert scalar(db, "SELECT count(*) FROM audit_log") == before


class Colour(StrEnum):
    RED = "red"


@dataclass
class Fine:
    amount: Decimal
    due: date


def test_before_and_after_are_stored_as_json(db) -> None:
    square = Polygon([(120.5, 31.8), (120.6, 31.8), (120.6, 31.9), (120.5, 31.8)])
    value = {
        "when": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        "day": date(2026, 3, 1),
        "fine": Fine(Decimal("200.50"), date(2026, 4, 1)),
        "colour": Colour.RED,
        "tags": {"b", "a"},
        "point": Point(120.55, 31.87),
        "stored": from_shape(square, srid=4490),
        "ratio": float("nan"),
        "pause": timedelta(hours=1, minutes=30),
        1: (1, 2),
    }
    expected = {
        "when": "2026-03-01T09:30:00+00:00",
        "day": "2026-03-01",
        "fine": {"amount": "200.50", "due": "2026-04-01"},
        "colour": "red",
        "tags": ["a", "b"],
        "point": {"type": "Point", "coordinates": [120.55, 31.87]},
        "stored": {
            "type": "Polygon",
            "coordinates": [[[120.5, 31.8], [120.6, 31.8], [120.6, 31.9], [120.5, 31.8]]],
        },
        "ratio": "nan",
        "pause": 5400.0,
        "1": [1, 2],
    }
    assert to_jsonable(value) == expected
    json.dumps(to_jsonable(value))  # really JSON
    record(db, action="test.store", object_type="test_thing", object_id="json",
           before=None, after=value)  # fmt: skip
    row = search(db, object_type="test_thing", object_id="json").items[0]
    assert row.before is None
    assert row.after == expected


def test_audit_rows_cannot_be_changed_or_removed(db) -> None:
    record(db, action="test.touch", object_type="test_thing", object_id="x")
    statements = [
        "UPDATE audit_log SET detail = '改过了' WHERE object_type = 'test_thing'",
        "UPDATE audit_log SET detail = '' WHERE false",  # even touching nothing
        "DELETE FROM audit_log WHERE object_type = 'test_thing'",
        "TRUNCATE audit_log",
    ]
    for sql in statements:
        with pytest.raises(DBAPIError, match=APPEND_ONLY), db.begin_nested():
            db.execute(text(sql))
    assert scalar(db, "SELECT count(*) FROM audit_log WHERE object_type = 'test_thing'") == 1
    # and nobody but the owner has been granted those privileges
    public = db.execute(
        text("""
            SELECT a.privilege_type
            FROM pg_class c, aclexplode(c.relacl) a
            WHERE c.relname = 'audit_log' AND a.grantee = 0""")
    ).scalars()
    assert scalar(db, "SELECT relacl IS NOT NULL FROM pg_class WHERE relname = 'audit_log'")
    assert not {"UPDATE", "DELETE", "TRUNCATE"} & set(public)


def test_audit_row_lives_and_dies_with_the_callers_transaction(db) -> None:
    generate_year(db, year=2031)
    with pytest.raises(RuntimeError), db.begin_nested():
        set_day(db, day=date(2031, 1, 1), kind="holiday", name="元旦")
        assert len(search(db, object_type="calendar_day", object_id="2031-01-01").items) == 1
        raise RuntimeError("the change fails after the audit row was written")
    assert search(db, object_type="calendar_day", object_id="2031-01-01").items == []
    assert scalar(db, "SELECT kind FROM calendar_day WHERE day = '2031-01-01'") == "workday"

    # written in the caller's transaction: nobody else sees it before that commits
    row_id = record(db, action="test.touch", object_type="test_thing", object_id="tx")
    with get_engine().connect() as other:
        seen = other.execute(text("SELECT count(*) FROM audit_log WHERE id = :id"), {"id": row_id})
        assert seen.scalar() == 0
    assert scalar(db, "SELECT count(*) FROM audit_log WHERE id = :id", id=row_id) == 1


def test_calendar_set_day_is_audited(db) -> None:
    generate_year(db, year=2031)
    set_day(db, day=date(2031, 1, 1), kind="holiday", name="元旦", actor_id=3, actor_name="李四")
    set_day(db, day=date(2031, 1, 1), kind="holiday", name="元旦")  # no change: no row
    set_day(db, day=date(2031, 1, 1), kind="workday")
    rows = search(db, action="calendar.set_day", object_id="2031-01-01").items
    assert [(r.before, r.after) for r in rows] == [
        (
            {"kind": "holiday", "is_working": False, "name": "元旦"},
            {"kind": "workday", "is_working": True, "name": None},
        ),
        (
            {"kind": "workday", "is_working": True, "name": None},
            {"kind": "holiday", "is_working": False, "name": "元旦"},
        ),
    ]
    assert (rows[1].actor_id, rows[1].actor_name, rows[1].object_type) == (
        3,
        "李四",
        "calendar_day",
    )
    assert rows[1].region_path is None  # the calendar is district-wide
