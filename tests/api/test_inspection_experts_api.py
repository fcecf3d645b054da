"""The expert register through the API (DR-4): experts matched by inspection item (or any
item of a category), mobile numbers validated, one entry per linked user, and the data
scope (a town sees only its own experts)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

API = "/api/v1/inspection"


@pytest.fixture
def catalogue(client: TestClient) -> dict[str, int]:
    """Two categories; food has two items, fire one."""
    ids: dict[str, int] = {}
    for code, name, items in (("FOOD", "食品安全", ("FOOD-01", "FOOD-02")),
                              ("FIRE", "消防安全", ("FIRE-01",))):  # fmt: skip
        cat = client.post(f"{API}/item-categories", json={"code": code, "name": name}).json()
        ids[code] = cat["id"]
        for item_code in items:
            body = {"category_id": cat["id"], "code": item_code, "name": item_code,
                    "contents": [{"content": "检查", "max_score": 10}]}  # fmt: skip
            ids[item_code] = client.post(f"{API}/items", json=body).json()["id"]
    return ids


def _expert(client: TestClient, name: str, item_ids: list[int], headers: Any = None, **more: Any):
    body = {"name": name, "organisation": "市疾控中心", "title": "高级工程师",
            "mobile": "13912345678", "item_ids": item_ids, **more}  # fmt: skip
    return client.post(f"{API}/experts", json=body, headers=headers)


def test_experts_are_matched_by_item_or_category(client, catalogue) -> None:
    food = _expert(client, "王食安", [catalogue["FOOD-01"], catalogue["FOOD-02"]]).json()
    fire = _expert(client, "李消防", [catalogue["FIRE-01"]]).json()
    both = _expert(client, "赵全面", [catalogue["FOOD-02"], catalogue["FIRE-01"]]).json()
    assert [i["code"] for i in food["items"]] == ["FOOD-01", "FOOD-02"]

    def matched(**params: int) -> set[int]:
        r = client.get(f"{API}/experts", params=params)
        assert r.status_code == 200, r.text
        return {e["id"] for e in r.json()["items"]}

    assert matched(item_id=catalogue["FOOD-01"]) == {food["id"]}
    assert matched(item_id=catalogue["FOOD-02"]) == {food["id"], both["id"]}
    assert matched(item_category_id=catalogue["FIRE"]) == {fire["id"], both["id"]}
    assert matched(item_category_id=catalogue["FOOD"]) == {food["id"], both["id"]}


def test_the_items_of_an_expert_are_replaced_on_save(client, catalogue) -> None:
    expert = _expert(client, "王食安", [catalogue["FOOD-01"]]).json()
    r = client.put(
        f"{API}/experts/{expert['id']}",
        json={"name": "王食安", "item_ids": [catalogue["FIRE-01"]], "active": False},
    )
    assert r.status_code == 200, r.text
    assert [i["code"] for i in r.json()["items"]] == ["FIRE-01"] and r.json()["active"] is False
    assert r.json()["mobile"] is None
    listed = client.get(f"{API}/experts", params={"item_id": catalogue["FOOD-01"]}).json()
    assert listed["items"] == []


@pytest.mark.parametrize("mobile", ["12345678901", "1391234567", "139123456789", "abc"])
def test_a_bad_mobile_number_is_refused(client, mobile) -> None:
    r = _expert(client, "王食安", [], mobile=mobile)
    assert r.status_code == 422 and (
        "手机号码" in r.json()["detail"] or "mobile" in r.json()["detail"]
    )


def test_an_unknown_item_is_refused(client) -> None:
    r = _expert(client, "王食安", [2**40])
    assert r.status_code == 422 and "检查事项" in r.json()["detail"]


def test_one_expert_per_user(client, db) -> None:
    user = db.execute(text("SELECT id FROM user_account WHERE username = 'ys_legal'")).scalar()
    first = _expert(client, "杨舍法制", [], user_id=user)
    assert first.status_code == 201 and first.json()["username"] == "ys_legal"
    assert first.json()["region_name"] == "杨舍镇"  # the linked user's region
    again = _expert(client, "另一位", [], user_id=user)
    assert again.status_code == 409


def test_a_town_sees_only_its_own_experts(client, login_as, db, catalogue):
    tq = db.execute(text("SELECT id FROM region WHERE code = '320582101000'")).scalar()
    theirs = _expert(client, "塘桥专家", [catalogue["FOOD-01"]], region_id=tq).json()
    headers = login_as("ys_admin")
    mine = _expert(client, "杨舍专家", [catalogue["FOOD-01"]], headers=headers)
    assert mine.status_code == 201 and mine.json()["region_name"] == "杨舍镇"
    listed = client.get(
        f"{API}/experts", params={"item_id": catalogue["FOOD-01"]}, headers=headers
    ).json()["items"]
    assert [e["id"] for e in listed] == [mine.json()["id"]]
    for method in ("GET", "DELETE"):
        r = client.request(method, f"{API}/experts/{theirs['id']}", headers=headers)
        assert r.status_code == 404
    put = client.put(f"{API}/experts/{theirs['id']}", json={"name": "x"}, headers=headers)
    assert put.status_code == 404
    elsewhere = _expert(client, "越界", [], headers=headers, region_id=tq)
    assert elsewhere.status_code == 404
    assert client.get(f"{API}/experts", headers=login_as("ys_officer")).status_code == 200
    denied = _expert(client, "无权", [], headers=login_as("ys_officer"))
    assert denied.status_code == 403


def test_delete_is_audited(client, db) -> None:
    expert = _expert(client, "王食安", []).json()
    assert client.delete(f"{API}/experts/{expert['id']}").status_code == 204
    assert client.get(f"{API}/experts/{expert['id']}").status_code == 404
    actions = db.execute(
        text("SELECT action FROM audit_log WHERE object_type = 'expert' AND object_id = :id "
             "ORDER BY id"),
        {"id": str(expert["id"])},
    ).scalars().all()  # fmt: skip
    assert actions == ["inspection.expert_create", "inspection.expert_delete"]
