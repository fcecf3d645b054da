"""Open311 GeoReport v2 over HTTP: a client reports with the demo key and follows its
request in JSON and XML; the refusals in the spec's error shape; the photo; the filters;
the reported event is in the dispatcher's pool; no personal data in any answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.routes import event_photos
from api.routes import open311 as open311_routes
from geo.file.settings import FileSettings
from geo.file.store import LocalFileStore, sha256_of
from geo.open311.keys import DEMO_KEY
from tests.conftest import scalar
from tests.geo.event.event_flow import grid_point

V2 = "/open311/v2"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x07" * 64
PERSON = {
    "first_name": "小明",
    "last_name": "王",
    "phone": "13912345678",
    "email": "wangxm@example.cn",
    "device_id": "device-42",
}
OUTSIDE = (121.9, 31.2)  # Shanghai: outside every grid of the demo district


@pytest.fixture
def store(
    anon_client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    settings = FileSettings(file_root=tmp_path, max_photo_bytes=1024)
    monkeypatch.setattr(open311_routes, "get_file_settings", lambda: settings)
    app: Any = anon_client.app
    app.dependency_overrides[event_photos.get_file_store] = lambda: LocalFileStore(tmp_path)
    yield tmp_path
    app.dependency_overrides.pop(event_photos.get_file_store, None)


def _report(client: TestClient, db: Session, fmt: str = "json", **fields: Any) -> httpx.Response:
    lon, lat = grid_point(db)
    form = {"api_key": DEMO_KEY, "service_code": "0101", "lat": lat, "long": lon,
            "description": "路口有一堆垃圾", **PERSON, **fields}  # fmt: skip
    files = fields.pop("files", None)
    form.pop("files", None)
    data = {k: str(v) for k, v in form.items() if v is not None}
    return client.post(f"{V2}/requests.{fmt}", data=data, files=files)


def _number(r: httpx.Response) -> str:
    assert r.status_code == 200, r.text
    number = r.json()[0]["service_request_id"]
    assert isinstance(number, str) and number.startswith("SJ")
    return number


def _no_personal_data(body: str) -> None:
    for value in PERSON.values():
        assert value not in body
    assert "王小明" not in body


def test_round_trip_in_json(anon_client: TestClient, db: Session) -> None:
    posted = _report(anon_client, db)
    number = _number(posted)
    answer = posted.json()[0]
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert "1 个工作日" in answer["service_notice"]

    r = anon_client.get(f"{V2}/requests/{number}.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    [request] = r.json()
    lon, lat = grid_point(db)
    grid = scalar(db, "SELECT r.name FROM user_account u JOIN region r ON r.id = u.region_id "
                      "WHERE u.username = 'ys_grid'")  # fmt: skip
    assert request["service_request_id"] == number
    assert request["status"] == "open" and request["status_notes"] == "待受理"
    assert (request["service_code"], request["service_name"]) == ("0101", "暴露垃圾")
    assert request["description"] == "路口有一堆垃圾"
    assert request["agency_responsible"] == f"杨舍镇 {grid}"
    assert request["lat"] == pytest.approx(lat) and request["long"] == pytest.approx(lon)
    assert request["requested_datetime"].endswith("+08:00")
    assert request["expected_datetime"] > request["requested_datetime"]
    assert request["media_url"] is None
    _no_personal_data(r.text)

    listed = anon_client.get(
        f"{V2}/requests.json", params={"service_code": "0101", "status": "open"}
    )
    assert number in [x["service_request_id"] for x in listed.json()]
    closed = anon_client.get(
        f"{V2}/requests.json", params={"service_code": "0101", "status": "closed"}
    )
    assert closed.status_code == 200 and closed.json()
    assert number not in [x["service_request_id"] for x in closed.json()]
    assert {x["status"] for x in closed.json()} == {"closed"}
    _no_personal_data(listed.text)


def test_round_trip_in_xml(anon_client: TestClient, db: Session) -> None:
    posted = _report(anon_client, db, fmt="xml", service_code="0302", description="工地扬尘")
    assert posted.status_code == 200 and posted.headers["content-type"].startswith("text/xml")
    root = etree.fromstring(posted.content)
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    assert number and number.startswith("SJ")

    r = anon_client.get(f"{V2}/requests/{number}.xml")
    request = etree.fromstring(r.content).find("request")
    assert request is not None
    assert request.findtext("status") == "open"
    assert request.findtext("service_code") == "0302"
    assert request.findtext("service_name") == "工地扬尘"
    assert float(request.findtext("lat") or 0) == pytest.approx(grid_point(db)[1])
    assert request.find("media_url") is not None and request.findtext("media_url") == ""
    _no_personal_data(r.text)

    other = scalar(
        db,
        "SELECT event_no FROM event WHERE event_no <> :n AND source = 'public' ORDER BY id LIMIT 1",
        n=number,
    )
    both = anon_client.get(f"{V2}/requests.xml", params={"service_request_id": f"{number},{other}"})
    numbers = etree.fromstring(both.content).xpath(
        "/service_requests/request/service_request_id/text()"
    )
    assert sorted(numbers) == sorted([number, other])


def test_services_are_the_leaf_categories(anon_client: TestClient, db: Session) -> None:
    leaves = set(db.execute(text(
        "SELECT c.code FROM event_category c WHERE NOT EXISTS "
        "(SELECT 1 FROM event_category k WHERE k.parent_code = c.code)"
    )).scalars())  # fmt: skip
    services = anon_client.get(f"{V2}/services.json").json()
    assert {s["service_code"] for s in services} == leaves and len(services) == len(leaves)
    garbage = next(s for s in services if s["service_code"] == "0101")
    assert garbage["group"] == "市容环境" and garbage["type"] == "realtime"
    assert garbage["metadata"] is False

    xml = etree.fromstring(anon_client.get(f"{V2}/services.xml").content)
    assert xml.tag == "services"
    assert set(xml.xpath("/services/service/service_code/text()")) == leaves

    definition = anon_client.get(f"{V2}/services/0101.json").json()
    assert definition == {"service_code": "0101", "attributes": []}
    assert anon_client.get(f"{V2}/services/01.json").status_code == 404  # a group, not a service


def test_discovery_names_the_endpoint_and_formats(anon_client: TestClient) -> None:
    d = anon_client.get(f"{V2}/discovery.json").json()
    [endpoint] = d["endpoints"]
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["formats"] == ["application/json", "text/xml"]
    xml = etree.fromstring(anon_client.get(f"{V2}/discovery.xml").content)
    assert xml.xpath("/discovery/endpoints/endpoint/formats/format/text()") == endpoint["formats"]


def _error(r: httpx.Response, status: int) -> str:
    assert r.status_code == status, r.text
    [error] = r.json()
    assert error["code"] == status
    return str(error["description"])


def test_missing_invalid_and_revoked_keys_are_refused(
    anon_client: TestClient, client: TestClient, db: Session
) -> None:
    before = scalar(db, "SELECT count(*) FROM event")
    assert "缺少 api_key" in _error(_report(anon_client, db, api_key=None), 403)
    assert "无效" in _error(_report(anon_client, db, api_key="guessed-key"), 403)

    issued = client.post(
        "/api/v1/admin/open311-keys", json={"name": "热线平台", "region_id": _district(db)}
    )
    assert issued.status_code == 201, issued.text
    _number(_report(anon_client, db, api_key=issued.json()["key"]))
    revoked = client.post(f"/api/v1/admin/open311-keys/{issued.json()['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["is_active"] is False
    assert "已于" in _error(_report(anon_client, db, api_key=issued.json()["key"]), 403)
    assert scalar(db, "SELECT count(*) FROM event") == before + 1

    xml = _report(anon_client, db, fmt="xml", api_key="guessed-key")
    assert xml.status_code == 403
    error = etree.fromstring(xml.content)
    assert error.tag == "errors" and error.findtext("error/code") == "403"
    assert error.findtext("error/description")


def _district(db: Session) -> int:
    return int(scalar(db, "SELECT id FROM region WHERE level = 'district'"))  # type: ignore[arg-type]


def test_a_point_outside_every_grid_is_refused(anon_client: TestClient, db: Session) -> None:
    before = scalar(db, "SELECT count(*) FROM event")
    lon, lat = OUTSIDE
    r = anon_client.post(
        f"{V2}/requests.json",
        data={"api_key": DEMO_KEY, "service_code": "0101", "lat": str(lat), "long": str(lon)},
    )
    assert "不在本平台的任何网格内" in _error(r, 400)
    only_address = {"api_key": DEMO_KEY, "service_code": "0101", "address_string": "人民路 1 号"}
    assert "无法根据地址" in _error(anon_client.post(f"{V2}/requests.json", data=only_address), 400)
    swapped = {"api_key": DEMO_KEY, "service_code": "0101", "lat": "120.5", "long": "31.9"}
    assert "lat 超出范围" in _error(anon_client.post(f"{V2}/requests.json", data=swapped), 400)
    assert "service_code" in _error(_report(anon_client, db, service_code="01"), 400)
    assert scalar(db, "SELECT count(*) FROM event") == before


def test_media_is_stored_and_served(anon_client: TestClient, db: Session, store: Path) -> None:
    r = _report(anon_client, db, files={"media": ("scene.png", PNG, "image/png")})
    number = _number(r)
    sha = sha256_of(PNG)
    assert LocalFileStore(store).read(sha) == PNG
    photo = db.execute(text(
        "SELECT p.kind, p.uploaded_by FROM event_photo p JOIN event e ON e.id = p.event_id "
        "WHERE e.event_no = :n"), {"n": number}).one()  # fmt: skip
    assert tuple(photo) == ("report", None)
    [request] = anon_client.get(f"{V2}/requests/{number}.json").json()
    assert request["media_url"].endswith(f"/open311/v2/media/{sha}")
    served = anon_client.get(f"{V2}/media/{sha}")
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["content-type"] == "image/png"


def test_a_bad_photo_refuses_the_whole_request(
    anon_client: TestClient, db: Session, store: Path
) -> None:
    before = scalar(db, "SELECT count(*) FROM event")
    not_a_photo = _report(anon_client, db, files={"media": ("x.png", b"plain text", "image/png")})
    assert "不是 JPEG、PNG 或 WebP" in _error(not_a_photo, 415)
    too_big = _report(anon_client, db, files={"media": ("x.png", PNG + b"\0" * 2048, "image/png")})
    assert "太大" in _error(too_big, 413)
    assert scalar(db, "SELECT count(*) FROM event") == before
    assert not any(store.rglob("*"))


def test_date_filters(anon_client: TestClient, db: Session) -> None:
    number = _number(_report(anon_client, db))

    def listed(**params: str) -> list[str]:
        r = anon_client.get(f"{V2}/requests.json", params=params)
        return [x["service_request_id"] for x in r.json()]

    assert number in listed()
    assert number not in listed(end_date="2020-01-01T00:00:00+08:00")
    assert number not in listed(start_date="2099-01-01")
    reported = scalar(db, "SELECT reported_at FROM event WHERE event_no = :n", n=number)
    day = reported.date().isoformat()  # type: ignore[attr-defined]
    assert number in listed(start_date=f"{day}T00:00:00+08:00", end_date=f"{day}T23:59:59+08:00")
    assert number in listed(start_date=f"{day}T00:00:00+08:00")  # and the 90 days after
    assert number in listed(end_date=f"{day}T23:59:59+08:00")  # and the 90 days before
    too_wide = anon_client.get(
        f"{V2}/requests.json", params={"start_date": "2026-01-01", "end_date": "2026-06-01"}
    )
    assert "90 天" in _error(too_wide, 400)
    assert "ISO 8601" in _error(
        anon_client.get(f"{V2}/requests.json", params={"start_date": "昨天"}), 400
    )
    assert "open 或 closed" in _error(
        anon_client.get(f"{V2}/requests.json", params={"status": "done"}), 400
    )


def test_default_window_is_ninety_days_and_at_most_a_thousand(
    anon_client: TestClient, db: Session
) -> None:
    rows = anon_client.get(f"{V2}/requests.json").json()
    expected = scalar(
        db,
        "SELECT count(*) FROM event WHERE reported_at >= now() - interval '90 days' "
        "AND source = 'public'",
    )
    assert len(rows) == min(expected, 1000)  # type: ignore[type-var]
    dates = [r["requested_datetime"] for r in rows]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(
    ("status", "spec_status"),
    [("reported", "open"), ("handling", "open"), ("to_close", "open"),
     ("closed", "closed"), ("cancelled", "closed")],
)  # fmt: skip
def test_status_maps_to_open_or_closed(
    anon_client: TestClient, db: Session, status: str, spec_status: str
) -> None:
    number = scalar(
        db,
        "SELECT event_no FROM event WHERE status = :s AND source = 'public' ORDER BY id LIMIT 1",
        s=status,
    )
    if number is None:
        pytest.skip(f"the demo data has no {status} event")
    [request] = anon_client.get(f"{V2}/requests/{number}.json").json()
    assert request["status"] == spec_status


def test_the_reported_event_is_in_the_dispatchers_pool(
    anon_client: TestClient, client: TestClient, login_as: Any, db: Session
) -> None:
    headers = login_as("ys_dispatcher")
    before = client.get("/api/v1/events/pool", headers=headers).json()["count"]
    number = _number(_report(anon_client, db))
    assert client.get("/api/v1/events/pool", headers=headers).json()["count"] == before + 1
    event = db.execute(text(
        "SELECT id, source, reporter_id, reporter_name, status FROM event WHERE event_no = :n"),
        {"n": number}).one()  # fmt: skip
    assert (event.source, event.reporter_id, event.status) == ("public", None, "reported")
    assert event.reporter_name == "王小明"  # for the dispatcher, never in Open311 answers
    audit = db.execute(text(
        "SELECT actor_id, actor_name FROM audit_log WHERE action = 'event.report' "
        "AND object_id = :id"), {"id": str(event.id)}).one()  # fmt: skip
    assert tuple(audit) == (None, "开放接口:演示密钥")
    detail = client.get(f"/api/v1/events/{event.id}", headers=headers).json()
    assert detail["history"][0]["actor_name"] == "开放接口:演示密钥"


def test_unknown_request_and_format(anon_client: TestClient) -> None:
    assert "SJ00000000" in _error(anon_client.get(f"{V2}/requests/SJ00000000.json"), 404)
    r = anon_client.get(f"{V2}/services.csv")
    assert "不支持的格式" in _error(r, 404)


def test_internal_work_orders_are_not_published(anon_client: TestClient, db: Session) -> None:
    """Grid members', patrols', cameras' and hotline callers' reports stay inside: only the
    public's own reports are service requests."""
    internal = scalar(db, "SELECT event_no FROM event WHERE source = 'grid_member' LIMIT 1")
    public = scalar(db, "SELECT event_no FROM event WHERE source = 'public' LIMIT 1")
    assert anon_client.get(f"{V2}/requests/{internal}.json").status_code == 404
    assert anon_client.get(f"{V2}/requests/{public}.json").status_code == 200
    listed = anon_client.get(
        f"{V2}/requests.json", params={"service_request_id": f"{internal},{public}"}
    )
    assert [r["service_request_id"] for r in listed.json()] == [public]


def test_control_characters_do_not_break_the_xml(anon_client: TestClient, db: Session) -> None:
    number = scalar(db, "SELECT event_no FROM event WHERE source = 'public' LIMIT 1")
    db.execute(text("UPDATE event SET description = 'a' || chr(11) || 'b' WHERE event_no = :n"),
               {"n": number})  # fmt: skip
    db.flush()
    answer = anon_client.get(f"{V2}/requests/{number}.xml")
    assert answer.status_code == 200
    assert etree.fromstring(answer.content).findtext("request/description") == "ab"
