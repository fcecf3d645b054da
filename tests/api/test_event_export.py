"""General query over HTTP (GM-9): the table, count and map endpoints, and the streaming
CSV/XLSX export — its content, field validation, streaming, cap, scope and audit."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from urllib.parse import unquote
from xml.etree import ElementTree

import pytest
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.routes import event_query
from geo.core.actor import Actor
from geo.event import export
from geo.event.query import EventFilters
from tests.conftest import scalar

EXPORT = "/api/v1/events/export"
COUNT = "/api/v1/events/query/count"
VIEW = "120.0,31.0,121.5,32.5"
NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.fixture
def http(client: TestClient, db: Session) -> Iterator[TestClient]:
    """The admin client, the download's own session being the test's session."""
    app = client.app
    app.dependency_overrides[event_query.export_session] = lambda: db  # type: ignore[attr-defined]
    yield client


def _csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"))))


def _xlsx(body: bytes) -> list[list[str]]:
    """The first sheet's cells as text (inline or shared strings, numbers)."""
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        names = book.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['x']}}}t")) for si in root]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{{{NS['x']}}}row"):
        cells = []
        for c in row.findall("x:c", NS):
            if c.get("t") == "inlineStr":
                cells.append("".join(t.text or "" for t in c.iter(f"{{{NS['x']}}}t")))
            elif c.get("t") == "s":
                cells.append(shared[int(c.findtext("x:v", namespaces=NS) or 0)])
            else:
                cells.append(c.findtext("x:v", namespaces=NS) or "")
        rows.append(cells)
    return rows


def test_query_count_and_map_agree(http: TestClient) -> None:
    params = {"status": ["closed", "cancelled"], "category": "01"}
    count = http.get(COUNT, params=params).json()["count"]
    assert count > 0
    seen, cursor = [], None
    while True:
        page = http.get(
            "/api/v1/events/query",
            params={**params, "limit": 200, **({"cursor": cursor} if cursor else {})},
        ).json()
        seen += [e["id"] for e in page["items"]]
        assert {e["status"] for e in page["items"]} <= {"closed", "cancelled"}
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == count
    cells = http.get("/api/v1/events/query/map", params={**params, "view": VIEW, "zoom": 11})
    assert cells.status_code == 200
    assert sum(c["count"] for c in cells.json()["cells"]) == count


def test_a_region_outside_the_scope_is_404(
    db: Session, anon_client: TestClient, login_as: Callable[[str], dict[str, str]]
) -> None:
    tq_town = scalar(db, "SELECT id FROM region WHERE code = '320582101000'")
    answer = anon_client.get(
        "/api/v1/events/query", params={"region_id": tq_town}, headers=login_as("ys_dispatcher")
    )
    assert answer.status_code == 404 and "管辖范围" in answer.json()["detail"]


