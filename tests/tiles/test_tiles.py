"""Vector tiles: decoded MVT content, caching, invalidation after an edit, sizes."""

from __future__ import annotations

import gzip
import math
import threading
import time
from dataclasses import replace

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.main import create_app
from geo.core.db import get_engine
from tiles.cache import TileCache
from tiles.registry import TILE_LAYERS
from tiles.sql import tile_statement

CENTRE = (120.555, 31.872)  # the centre of the detailed town


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def url(source: str, z: int, x: int, y: int) -> str:
    return f"/tiles/{source}/{z}/{x}/{y}.mvt"


def decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(data)


def test_layer_tile_decodes_with_ids_and_properties(client, db) -> None:
    r = client.get(url("enterprises", *tile_of(*CENTRE, 16)))
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    layer = decode(r.content)["enterprises"]
    assert layer["features"]
    feature = layer["features"][0]
    assert set(feature["properties"]) >= {"name", "category", "risk_list"}
    name = db.execute(
        text("SELECT name FROM enterprise WHERE id = :id"), {"id": feature["id"]}
    ).scalar()
    assert name == feature["properties"]["name"]


def test_basemap_tile_has_our_own_base_layers(client) -> None:
    layers = decode(client.get(url("basemap", *tile_of(*CENTRE, 14))).content)
    assert {"towns", "communities", "streets", "buildings"} <= set(layers)
    assert any(f["properties"].get("name") for f in layers["streets"]["features"])


def test_gzip_when_accepted_and_plain_otherwise(client) -> None:
    address = url("buildings", *tile_of(*CENTRE, 15))
    plain = client.get(address, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    with client.stream("GET", address, headers={"accept-encoding": "gzip"}) as zipped:
        wire = b"".join(zipped.iter_raw())
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(wire) == plain.content  # compressed once, not twice


def test_etag_and_if_none_match(client) -> None:
    address = url("grids", *tile_of(*CENTRE, 13))
    first = client.get(address)
    etag = first.headers["etag"]
    again = client.get(address, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get(address, headers={"if-none-match": '"stale"'}).status_code == 200


def test_empty_tiles_are_204(client) -> None:
    assert client.get(url("events", *tile_of(116.40, 39.90, 14))).status_code == 204  # Beijing
    assert client.get(url("buildings", *tile_of(*CENTRE, 10))).status_code == 204  # below minzoom


@pytest.mark.parametrize(
    "address,status,words",
    [
        ("/tiles/rivers/10/0/0.mvt", 404, "没有瓦片图层"),
        ("/tiles/events/25/0/0.mvt", 400, "缩放级别"),
        ("/tiles/events/3/8/0.mvt", 400, "行列号"),
    ],
)
def test_bad_tile_addresses(client, address: str, status: int, words: str) -> None:
    r = client.get(address)
    assert r.status_code == status and words in r.json()["detail"]


def test_feature_cap_keeps_the_most_important(db) -> None:
    layer = replace(TILE_LAYERS["events"], cap=5, cluster_below=0)
    z, x, y = tile_of(*CENTRE, 14)
    data = db.execute(tile_statement(layer, z, actor=None), {"z": z, "x": x, "y": y}).scalar()
    features = decode(bytes(data))["events"]["features"]
    assert len(features) == 5
    newest = db.execute(
        text("""
        SELECT min(reported_at) FROM (SELECT reported_at FROM event
        WHERE geom && ST_Transform(ST_TileEnvelope(:z, :x, :y), 4490)
        ORDER BY reported_at DESC LIMIT 5) s"""),
        {"z": z, "x": x, "y": y},
    ).scalar()
    assert all(f["properties"]["reported_at"] >= newest.isoformat()[:10] for f in features)


def test_low_zoom_events_are_clustered_and_counted(client, db) -> None:
    z, x, y = tile_of(*CENTRE, 11)
    features = decode(client.get(url("events", z, x, y)).content)["events"]["features"]
    total = sum(f["properties"]["point_count"] for f in features)
    expected = db.execute(
        text("""SELECT count(*) FROM event
        WHERE ST_Intersects(geom, ST_Transform(ST_TileEnvelope(:z, :x, :y), 4490))"""),
        {"z": z, "x": x, "y": y},
    ).scalar()
    assert len(features) < expected  # aggregated
    assert total == expected  # each point counted once, in the tile that holds it


@pytest.mark.parametrize(
    "source,z,limit_kb",
    [
        ("grids", 10, 100),
        ("basemap", 10, 300),
        ("events", 8, 50),
        ("buildings", 13, 500),
        ("basemap", 14, 500),
    ],
)
def test_tiles_stay_small(client, source: str, z: int, limit_kb: int) -> None:
    r = client.get(url(source, *tile_of(*CENTRE, z)), headers={"accept-encoding": "identity"})
    assert len(r.content) < limit_kb * 1024


def test_a_cold_tile_is_computed_once_under_concurrency() -> None:
    cache = TileCache()
    calls = []

    def slow() -> bytes:
        calls.append(1)
        time.sleep(0.2)
        return b"tile"

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get(("e", "", 1, 0, 0), slow)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(results) == 8 and {r.data for r in results} == {b"tile"}


def test_invalidation_spares_other_areas() -> None:
    cache = TileCache()
    near, far = tile_of(*CENTRE, 14), tile_of(120.75, 31.95, 14)
    for z, x, y in (near, far):
        cache.get(("events", "", z, x, y), lambda: b"x")
    cache.get(("grids", "", *near), lambda: b"x")
    lon, lat = CENTRE
    assert cache.invalidate({"events"}, (lon, lat, lon, lat)) == 1
    assert len(cache) == 2  # the far events tile and the grids tile stay


def test_invalidation_evicts_the_tile_of_every_scope() -> None:
    cache = TileCache()
    near = tile_of(*CENTRE, 14)
    scopes = ("", "320582000000.320582100000", "320582000000.320582101000")
    for scope in scopes:
        cache.get(("events", scope, *near), lambda: b"x")
    lon, lat = CENTRE
    assert cache.invalidate({"events"}, (lon, lat, lon, lat)) == len(scopes)
    assert len(cache) == 0


def test_an_edit_reaches_the_map_without_a_stale_tile(demo_area, live_headers) -> None:
    """A committed change to an event is visible in its tile at once; nothing else is
    recomputed."""
    engine = get_engine()
    with engine.begin() as conn:
        event_id, lon, lat, status = conn.execute(
            text("""
            SELECT id, ST_X(geom), ST_Y(geom), status FROM event
            WHERE status = 'closed' ORDER BY id LIMIT 1""")
        ).one()
    touched = tile_of(lon, lat, 16)
    elsewhere = tile_of(120.75, 31.95, 16) if lon < 120.7 else tile_of(120.45, 31.80, 16)
    app = create_app()
    with TestClient(app, headers=live_headers) as client:
        assert app.state.invalidation.ready.wait(10)
        cache = app.state.tile_cache

        def status_in_tile() -> str:
            layer = decode(client.get(url("events", *touched)).content)["events"]
            return next(f["properties"]["status"] for f in layer["features"] if f["id"] == event_id)

        assert status_in_tile() == "closed"
        client.get(url("events", *elsewhere))
        built = cache.computed
        try:
            with engine.begin() as conn:
                conn.execute(
                    text("UPDATE event SET status = 'handling', closed_at = NULL WHERE id = :id"),
                    {"id": event_id},
                )
            deadline = time.monotonic() + 5
            while ("events", "", *touched) in cache._tiles and time.monotonic() < deadline:
                time.sleep(0.02)
            assert status_in_tile() == "handling"
            client.get(url("events", *elsewhere))
            assert cache.computed == built + 1  # only the touched tile was rebuilt
        finally:
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "UPDATE event SET status = :s, closed_at = reported_at "
                        "+ interval '1 day' WHERE id = :id"
                    ),
                    {"s": status, "id": event_id},
                )


