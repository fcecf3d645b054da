"""Every route that serves data needs sign-in, and every business route declares the
permission it needs: the test walks the application's routes, so a route added later
without either fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.testclient import TestClient

from api.main import create_app

API = "/api/v1"
SIGN_IN = ("POST", f"{API}/auth/login")
PATH_PARAM = re.compile(r"\{[^}]+\}")


def _api_routes() -> list[RouteContext]:
    """Each route as served: path with its router's prefix, dependencies with its router's."""
    return [
        r
        for r in iter_route_contexts(create_app().routes)
        if isinstance(r.original_route, APIRoute) and (r.path or "").startswith(API)
    ]


def _calls(route: RouteContext) -> list[tuple[str, str]]:
    """(method, concrete path) for each method of each route; path parameters become 1."""
    return [(m, PATH_PARAM.sub("1", route.path)) for m in sorted(route.methods or ())]


API_CALLS = sorted({call for route in _api_routes() for call in _calls(route)} - {SIGN_IN})


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def _permissions(route: RouteContext) -> set[str]:
    return {
        d.call.permission  # type: ignore[union-attr]
        for d in _dependencies(route.dependant)
        if hasattr(d.call, "permission")
    }


def test_the_walk_sees_the_map_routes() -> None:
    # A walk that found nothing would pass everything below.
    assert {("GET", f"{API}/layers"), ("GET", f"{API}/maps/export.html")} <= set(API_CALLS)


@pytest.fixture(scope="module")
def stranger(demo_area) -> TestClient:  # noqa: ANN001
    """A caller with no credentials, on the real database (nothing is written)."""
    return TestClient(create_app())


@pytest.mark.parametrize(("method", "path"), API_CALLS)
def test_every_api_route_refuses_a_caller_who_has_not_signed_in(
    stranger: TestClient, method: str, path: str
) -> None:
    r = stranger.request(method, path)
    assert r.status_code == 401, (method, path, r.status_code, r.text[:200])
    assert r.json()["detail"]


@pytest.mark.parametrize(
    "route",
    [r for r in _api_routes() if not r.path.startswith(f"{API}/auth/")],
    ids=lambda r: f"{','.join(sorted(r.methods))} {r.path}",
)
def test_every_business_route_declares_its_permission(route: RouteContext) -> None:
    """Declared with a dependency made by `api.auth.require("module.action")`."""
    assert _permissions(route), f"{route.path} 没有声明所需权限（api.auth.require）"


def test_the_map_routes_declare_view_and_export() -> None:
    by_path = {r.path: _permissions(r) for r in _api_routes()}
    assert by_path[f"{API}/layers"] == {"map.view"}
    assert by_path[f"{API}/search"] == {"map.view"}
    assert by_path[f"{API}/regions"] == {"map.view"}
    assert by_path[f"{API}/maps/export.html"] == {"map.export"}


DATA_OUTSIDE_API = [
    "/collections",
    "/collections/events",
    "/collections/events/items",
    "/collections/events/items/1",
    "/tiles/events/14/13678/6655.mvt",
    "/tiles/basemap/14/13678/6655.mvt",
]


@pytest.mark.parametrize("path", DATA_OUTSIDE_API)
def test_features_and_tiles_need_sign_in(anon_client, path: str) -> None:
    r = anon_client.get(path)
    assert r.status_code == 401 and r.json()["detail"] == "请先登录"


@pytest.mark.parametrize("path", DATA_OUTSIDE_API)
def test_a_forged_bearer_token_is_refused(anon_client, path: str) -> None:
    r = anon_client.get(path, headers={"Authorization": "Bearer forged-0123456789abcdef"})
    assert r.status_code == 401


def test_a_forged_session_cookie_is_refused(anon_client) -> None:
    from geo.core.settings import get_auth_settings

    anon_client.cookies.set(get_auth_settings().cookie_name, "forged-0123456789abcdef")
    assert anon_client.get("/collections/events/items").status_code == 401
    assert anon_client.get(f"{API}/regions").status_code == 401


def test_the_session_cookie_of_a_real_sign_in_opens_the_data(anon_client) -> None:
    signed_in = anon_client.post(
        f"{API}/auth/login", json={"username": "ys_admin", "password": "Demo@2026"}
    )
    assert signed_in.status_code == 200, signed_in.text
    r = anon_client.get("/collections/events/items", params={"limit": 1})  # cookie only
    assert r.status_code == 200 and r.json()["numberReturned"] == 1


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/conformance",
        "/openapi.json",
        "/map/style.json",
        "/tiles/events.json",
        "/tiles/basemap.json",
        "/health",
    ],
)
def test_descriptions_without_data_stay_public(anon_client, path: str) -> None:
    """What a client needs before it signs in (and the sign-in page itself at `/`)."""
    assert anon_client.get(path, headers={"accept": "application/json"}).status_code == 200


def test_a_grid_member_may_view_the_map_but_not_export_it(client, login_as, db) -> None:
    from tests.conftest import scalar

    grid = scalar(
        db,
        "SELECT r.id FROM user_account u JOIN region r ON r.id = u.region_id "
        "WHERE u.username = 'ys_grid'",
    )
    headers = login_as("ys_grid")
    assert client.get(f"{API}/regions", headers=headers).status_code == 200
    r = client.get(f"{API}/maps/export.html", params={"region_id": grid}, headers=headers)
    assert r.status_code == 403 and "map.export" in r.json()["detail"]