def test_csv_has_the_chosen_fields_in_order_and_every_row(http: TestClient) -> None:
    answer = http.get(
        EXPORT, params={"format": "csv", "fields": "event_no,status,town,lon", "status": "closed"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    rows = _csv(answer.content)
    assert rows[0] == ["事件编号", "状态", "镇街", "经度"]
    count = http.get(COUNT, params={"status": "closed"}).json()["count"]
    assert len(rows) - 1 == count == int(answer.headers["x-export-rows"])
    assert {r[1] for r in rows[1:]} == {"已结案"}
    assert {r[2] for r in rows[1:]} <= {"杨舍镇", "塘桥镇"}
    assert all(re.fullmatch(r"SJ\d+", r[0]) for r in rows[1:])
    assert all(120 < float(r[3]) < 122 for r in rows[1:])


def test_the_file_name_is_chinese_with_an_ascii_fallback(http: TestClient) -> None:
    answer = http.get(EXPORT, params={"format": "xlsx", "fields": "event_no", "status": "rework"})
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="events.xlsx"; ')
    name = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert re.fullmatch(r"工单查询_\d{8}_\d{4}\.xlsx", name)


def test_xlsx_opens_with_headers_and_rows(http: TestClient, db: Session) -> None:
    db.execute(text("UPDATE event SET title = '=HYPERLINK(\"x\")' WHERE id = "
                    "(SELECT min(id) FROM event WHERE status = 'closed')"))  # fmt: skip
    answer = http.get(
        EXPORT, params={"format": "xlsx", "fields": "title,reported_at,lat", "status": "closed"}
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = _xlsx(answer.content)
    assert rows[0] == ["标题", "上报时间", "纬度"]
    count = http.get(COUNT, params={"status": "closed"}).json()["count"]
    assert len(rows) - 1 == count
    assert '=HYPERLINK("x")' in {r[0] for r in rows[1:]}  # kept as text, not a formula
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", r[1]) for r in rows[1:])
    assert all(31 < float(r[2]) < 33 for r in rows[1:])
    with zipfile.ZipFile(io.BytesIO(answer.content)) as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()


def test_csv_neutralises_formulas(http: TestClient, db: Session) -> None:
    event_id = scalar(db, "SELECT min(id) FROM event WHERE status = 'closed'")
    db.execute(text("UPDATE event SET title = '=1+1' WHERE id = :id"), {"id": event_id})
    rows = _csv(http.get(EXPORT, params={"fields": "title", "status": "closed"}).content)
    assert "'=1+1" in {r[0] for r in rows}


def test_unknown_fields_are_refused_with_the_valid_ones(http: TestClient) -> None:
    answer = http.get(EXPORT, params={"fields": "event_no,password,secret"})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "password、secret" in detail and "event_no（事件编号）" in detail
    assert "remaining（剩余时间/超期）" in detail
    assert http.get(EXPORT, params={"format": "pdf"}).status_code == 400


def test_the_export_streams_in_chunks(db: Session, actor_of: Callable[[str], Actor]) -> None:
    admin = actor_of("admin")
    answer = event_query.export_events(
        actor=admin, session=db, rows=db, f=EventFilters(), format=export.ExportFormat.CSV,
        fields="event_no,title", sort=event_query.QuerySort.REPORTED_DESC,
    )  # fmt: skip
    assert isinstance(answer, StreamingResponse)
    plan_rows = int(answer.headers["x-export-rows"])
    assert plan_rows > export.BATCH  # several batches: several chunks
    plan = export.plan_export(
        db, actor=admin, filters=EventFilters(), fields=["event_no"], format=export.ExportFormat.CSV
    )
    chunks = export.csv_chunks(db, plan)
    first = next(chunks)  # the header only: nothing was read before it was sent
    assert first == "\ufeff事件编号\r\n".encode()
    rest = list(chunks)
    assert len(rest) == -(-plan_rows // export.BATCH)
    assert all(chunk.count(b"\r\n") <= export.BATCH for chunk in rest)


def test_the_export_is_audited(http: TestClient, db: Session) -> None:
    answer = http.get(EXPORT, params={"fields": "event_no", "status": "closed", "keyword": "垃圾"})
    assert answer.status_code == 200
    row = db.execute(
        text("""SELECT actor_name, after FROM audit_log WHERE action = 'event.export'
                ORDER BY id DESC LIMIT 1""")
    ).one()
    assert row.actor_name == scalar(
        db, "SELECT display_name FROM user_account WHERE username = 'admin'"
    )
    assert row.after["rows"] == len(_csv(answer.content)) - 1
    assert row.after["fields"] == ["event_no"] and row.after["format"] == "csv"
    assert row.after["filters"] == {"keyword": "垃圾", "statuses": ["closed"]}


def test_the_row_cap_is_a_parameter(http: TestClient, db: Session) -> None:
    db.execute(text("INSERT INTO system_parameter (key, value) VALUES "
                    "('event.export_max_rows', '1000')"))  # fmt: skip
    answer = http.get(EXPORT, params={"fields": "event_no"})
    assert answer.status_code == 422 and "上限 1000 条" in answer.json()["detail"]
    assert http.get(EXPORT, params={"fields": "event_no", "status": "closed",
                                    "category": "0101"}).status_code == 200  # fmt: skip


def test_export_needs_event_view_and_keeps_the_scope(
    db: Session, anon_client: TestClient, login_as: Callable[[str], dict[str, str]]
) -> None:
    anon_client.app.dependency_overrides[event_query.export_session] = lambda: db  # type: ignore[attr-defined]
    refused = anon_client.get(EXPORT, headers=login_as("ys_officer"))
    assert refused.status_code == 403
    rows = _csv(anon_client.get(EXPORT, params={"fields": "town"},
                                headers=login_as("ys_dispatcher")).content)  # fmt: skip
    assert len(rows) > 1 and {r[0] for r in rows[1:]} == {"杨舍镇"}