def test_tilejson_describes_the_source(client) -> None:
    body = client.get("/tiles/events.json").json()
    assert body["tilejson"] == "3.0.0"
    assert body["tiles"][0].startswith("http") and body["tiles"][0].endswith("/{z}/{x}/{y}.mvt")
    (layer,) = body["vector_layers"]
    assert layer["id"] == "events" and "status" in layer["fields"]
    assert len(body["bounds"]) == 4 and body["minzoom"] <= body["maxzoom"]
    base = client.get("/tiles/basemap.json").json()
    assert {v["id"] for v in base["vector_layers"]} == {
        "towns",
        "communities",
        "streets",
        "buildings",
    }


def test_each_area_name_is_placed_once_across_tiles(client) -> None:
    """Town outlines cross many tiles; their label points do not repeat."""
    z = 10
    _, x0, y0 = tile_of(120.37, 32.03, z)
    _, x1, y1 = tile_of(120.87, 31.72, z)
    names: list[str] = []
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            r = client.get(url("towns", z, x, y))
            if r.status_code == 200:
                names += [
                    f["properties"]["name"]
                    for f in decode(r.content).get("towns_label", {}).get("features", [])
                ]
    assert sorted(names) == sorted(set(names)) and len(names) == 8


def test_empty_tiles_count_against_the_cache_budget() -> None:
    cache = TileCache(max_bytes=64 * 1024)
    for i in range(10_000):
        cache.get(("events", "", 20, i, 0), lambda: b"")
    assert len(cache) <= 64 * 1024 // 512


def _blocked_build(
    cache: TileCache, key, release: threading.Event, result: list
) -> threading.Thread:  # noqa: ANN001, E501
    def slow() -> bytes:
        release.wait(5)
        return b"OLD"

    thread = threading.Thread(target=lambda: result.append(cache.get(key, slow)))
    thread.start()
    time.sleep(0.05)  # the build is under way
    return thread


@pytest.mark.parametrize("drop", ["clear", "invalidate"])
def test_a_build_begun_before_an_edit_is_neither_kept_nor_shared(drop: str) -> None:
    cache, key, release, result = TileCache(), ("events", "", 14, 1, 1), threading.Event(), []
    thread = _blocked_build(cache, key, release, result)
    if drop == "clear":
        cache.clear()
    else:
        cache.invalidate({"events"}, None)
    fresh = cache.get(key, lambda: b"NEW")  # asked after the edit: not the old build
    release.set()
    thread.join()
    assert fresh.data == b"NEW" and result[0].data == b"OLD"
    assert cache.get(key, lambda: b"NEWER").data == b"NEW"  # the old build was not stored


def test_validators_are_compared_weakly_and_per_encoding(client) -> None:
    address = url("grids", *tile_of(*CENTRE, 13))
    plain = client.get(address, headers={"accept-encoding": "identity"}).headers["etag"]
    zipped = client.get(address, headers={"accept-encoding": "gzip"}).headers["etag"]
    assert plain != zipped
    for header in (f"W/{plain}", '"other", ' + plain, "*"):
        r = client.get(address, headers={"if-none-match": header, "accept-encoding": "identity"})
        assert r.status_code == 304, header
    refused = client.get(address, headers={"accept-encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers
