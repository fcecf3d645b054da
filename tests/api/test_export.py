"""GIS-11: a region as a standalone HTML map that works offline."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.routes import maps
from geo.core.srid import STORAGE_SRID
from geo.event.models import Event
from geo.feature.export import STREETS_SQL, render_region_map
from tests.conftest import scalar

URL = "/api/v1/maps/export.html"
EVENT_NO = re.compile(r'"event_no":\s*"([^"]*)"')
ENTERPRISE = re.compile(r'"risk_list":\s*"')
ASSET_TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.IGNORECASE)


@pytest.fixture
def export_client(client: TestClient) -> TestClient:
    """The application of tests/api/conftest.py, with the maps router until api/main.py
    includes it."""
    if not any(getattr(r, "path", "") == URL for r in client.app.routes):  # type: ignore[attr-defined]
        client.app.include_router(maps.router)  # type: ignore[attr-defined]
    return client


def _busiest(db: Session, level: str) -> tuple[int, str, str]:
    """The region of a level with the most events filed under it (id, code, name)."""
    row = db.execute(
        text(
            """
            SELECT t.id, t.code, t.name
            FROM region t
            JOIN region r ON r.path <@ t.path
            JOIN event e ON e.region_id = r.id
            WHERE t.level = :level
            GROUP BY t.id ORDER BY count(*) DESC, t.id LIMIT 1
            """
        ),
        {"level": level},
    ).one()
    return row.id, row.code, row.name


def _event_nos(db: Session, sql: str, **params: object) -> list[str]:
    return list(db.execute(text(sql), params).scalars())


def _assert_offline(html: str) -> None:
    tags = ASSET_TAG.findall(html)
    assert tags, "Leaflet should be inlined in <script> elements"
    for tag in tags:
        assert "http://" not in tag and "https://" not in tag and "//" not in tag, tag
        assert " src=" not in tag and " href=" not in tag, tag  # everything is inline
    assert "L.map(" in html and "leaflet-container" in html  # Leaflet JS and CSS are there
    for library in ("jquery", "bootstrap", "awesome-markers", "fontawesome", "{s}.tile"):
        assert library not in html.lower(), library


def test_grid_map_holds_every_event_of_the_grid(export_client: TestClient, db: Session) -> None:
    grid_id, code, name = _busiest(db, "grid")
    r = export_client.get(URL, params={"region_id": grid_id})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(f'网格-{code}.html')}" in disposition
    assert f'filename="grid-{code}.html"' in disposition

    html = r.text
    assert name in html and code in html
    expected = _event_nos(db, "SELECT event_no FROM event WHERE region_id = :id", id=grid_id)
    assert len(expected) > 0
    shown = EVENT_NO.findall(html)
    assert len(shown) == len(expected)
    assert sorted(shown) == sorted(expected)
    enterprises = scalar(db, "SELECT count(*) FROM enterprise WHERE region_id = :id", id=grid_id)
    assert len(ENTERPRISE.findall(html)) == enterprises
    _assert_offline(html)


def test_community_map_has_its_grids_events_and_enterprises(
    export_client: TestClient, db: Session
) -> None:
    community_id, code, name = _busiest(db, "community")
    html = export_client.get(URL, params={"region_id": community_id}).text
    assert name in html
    in_community = """
        SELECT {col} FROM {table} f JOIN region g ON g.id = f.region_id
        WHERE g.parent_id = :id OR g.id = :id
    """
    expected = _event_nos(db, in_community.format(col="event_no", table="event"), id=community_id)
    assert sorted(EVENT_NO.findall(html)) == sorted(expected)
    enterprises = _event_nos(
        db, in_community.format(col="f.id", table="enterprise"), id=community_id
    )
    assert len(ENTERPRISE.findall(html)) == len(enterprises) > 0
    _assert_offline(html)


def test_many_events_are_cut_to_the_latest_with_a_note(db: Session) -> None:
    district_id = scalar(
        db, "SELECT id FROM region WHERE level = 'district' AND code LIKE '320582%'"
    )
    result = render_region_map(db, district_id, actor=None, max_events=50)  # type: ignore[arg-type]
    total = scalar(
        db,
        """SELECT count(*) FROM event e JOIN region r ON r.id = e.region_id
           JOIN region t ON t.id = :id WHERE r.path <@ t.path""",
        id=district_id,
    )
    assert (result.events_shown, result.events_total, result.truncated) == (50, total, True)
    latest = _event_nos(
        db, "SELECT event_no FROM event ORDER BY reported_at DESC, id DESC LIMIT 50"
    )
    assert sorted(EVENT_NO.findall(result.html)) == sorted(latest)
    assert f"仅显示最近上报的 50 件（共 {total} 件）" in result.html
    assert result.filename.startswith("区县-")
    # A town has no enterprises layer; a district neither.
    assert not ENTERPRISE.findall(result.html)


def test_event_text_cannot_inject_markup(export_client: TestClient, db: Session) -> None:
    grid_id, _, _ = _busiest(db, "grid")
    category = scalar(
        db, "SELECT category_code FROM event WHERE region_id = :id LIMIT 1", id=grid_id
    )
    point = scalar(
        db, "SELECT ST_AsText(ST_PointOnSurface(geom)) FROM region WHERE id = :id", id=grid_id
    )
    lon, lat = map(float, str(point)[6:-1].split())
    db.add(
        Event(
            event_no="SJTESTXSS0001",
            title='<img src=x onerror="alert(1)"></script><script>alert(2)</script>',
            category_code=category,
            status="reported",
            source="public",
            reported_at=datetime.now(UTC),
            geom=from_shape(Point(lon, lat), srid=STORAGE_SRID),
            region_id=grid_id,
        )
    )
    db.flush()
    html = export_client.get(URL, params={"region_id": grid_id}).text
    assert "SJTESTXSS0001" in html
    assert "<img src=x" not in html and "alert(2)</script>" not in html
    # Popups put properties into innerHTML: the title arrives as text (&lt;img ...), not as
    # markup (JSON's \u003cimg would become a live <img> element in the popup).
    assert "\\u0026lt;img src=x" in html and "\\u003cimg" not in html
    assert html.count("</script>") == html.count("<script>")


def test_streets_are_clipped_to_the_region(db: Session) -> None:
    grid_id, _, _ = _busiest(db, "grid")
    rows = db.execute(STREETS_SQL, {"id": grid_id, "decimals": 7}).all()
    assert rows
    outside = scalar(
        db,
        """SELECT count(*) FROM unnest(CAST(:shapes AS text[])) AS s(geojson), region r
           WHERE r.id = :id AND NOT ST_Covers(
               ST_Buffer(r.geom, 1e-6), ST_SetSRID(ST_GeomFromGeoJSON(s.geojson), 4490))""",
        shapes=[row.geojson for row in rows],
        id=grid_id,
    )
    assert outside == 0


def test_unknown_region_is_a_chinese_404(export_client: TestClient) -> None:
    r = export_client.get(URL, params={"region_id": 987654321})
    assert r.status_code == 404
    body = r.json()
    assert "987654321" in body["detail"] and re.search("[\u4e00-\u9fff]", body["detail"])
    assert export_client.get(URL, params={"region_id": "abc"}).status_code == 400
    assert export_client.get(URL).status_code == 400
