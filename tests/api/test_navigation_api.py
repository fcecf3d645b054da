"""The navigation and coordinate conversion endpoints (GIS-8)."""

from __future__ import annotations

import pytest


def test_route_is_a_geojson_feature_with_length_and_duration(client) -> None:
    r = client.get(
        "/api/v1/navigation/route",
        params={"from": "120.55,31.87", "to": "120.58,31.89", "mode": "drive"},
    )
    assert r.status_code == 200, r.text
    feature = r.json()
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "LineString"
    props = feature["properties"]
    assert props["mode"] == "drive" and props["length_m"] > 3000
    # Driving at 20–40 km/h: between 5.5 and 11.2 m/s.
    assert 5.5 <= props["length_m"] / props["duration_s"] <= 11.2


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"from": "abc", "to": "120.58,31.89"}, 400, "格式应为"),
        ({"from": "120.55,31.87", "to": "120.58,31.89", "mode": "fly"}, 400, "参数有误"),
        ({"from": "31.87,120.55", "to": "120.58,31.89"}, 422, "经纬度顺序颠倒"),
        ({"from": "120.55,31.87", "to": "150.0,31.89"}, 422, "终点位置无效"),
    ],
)
def test_bad_positions_get_a_clear_message(client, params, status, message) -> None:
    r = client.get("/api/v1/navigation/route", params=params)
    assert r.status_code == status
    assert message in r.json()["detail"]


def test_coordinates_convert_to_the_map_apps_systems(client) -> None:
    # coordtransform's README pair: WGS84 (116.404, 39.915) → GCJ-02.
    r = client.get(
        "/api/v1/coords/convert",
        params={"from": "wgs84", "to": "gcj02", "lon": 116.404, "lat": 39.915},
    )
    assert r.status_code == 200
    assert r.json() == {
        "lon": pytest.approx(116.4102445, abs=1e-7),
        "lat": pytest.approx(39.9164043, abs=1e-7),
        "system": "gcj02",
    }
    back = client.get(
        "/api/v1/coords/convert", params={"from": "bd09", "to": "wgs84", "lon": 120.5, "lat": 31.9}
    ).json()
    again = client.get(
        "/api/v1/coords/convert", params={"from": "wgs84", "to": "bd09", **back}
    ).json()
    assert (again["lon"], again["lat"]) == (
        pytest.approx(120.5, abs=2e-7),
        pytest.approx(31.9, abs=2e-7),
    )


def test_navigation_needs_sign_in(anon_client) -> None:
    r = anon_client.get("/api/v1/navigation/route", params={"from": "1,1", "to": "2,2"})
    assert r.status_code == 401
