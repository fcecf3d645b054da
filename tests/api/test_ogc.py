"""OGC API – Features: structure, paging, filters, errors, and real clients (GDAL, OWSLib)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pyogrio
import pytest
from sqlalchemy import text

from geo.feature.query import parse_query
from geo.feature.repository import items_statement
from geo.layers import LAYERS
from tests.conftest import scalar

COLLECTIONS = [
    "towns",
    "communities",
    "grids",
    "streets",
    "buildings",
    "enterprises",
    "construction_sites",
    "patrol_routes",
    "events",
    "cameras",
    "party_sites",
]


def _rel(links: list[dict], rel: str) -> dict | None:
    return next((link for link in links if link["rel"] == rel), None)


def test_landing_page_links_the_standard_resources(client) -> None:
    body = client.get("/").json()
    for rel in ("self", "service-desc", "conformance", "data"):
        assert _rel(body["links"], rel), rel
    assert client.get(_rel(body["links"], "service-desc")["href"]).json()["paths"]


def test_landing_page_as_html_is_a_chinese_page(client) -> None:
    r = client.get("/", params={"f": "html"}, headers={"accept": "text/html"})
    assert r.headers["content-type"].startswith("text/html")
    assert "网格" in r.text and "/collections/grids/items" in r.text


def test_a_browser_at_the_root_gets_the_map_when_it_is_built(client) -> None:
    from api import ui

    r = client.get("/", headers={"accept": "text/html,application/xhtml+xml"})
    assert r.headers["content-type"].startswith("text/html")
    if ui.index() is not None:
        assert r.text == (ui.DIST / "index.html").read_text()
    else:
        assert "/collections/grids/items" in r.text


def test_conformance_declares_core_and_geojson(client) -> None:
    conforms = client.get("/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conforms
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conforms


def test_collections_lists_every_layer_with_extent_and_items_link(client) -> None:
    body = client.get("/collections").json()
    assert [c["id"] for c in body["collections"]] == COLLECTIONS
    for c in body["collections"]:
        minx, miny, maxx, maxy = c["extent"]["spatial"]["bbox"][0]
        assert 120.3 < minx < maxx < 120.9 and 31.7 < miny < maxy < 32.1, c["id"]
        assert _rel(c["links"], "items")["type"] == "application/geo+json"
    events = client.get("/collections/events").json()
    assert len(events["extent"]["temporal"]["interval"][0]) == 2


def test_items_are_rfc7946_geojson(client, db) -> None:
    r = client.get("/collections/grids/items", params={"limit": 1000})
    assert r.headers["content-type"] == "application/geo+json"
    body = r.json()
    assert body["type"] == "FeatureCollection"
    assert (
        body["numberReturned"]
        == len(body["features"])
        == scalar(db, "SELECT count(*) FROM region WHERE level = 'grid'")
    )
    first = body["features"][0]
    assert first["geometry"]["type"] == "MultiPolygon" and "crs" not in first["geometry"]
    lon, lat = first["geometry"]["coordinates"][0][0][0]
    assert 120 < lon < 121 and 31 < lat < 33  # lon first
    assert set(first["properties"]) >= {"code", "name", "parent_id"}
    assert _rel(body["links"], "next") is None


def _walk(client, url: str, params: dict) -> tuple[list[int], int]:  # noqa: ANN001
    ids: list[int] = []
    pages = 0
    while url and pages < 1000:
        # Only the first request carries params: next links already hold the whole query.
        body = client.get(url, params=params if pages == 0 else None).json()
        pages += 1
        ids += [f["id"] for f in body["features"]]
        nxt = _rel(body["links"], "next")
        url = nxt["href"] if nxt else None
    return ids, pages


def test_next_links_page_through_the_whole_table_once(client, db) -> None:
    ids, pages = _walk(client, "/collections/events/items", {"limit": 500})
    total = scalar(db, "SELECT count(*) FROM event")
    assert len(ids) == total and len(set(ids)) == total
    assert ids == sorted(ids)
    assert pages == -(-total // 500)


def test_next_link_keeps_the_filters(client, db) -> None:
    ids, _ = _walk(client, "/collections/events/items", {"limit": 100, "status": "closed"})
    assert len(ids) == scalar(db, "SELECT count(*) FROM event WHERE status = 'closed'")


def test_paging_is_keyset_not_offset(db) -> None:
    layer = LAYERS["events"]
    last = scalar(db, "SELECT max(id) - 50 FROM event")
    q = parse_query(
        layer, {"limit": "100", "cursor": str(last)}, default_limit=100, max_limit=10_000
    )
    stmt = items_statement(layer, q, actor=None)
    sql = str(stmt.compile(db.get_bind(), compile_kwargs={"literal_binds": True}))
    assert "OFFSET" not in sql.upper()
    plan = "\n".join(r[0] for r in db.execute(text("EXPLAIN " + sql)))
    assert "Index Scan using event_pkey" in plan, plan


def test_bbox_returns_exactly_the_features_inside(client, db) -> None:
    box = (120.54, 31.86, 120.57, 31.88)
    body = client.get(
        "/collections/enterprises/items", params={"bbox": ",".join(map(str, box)), "limit": 10000}
    ).json()
    for f in body["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert box[0] <= lon <= box[2] and box[1] <= lat <= box[3]
    expected = scalar(
        db,
        "SELECT count(*) FROM enterprise WHERE ST_Intersects(geom, "
        "ST_MakeEnvelope(120.54, 31.86, 120.57, 31.88, 4490))",
    )
    assert expected > 0 and body["numberReturned"] == expected


def test_property_and_datetime_filters(client, db) -> None:
    body = client.get(
        "/collections/enterprises/items", params={"risk_list": "black", "limit": 10000}
    ).json()
    assert body["features"] and {f["properties"]["risk_list"] for f in body["features"]} == {
        "black"
    }
    body = client.get(
        "/collections/events/items", params={"datetime": "2026-03-01/2026-03-31", "limit": 10000}
    ).json()
    months = {f["properties"]["reported_at"][:7] for f in body["features"]}
    assert months == {"2026-03"}
    assert body["numberReturned"] == scalar(
        db,
        """SELECT count(*) FROM event WHERE
        reported_at >= '2026-03-01T00:00+08' AND reported_at < '2026-04-01T00:00+08'""",
    )


def test_single_item_and_scope_of_region_layers(client, db) -> None:
    grid_id = scalar(db, "SELECT min(id) FROM region WHERE level = 'grid'")
    body = client.get(f"/collections/grids/items/{grid_id}").json()
    assert body["id"] == grid_id and _rel(body["links"], "collection")
    r = client.get(f"/collections/towns/items/{grid_id}")  # a grid is not a town
    assert r.status_code == 404 and "没有编号" in r.json()["detail"]


@pytest.mark.parametrize(
    "url,params,status,words",
    [
        ("/collections/rivers/items", {}, 404, "没有图层"),
        ("/collections/events/items", {"colour": "red"}, 400, "不支持的查询参数"),
        ("/collections/events/items", {"bbox": "31.8,120.5,31.9,120.6"}, 400, "颠倒"),
        ("/collections/events/items", {"bbox": "120.6,31.8,120.5,31.9"}, 400, "最小值大于最大值"),
        ("/collections/events/items", {"bbox": "1,2,3"}, 400, "4 个数"),
        ("/collections/events/items", {"limit": "0"}, 400, "大于 0"),
        ("/collections/events/items", {"limit": "many"}, 400, "整数"),
        ("/collections/events/items", {"datetime": "last week"}, 400, "格式不正确"),
        ("/collections/events/items", {"datetime": "2026-05-01/2026-01-01"}, 400, "开始晚于结束"),
        ("/collections/grids/items", {"datetime": "2026-01-01"}, 400, "没有时间属性"),
        ("/collections/events/items", {"severity": "high"}, 400, "必须是数字"),
        ("/collections/events/items", {"cursor": "abc"}, 400, "cursor 无效"),
        ("/collections/events/items/999999999", {}, 404, "没有编号"),
    ],
)
def test_bad_requests_get_a_clear_chinese_reason(client, url, params, status, words) -> None:
    r = client.get(url, params=params)
    assert r.status_code == status
    assert words in r.json()["detail"]


@pytest.fixture
def gdal_signed_in(live_headers: dict[str, str], tmp_path: Path) -> Iterator[None]:
    """GDAL sends the administrator's bearer token with every HTTP request, for one test.

    A header file, not GDAL_HTTP_HEADERS: the OAPIF driver passes its own `Accept` header,
    which replaces GDAL_HTTP_HEADERS but not the header file."""
    headers = tmp_path / "gdal-headers.txt"
    headers.write_text("".join(f"{k}: {v}\n" for k, v in live_headers.items()))
    pyogrio.set_gdal_config_options({"GDAL_HTTP_HEADER_FILE": str(headers)})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"GDAL_HTTP_HEADER_FILE": None})


def test_gdal_oapif_driver_reads_every_collection(live_server: str, gdal_signed_in, db) -> None:
    layers = {name for name, _ in pyogrio.list_layers(f"OAPIF:{live_server}")}
    assert layers == set(COLLECTIONS)
    grids = pyogrio.read_dataframe(f"OAPIF:{live_server}", layer="grids")
    assert len(grids) == scalar(db, "SELECT count(*) FROM region WHERE level = 'grid'")
    assert grids.geometry.is_valid.all()
    events = pyogrio.read_dataframe(f"OAPIF:{live_server}", layer="events")  # follows next links
    assert len(events) == scalar(db, "SELECT count(*) FROM event")


def test_gdal_without_sign_in_is_refused(live_server: str) -> None:
    with pytest.raises(pyogrio.errors.DataSourceError, match="401"):
        pyogrio.read_dataframe(f"OAPIF:{live_server}", layer="events")


def test_owslib_reads_collections_and_items(live_server: str, live_headers) -> None:
    from owslib.ogcapi.features import Features

    api = Features(live_server, headers=live_headers)
    assert "core" in " ".join(api.conformance()["conformsTo"])
    assert {c["id"] for c in api.collections()["collections"]} == set(COLLECTIONS)
    page = api.collection_items("party_sites", limit=5)
    assert page["numberReturned"] == 5
    assert parse_qs(urlparse(_rel(page["links"], "next")["href"]).query)["cursor"]


@pytest.mark.parametrize(
    "url,params,status",
    [
        ("/collections/events/items/%C2%B2", {}, 404),  # a digit to str.isdigit, not to int()
        ("/collections/events/items/" + "9" * 30, {}, 404),
        ("/collections/events/items", {"cursor": "9" * 30}, 400),
        ("/collections/events/items", {"severity": "99999"}, 400),
        ("/collections/events/items", {"title": "a\x00b"}, 400),
        ("/api/v1/search", {"q": "a\x00b"}, 400),
    ],
)
def test_hostile_values_are_refused_not_crashed_on(client, url, params, status) -> None:
    r = client.get(url, params=params)
    assert r.status_code == status and r.json()["detail"]


def test_an_unencoded_plus_in_a_datetime_offset_is_understood(client) -> None:
    r = client.get("/collections/events/items?datetime=2026-03-01T08:00:00+08:00/..&limit=1")
    assert r.status_code == 200
