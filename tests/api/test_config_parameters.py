"""System parameters through the API (SYS-8): values as they apply in a region, overrides
per region and globally, the actor's scope."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from geo.parameter.registry import PARAMETERS
from tests.conftest import scalar

KEY = "event.duplicate_distance_m"  # default 50 m


def _region(db, code: str) -> int:  # noqa: ANN001
    return int(scalar(db, "SELECT id FROM region WHERE code = :c", c=code))


@pytest.fixture
def as_user(
    anon_client: TestClient, login_as: Callable[[str], dict[str, str]]
) -> Callable[[str], TestClient]:
    def sign_in(username: str) -> TestClient:
        anon_client.headers.clear()
        anon_client.headers.update(login_as(username))
        return anon_client

    return sign_in


def _value(client: TestClient, region_id: int | None = None) -> tuple[object, str, int | None]:
    params = {} if region_id is None else {"region_id": region_id}
    response = client.get("/api/v1/parameters", params=params)
    assert response.status_code == 200, response.text
    row = next(p for p in response.json() if p["key"] == KEY)
    return row["value"], row["source"], row["source_region_id"]


def test_every_declared_parameter_is_listed_with_its_declaration(client) -> None:
    rows = client.get("/api/v1/parameters").json()
    assert [r["key"] for r in rows] == list(PARAMETERS)
    fine = next(r for r in rows if r["key"] == "case.simple_procedure_max_fine_citizen")
    assert (fine["type"], fine["default"], fine["maximum"], fine["unit"]) == (
        "integer",
        200,
        200,
        "元",
    )
    assert "行政处罚法" in fine["basis"] and fine["source"] == "default"


def test_a_town_value_beats_the_district_value_beats_the_default(client, as_user, db) -> None:
    district, ys, tq = (_region(db, c) for c in ("320582000000", "320582100000", "320582101000"))
    assert _value(client, ys) == (50, "default", None)
    put = client.put(f"/api/v1/parameters/{KEY}", json={"region_id": district, "value": 80})
    assert put.status_code == 200 and put.json()["source"] == "district"
    town_admin = as_user("ys_admin")
    assert _value(town_admin) == (80, "district", district)  # default region: their own town
    town = town_admin.put(f"/api/v1/parameters/{KEY}", json={"region_id": ys, "value": 120})
    assert town.status_code == 200 and town.json()["value"] == 120
    assert _value(town_admin) == (120, "town", ys)
    assert _value(as_user("tq_admin")) == (80, "district", district)  # the other town
    cleared = as_user("ys_admin").delete(f"/api/v1/parameters/{KEY}", params={"region_id": ys})
    assert cleared.status_code == 200
    assert (cleared.json()["value"], cleared.json()["source"]) == (80, "district")
    audit = db.execute(
        text("SELECT action, actor_name FROM audit_log WHERE object_id = :k ORDER BY id"),
        {"k": KEY},
    ).all()
    assert [a.action for a in audit][-3:] == ["parameter.set", "parameter.set", "parameter.clear"]
    assert audit[-1].actor_name == "杨舍·钱立"


def test_a_global_value_is_set_by_the_district_only(client, as_user, db) -> None:
    ys = _region(db, "320582100000")
    assert (
        client.put(f"/api/v1/parameters/{KEY}", json={"region_id": None, "value": 60}).json()[
            "source"
        ]
        == "global"
    )
    assert _value(client, ys) == (60, "global", None)
    refused = as_user("ys_admin").put(
        f"/api/v1/parameters/{KEY}", json={"region_id": None, "value": 70}
    )
    assert refused.status_code == 403 and "区县级管理员" in refused.json()["detail"]
    assert as_user("ys_admin").delete(f"/api/v1/parameters/{KEY}").status_code == 403
    assert client.delete(f"/api/v1/parameters/{KEY}").json()["source"] == "default"


def test_another_towns_parameters_do_not_exist_for_a_town_admin(as_user, db) -> None:
    tq = _region(db, "320582101000")
    ys_admin = as_user("ys_admin")
    assert ys_admin.get("/api/v1/parameters", params={"region_id": tq}).status_code == 404
    put = ys_admin.put(f"/api/v1/parameters/{KEY}", json={"region_id": tq, "value": 99})
    assert put.status_code == 404
    cleared = ys_admin.delete(f"/api/v1/parameters/{KEY}", params={"region_id": tq})
    assert cleared.status_code == 404
    assert scalar(db, "SELECT count(*) FROM system_parameter WHERE region_id = :r AND key = :k",
                  r=tq, k=KEY) == 0  # fmt: skip


def test_a_value_outside_its_bounds_is_refused_with_the_basis(client, db) -> None:
    district = _region(db, "320582000000")
    response = client.put(
        "/api/v1/parameters/case.simple_procedure_max_fine_citizen",
        json={"region_id": district, "value": 500},
    )
    assert response.status_code == 422
    assert "不能大于 200元" in response.json()["detail"]
    assert "行政处罚法" in response.json()["detail"]
    wrong_type = client.put(f"/api/v1/parameters/{KEY}", json={"region_id": district, "value": "x"})
    assert wrong_type.status_code == 422 and "应为整数" in wrong_type.json()["detail"]


def test_an_unknown_parameter_is_not_found(client, db) -> None:
    body = {"region_id": _region(db, "320582000000"), "value": 1}
    assert client.put("/api/v1/parameters/no.such_key", json=body).status_code == 404


def test_setting_needs_the_manage_permission(as_user, db) -> None:
    # The town leader holds no parameter permission at all.
    leader = as_user("ys_leader")
    assert leader.get("/api/v1/parameters").status_code == 403
    body = {"region_id": _region(db, "320582100000"), "value": 70}
    assert leader.put(f"/api/v1/parameters/{KEY}", json=body).status_code == 403
