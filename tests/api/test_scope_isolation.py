"""Data scope (SYS-10) on everything that serves map data: a user of 杨舍镇 sees nothing of
塘桥镇 — not in feature lists, single features, extents, tiles, search, exports or the
region tree — while the district administrator sees both."""

from __future__ import annotations

import math
from typing import Any

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.feature.query import FeatureQuery
from geo.feature.repository import items_statement
from geo.layers import LAYERS, Layer
from tiles.service import tile_sql

YS = "320582000000.320582100000"  # 杨舍镇
TQ = "320582000000.320582101000"  # 塘桥镇


def _ids_in(db: Session, layer: Layer, path: str) -> set[int]:
    """Ids of the layer's rows filed in the subtree of `path` (a region row: itself)."""
    t = layer.table.name
    column = "id" if layer.region_level else "region_id"
    level = f" AND t.level = '{layer.region_level.value}'" if layer.region_level else ""
    rows = db.execute(
        text(
            f"SELECT t.id FROM {t} t JOIN region r ON r.id = t.{column} "
            f"WHERE r.path <@ CAST(:path AS ltree){level}"
        ),
        {"path": path},
    )
    return set(rows.scalars())


def _items(client: TestClient, collection: str, headers: dict[str, str]) -> dict[str, Any]:
    r = client.get(f"/collections/{collection}/items", params={"limit": 10000}, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert not [link for link in body["links"] if link["rel"] == "next"]  # one page: all of it
    return body


def _user_path(db: Session, username: str) -> str:
    return str(
        db.execute(
            text(
                "SELECT r.path FROM user_account u JOIN region r ON r.id = u.region_id "
                "WHERE u.username = :u"
            ),
            {"u": username},
        ).scalar_one()
    )


# --- OGC API Features ------------------------------------------------------------------


@pytest.mark.parametrize("collection", list(LAYERS))
def test_a_town_user_lists_exactly_their_towns_features(
    client: TestClient, login_as, db: Session, collection: str
) -> None:
    layer = LAYERS[collection]
    ys, tq = _ids_in(db, layer, YS), _ids_in(db, layer, TQ)
    assert tq, f"演示数据中塘桥镇应有{layer.title}"  # else the test could not fail
    body = _items(client, collection, login_as("ys_admin"))
    seen = {f["id"] for f in body["features"]}
    assert seen == ys and not seen & tq
    assert body["numberReturned"] == len(ys)
    assert tq <= {f["id"] for f in _items(client, collection, login_as("tq_admin"))["features"]}


def test_a_grid_member_lists_only_their_grid(client: TestClient, login_as, db: Session) -> None:
    grid_path = _user_path(db, "ys_grid")
    headers = login_as("ys_grid")
    events = {f["id"] for f in _items(client, "events", headers)["features"]}
    assert events == _ids_in(db, LAYERS["events"], grid_path) != set()
    grids = _items(client, "grids", headers)["features"]
    assert [g["properties"]["code"] for g in grids] == [grid_path.rsplit(".", 1)[1]]
    assert _items(client, "towns", headers)["features"] == []  # the town is above their scope


def test_the_administrator_lists_every_town(client: TestClient, db: Session) -> None:
    layer = LAYERS["events"]
    seen = {f["id"] for f in _items(client, "events", {})["features"]}
    assert _ids_in(db, layer, YS) | _ids_in(db, layer, TQ) <= seen


@pytest.mark.parametrize("collection", ["events", "enterprises", "towns", "grids"])
def test_a_feature_of_another_town_reads_as_missing(
    client: TestClient, login_as, db: Session, collection: str
) -> None:
    layer = LAYERS[collection]
    other = min(_ids_in(db, layer, TQ))
    headers = login_as("ys_admin")
    hidden = client.get(f"/collections/{collection}/items/{other}", headers=headers)
    missing = client.get(f"/collections/{collection}/items/999999999", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == missing.json()["detail"].replace("999999999", str(other))
    own = client.get(f"/collections/{collection}/items/{other}", headers=login_as("tq_admin"))
    assert own.status_code == 200 and own.json()["id"] == other
    assert client.get(f"/collections/{collection}/items/{other}").status_code == 200  # admin


def _town_box(db: Session, path: str) -> tuple[float, float, float, float]:
    row = db.execute(
        text(
            "SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) "
            "FROM region WHERE path = CAST(:p AS ltree)"
        ),
        {"p": path},
    ).one()
    return tuple(row)  # type: ignore[return-value]


def test_extents_cover_only_the_readable_rows(client: TestClient, login_as, db: Session) -> None:
    west, south, east, north = _town_box(db, YS)
    headers = login_as("ys_admin")
    mine = client.get("/collections/events", headers=headers).json()
    minx, miny, maxx, maxy = mine["extent"]["spatial"]["bbox"][0]
    eps = 1e-6
    assert west - eps <= minx and south - eps <= miny and maxx <= east + eps and maxy <= north + eps
    everyone = client.get("/collections/events").json()["extent"]["spatial"]["bbox"][0]
    assert everyone != [minx, miny, maxx, maxy]
    listed = client.get("/collections", headers=headers).json()["collections"]
    assert [c["extent"] for c in listed if c["id"] == "events"] == [mine["extent"]]
    # A grid member has no town row: the towns collection is listed, with no extent.
    towns = client.get("/collections/towns", headers=login_as("ys_grid")).json()
    assert towns["extent"] == {}


# --- Vector tiles ---------------------------------------------------------------------


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def _tile(client: TestClient, source: str, address: tuple[int, int, int], headers) -> dict:  # noqa: ANN001
    z, x, y = address
    r = client.get(f"/tiles/{source}/{z}/{x}/{y}.mvt", headers=headers)
    assert r.status_code in (200, 204), r.text
    return mapbox_vector_tile.decode(r.content) if r.status_code == 200 else {}


def _ids(tile: dict, layer: str) -> set[int]:
    return {f["id"] for f in tile.get(layer, {}).get("features", [])}


def _point_of(db: Session, layer: Layer, feature_id: int) -> tuple[float, float]:
    lon, lat = db.execute(
        text(
            f"SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p "
            f"FROM {layer.table.name} WHERE id = :id) s"
        ),
        {"id": feature_id},
    ).one()
    return lon, lat


@pytest.mark.parametrize(
    "source,z",
    [("events", 16), ("enterprises", 16), ("cameras", 15), ("grids", 14), ("towns", 11)],
)
def test_a_tile_over_another_town_holds_none_of_its_features(
    client: TestClient, login_as, db: Session, source: str, z: int
) -> None:
    layer = LAYERS[source]
    tq, ys = _ids_in(db, layer, TQ), _ids_in(db, layer, YS)
    target = min(tq)
    address = _tile_of(*_point_of(db, layer, target), z)
    as_ys = _tile(client, source, address, login_as("ys_admin"))
    assert _ids(as_ys, source) <= ys
    assert target in _ids(_tile(client, source, address, {}), source)  # the administrator
    assert target in _ids(_tile(client, source, address, login_as("tq_admin")), source)


def test_area_names_in_a_business_tile_follow_the_scope(
    client: TestClient, login_as, db: Session
) -> None:
    lon, lat = db.execute(
        text(
            "SELECT ST_X(label_point), ST_Y(label_point) FROM region WHERE path = CAST(:p AS ltree)"
        ),
        {"p": TQ},
    ).one()
    address = _tile_of(lon, lat, 11)

    def names(headers: dict[str, str]) -> set[str]:
        tile = _tile(client, "towns", address, headers)
        return {f["properties"]["name"] for f in tile.get("towns_label", {}).get("features", [])}

    assert "塘桥镇" in names({}) and "塘桥镇" not in names(login_as("ys_admin"))


def test_clustered_events_count_only_the_readable_ones(
    client: TestClient, login_as, db: Session
) -> None:
    lon, lat = _point_of(db, LAYERS["events"], min(_ids_in(db, LAYERS["events"], TQ)))
    z, x, y = _tile_of(lon, lat, 10)

    def counted(headers: dict[str, str]) -> int:
        tile = _tile(client, "events", (z, x, y), headers)
        return sum(f["properties"]["point_count"] for f in tile["events"]["features"])

    def expected(path: str) -> int:
        return int(
            db.execute(
                text("""SELECT count(*) FROM event e LEFT JOIN region r ON r.id = e.region_id
                WHERE (r.path <@ CAST(:p AS ltree))
                  AND ST_Intersects(e.geom, ST_Transform(ST_TileEnvelope(:z, :x, :y), 4490))"""),
                {"p": path, "z": z, "x": x, "y": y},
            ).scalar_one()
        )

    assert counted(login_as("ys_admin")) == expected(YS)
    assert counted(login_as("tq_admin")) == expected(TQ) > 0
    assert counted({}) == expected("320582000000") > expected(TQ)


def test_the_basemap_is_shared_geography(client: TestClient, login_as, db: Session) -> None:
    """Streets, outlines and footprints of every town: the map around a user stays whole."""
    lon, lat = _point_of(db, LAYERS["towns"], min(_ids_in(db, LAYERS["towns"], TQ)))
    address = _tile_of(lon, lat, 12)
    base = _tile(client, "basemap", address, login_as("ys_admin"))
    assert "塘桥镇" in {f["properties"]["name"] for f in base["towns"]["features"]}
    assert base["streets"]["features"]
    admin = client.get("/tiles/basemap/{}/{}/{}.mvt".format(*address))
    assert (
        admin.headers["etag"]
        == client.get(
            "/tiles/basemap/{}/{}/{}.mvt".format(*address), headers=login_as("ys_admin")
        ).headers["etag"]
    )


def test_one_cached_tile_per_scope(client: TestClient, login_as, db: Session) -> None:
    """The same address asked by 杨舍, then 塘桥, then 杨舍 again: each gets the tile of
    their own scope, never the one cached for the other."""
    layer = LAYERS["events"]
    target = min(_ids_in(db, layer, TQ))
    address = _tile_of(*_point_of(db, layer, target), 16)
    cache = client.app.state.tile_cache  # type: ignore[attr-defined]
    built = cache.computed

    first = _ids(_tile(client, "events", address, login_as("ys_admin")), "events")
    second = _ids(_tile(client, "events", address, login_as("tq_admin")), "events")
    third = _ids(_tile(client, "events", address, login_as("ys_admin")), "events")
    assert target not in first and target in second and target not in third
    assert third == first
    assert cache.computed == built + 2  # the third answer came from 杨舍's cached tile


# --- Search, export, region tree ------------------------------------------------------


def test_search_finds_nothing_of_another_town(client: TestClient, login_as, db: Session) -> None:
    name, enterprise_id = db.execute(
        text("""
        SELECT e.name, e.id FROM enterprise e JOIN region r ON r.id = e.region_id
        WHERE r.path <@ CAST(:tq AS ltree) ORDER BY e.id LIMIT 1"""),
        {"tq": TQ},
    ).one()

    def hits(q: str, headers: dict[str, str]) -> set[tuple[str, int]]:
        r = client.get("/api/v1/search", params={"q": q, "limit": 100}, headers=headers)
        assert r.status_code == 200
        return {(h["layer"], h["id"]) for h in r.json()["results"]}

    assert ("enterprises", enterprise_id) in hits(name, login_as("tq_admin"))
    assert ("enterprises", enterprise_id) not in hits(name, login_as("ys_admin"))
    tq_town = min(_ids_in(db, LAYERS["towns"], TQ))
    assert ("towns", tq_town) in hits("塘桥", {})
    found = hits("塘桥", login_as("ys_admin"))
    for layer_id, feature_id in found:
        assert feature_id not in _ids_in(db, LAYERS[layer_id], TQ), (layer_id, feature_id)


def test_export_of_another_town_reads_as_missing(client: TestClient, login_as, db: Session) -> None:
    community = (
        db.execute(
            text("SELECT id FROM region WHERE level = 'community' AND path <@ CAST(:p AS ltree)"),
            {"p": TQ},
        )
        .scalars()
        .first()
    )
    headers = login_as("ys_admin")
    url = "/api/v1/maps/export.html"
    hidden = client.get(url, params={"region_id": community}, headers=headers)
    missing = client.get(url, params={"region_id": 987654321}, headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == missing.json()["detail"].replace("987654321", str(community))
    assert client.get(url, params={"region_id": community}).status_code == 200  # admin


def test_export_of_ones_own_town_holds_none_of_another(
    client: TestClient, login_as, db: Session
) -> None:
    town = db.execute(
        text("SELECT id FROM region WHERE path = CAST(:p AS ltree)"), {"p": YS}
    ).scalar_one()
    html = client.get(
        "/api/v1/maps/export.html", params={"region_id": town}, headers=login_as("ys_admin")
    ).text
    tq_events = db.execute(
        text("""SELECT e.event_no FROM event e JOIN region r ON r.id = e.region_id
        WHERE r.path <@ CAST(:p AS ltree)"""),
        {"p": TQ},
    ).scalars()
    assert "杨舍镇" in html and "塘桥镇" not in html
    assert not [no for no in tq_events if no in html]


def _flatten(nodes: list[dict]) -> list[dict]:
    return [n for node in nodes for n in (node, *_flatten(node["children"]))]


def test_region_tree_is_the_users_subtree(client: TestClient, login_as, db: Session) -> None:
    def count(path: str) -> int:
        return int(
            db.execute(
                text("SELECT count(*) FROM region WHERE path <@ CAST(:p AS ltree)"), {"p": path}
            ).scalar_one()
        )

    ys_tree = client.get("/api/v1/regions", headers=login_as("ys_admin")).json()
    assert [t["name"] for t in ys_tree] == ["杨舍镇"]
    assert len(_flatten(ys_tree)) == count(YS)
    assert all(n["code"].startswith("320582100") for n in _flatten(ys_tree))

    grid_path = _user_path(db, "ys_grid")
    grid_tree = client.get("/api/v1/regions", headers=login_as("ys_grid")).json()
    assert [(t["code"], t["children"]) for t in grid_tree] == [(grid_path.rsplit(".", 1)[1], [])]

    everyone = client.get("/api/v1/regions").json()
    assert {"杨舍镇", "塘桥镇"} <= {t["name"] for t in everyone}
    assert len(_flatten(everyone)) > len(_flatten(ys_tree))


# --- Statements -------------------------------------------------------------------------


def _actor(level: str, path: str) -> Actor:
    return Actor(1, "someone", "某人", 1, path, level, (), frozenset({"map.view"}))


def test_district_wide_actors_run_the_unscoped_statements(db: Session) -> None:
    district, town = _actor("district", "320582000000"), _actor("town", YS)
    for source in ("events", "grids", "towns", "basemap"):
        for z in (10, 16):
            assert tile_sql(source, z, actor=district).text == tile_sql(source, z, actor=None).text
    assert "scope_path" in tile_sql("events", 16, actor=town).text
    assert tile_sql("basemap", 14, actor=town).text == tile_sql("basemap", 14, actor=None).text
    engine = db.get_bind()
    for layer in LAYERS.values():
        q = FeatureQuery(limit=10)
        as_district = str(items_statement(layer, q, actor=district).compile(engine))
        assert as_district == str(items_statement(layer, q, actor=None).compile(engine))
        assert "<@" in str(items_statement(layer, q, actor=town).compile(engine))
