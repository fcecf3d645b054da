"""The inspection-item catalogue through the API (DR-5): categories, items whose check
list is saved with them (reordered, edited, added, removed in one go), the check list of
a category for the task form, the refusal to delete what check results use, and the
rule that only district-wide configurers change this global catalogue."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.inspection.models import CheckResult, InspectionAssignment, InspectionTask

API = "/api/v1/inspection"


def _category(client: TestClient, code: str = "FOOD", name: str = "食品安全", **more: Any) -> Any:
    r = client.post(f"{API}/item-categories", json={"code": code, "name": name, **more})
    assert r.status_code == 201, r.text
    return r.json()


def _item(client: TestClient, category_id: int, code: str = "FOOD-01", **more: Any) -> Any:
    body = {
        "category_id": category_id, "code": code, "name": "从业人员健康管理",
        "basis": "《食品安全法》第四十五条", "method": "现场检查",
        "contents": [
            {"content": "从业人员持有效健康证明", "max_score": 10, "critical": True},
            {"content": "建立从业人员健康档案", "max_score": 5},
            {"content": "每日晨检记录完整", "max_score": 5},
        ],
        **more,
    }  # fmt: skip
    r = client.post(f"{API}/items", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def _body(item: dict[str, Any], **changes: Any) -> dict[str, Any]:
    keys = ("category_id", "code", "name", "basis", "method", "sort_order", "active")
    contents = [
        {k: c[k] for k in ("id", "content", "max_score", "critical")} for c in item["contents"]
    ]
    return {**{k: item[k] for k in keys}, "contents": contents, **changes}


def _result(db: Session, *, content_id: int, category_id: int) -> None:
    """A check result scoring one content line (as a submitted inspection leaves)."""
    user = db.execute(text("SELECT id FROM user_account WHERE username = 'ys_officer'")).scalar()
    enterprise = db.execute(text("SELECT id FROM enterprise ORDER BY id LIMIT 1")).scalar()
    task = InspectionTask(
        name="测试任务", item_category_id=category_id, start_date=date(2026, 12, 1),
        end_date=date(2026, 12, 31), created_by=user,
    )  # fmt: skip
    db.add(task)
    db.flush()
    assignment = InspectionAssignment(task_id=task.id, enterprise_id=enterprise, leader_id=user)
    db.add(assignment)
    db.flush()
    db.add(CheckResult(assignment_id=assignment.id, content_id=content_id, score=8, passed=True))
    db.flush()


def test_an_item_is_created_with_its_ordered_check_list(client) -> None:
    category = _category(client)
    item = _item(client, category["id"])
    assert [c["seq"] for c in item["contents"]] == [1, 2, 3]
    assert [c["critical"] for c in item["contents"]] == [True, False, False]
    assert item["max_score"] == 20 and item["content_count"] == 3
    assert item["category_name"] == "食品安全"
    listed = client.get(f"{API}/item-categories").json()
    assert {"code": "FOOD", "item_count": 1, "active_item_count": 1}.items() <= next(
        c for c in listed if c["id"] == category["id"]
    ).items()


def test_saving_replaces_the_list_reordered_edited_added_and_removed(client, db) -> None:
    item = _item(client, _category(client)["id"])
    first, second, third = item["contents"]
    body = _body(item)
    body["contents"] = [
        {**body["contents"][2], "content": "晨检记录完整并签字", "max_score": 8},
        {"content": "新增：患病人员调离岗位", "max_score": 6, "critical": True},
        body["contents"][0],
    ]
    r = client.put(f"{API}/items/{item['id']}", json=body)
    assert r.status_code == 200, r.text
    saved = r.json()["contents"]
    assert [(c["seq"], c["content"]) for c in saved] == [
        (1, "晨检记录完整并签字"), (2, "新增：患病人员调离岗位"), (3, "从业人员持有效健康证明"),
    ]  # fmt: skip
    assert saved[0]["id"] == third["id"] and saved[2]["id"] == first["id"]
    assert second["id"] not in {c["id"] for c in saved}
    assert r.json()["max_score"] == 8 + 6 + 10
    stored = db.execute(
        text("SELECT count(*) FROM check_content WHERE item_id = :id"), {"id": item["id"]}
    ).scalar()
    assert stored == 3


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"contents": [{"content": "x", "max_score": 0}]}, 422, "太小"),
        ({"contents": []}, 422, "至少要有一条检查内容"),
        ({"contents": [{"id": 2**40, "content": "x", "max_score": 1}]}, 422, "不属于该事项"),
        ({"category_id": 2**40}, 422, "事项类别"),
        ({"code": "bad code!"}, 422, "格式不正确"),
    ],
    ids=["zero-score", "active-without-contents", "foreign-line", "no-category", "bad-code"],
)
def test_a_bad_item_is_refused(client, change, status, message) -> None:
    item = _item(client, _category(client)["id"])
    r = client.put(f"{API}/items/{item['id']}", json=_body(item, **change))
    assert r.status_code == status and message in r.json()["detail"], r.text
    unchanged = client.get(f"{API}/items/{item['id']}").json()
    assert [c["id"] for c in unchanged["contents"]] == [c["id"] for c in item["contents"]]


def test_duplicate_codes_are_conflicts(client) -> None:
    category = _category(client)
    _item(client, category["id"], "FOOD-01")
    second = _item(client, category["id"], "FOOD-02")
    again = client.put(f"{API}/items/{second['id']}", json=_body(second, code="FOOD-01"))
    assert again.status_code == 409 and "FOOD-01" in again.json()["detail"]
    dup = client.post(f"{API}/item-categories", json={"code": "FOOD", "name": "再来"})
    assert dup.status_code == 409


def test_a_line_with_results_cannot_be_removed_the_item_is_deactivated_instead(client, db) -> None:
    category = _category(client)
    item = _item(client, category["id"])
    used = item["contents"][1]
    _result(db, content_id=used["id"], category_id=category["id"])
    detail = client.get(f"{API}/items/{item['id']}").json()
    assert [c["in_use"] for c in detail["contents"]] == [False, True, False]
    body = _body(item)
    body["contents"] = [body["contents"][0], body["contents"][2]]
    r = client.put(f"{API}/items/{item['id']}", json=body)
    assert r.status_code == 409 and "建立从业人员健康档案" in r.json()["detail"]
    assert client.delete(f"{API}/items/{item['id']}").status_code == 409
    # Editing the used line and dropping an unused one is fine.
    body = _body(item)
    body["contents"] = [{**body["contents"][1], "content": "健康档案齐全"}, body["contents"][0]]
    assert client.put(f"{API}/items/{item['id']}", json=body).status_code == 200
    off = client.put(f"{API}/items/{item['id']}", json={**body, "active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    cat = client.delete(f"{API}/item-categories/{category['id']}")
    assert cat.status_code == 409


def test_an_unused_item_and_an_empty_category_can_be_deleted(client, db) -> None:
    category = _category(client)
    item = _item(client, category["id"])
    assert client.delete(f"{API}/items/{item['id']}").status_code == 204
    assert client.get(f"{API}/items/{item['id']}").status_code == 404
    assert client.delete(f"{API}/item-categories/{category['id']}").status_code == 204
    actions = db.execute(
        text("SELECT action FROM audit_log WHERE action LIKE 'inspection.item%' ORDER BY id")
    ).scalars().all()  # fmt: skip
    assert actions[-4:] == [
        "inspection.item_category_create", "inspection.item_create", "inspection.item_delete",
        "inspection.item_category_delete",
    ]  # fmt: skip


def test_the_checklist_has_every_active_item_with_its_total(client, login_as) -> None:
    category = _category(client)
    a = _item(client, category["id"], "FOOD-01", sort_order=2)
    b = _item(
        client, category["id"], "FOOD-02", sort_order=1,
        contents=[{"content": "索证索票", "max_score": 15}],
    )  # fmt: skip
    off = _item(client, category["id"], "FOOD-03")
    client.put(f"{API}/items/{off['id']}", json=_body(off, active=False))
    other = _item(client, _category(client, "FIRE", "消防安全")["id"], "FIRE-01")
    r = client.get(
        f"{API}/item-categories/{category['id']}/checklist", headers=login_as("ys_officer")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [i["id"] for i in body["items"]] == [b["id"], a["id"]]
    assert other["id"] not in {i["id"] for i in body["items"]}
    assert body["total_max_score"] == 15 + 20
    assert [c["seq"] for c in body["items"][1]["contents"]] == [1, 2, 3]
    assert client.get(f"{API}/item-categories/{2**40}/checklist").status_code == 404


def test_items_list_filters_and_pages(client) -> None:
    category = _category(client)
    made = [_item(client, category["id"], f"FOOD-{n:02d}", sort_order=n) for n in (3, 1, 2)]
    first = client.get(f"{API}/items", params={"category_id": category["id"], "limit": 2}).json()
    rest = client.get(
        f"{API}/items",
        params={"category_id": category["id"], "limit": 2, "cursor": first["next_cursor"]},
    ).json()
    assert [i["code"] for i in first["items"] + rest["items"]] == ["FOOD-01", "FOOD-02", "FOOD-03"]
    assert rest["next_cursor"] is None
    found = client.get(f"{API}/items", params={"keyword": "food-02"}).json()["items"]
    assert [i["id"] for i in found] == [made[2]["id"]]
    assert client.get(f"{API}/items", params={"cursor": "x:y"}).status_code == 422


def test_only_district_configurers_change_the_catalogue(client, login_as) -> None:
    category = _category(client)
    town = login_as("ys_admin")
    r = client.post(f"{API}/item-categories", json={"code": "X", "name": "x"}, headers=town)
    assert r.status_code == 403 and "全区统一配置" in r.json()["detail"]
    item = _item(client, category["id"])
    r = client.put(f"{API}/items/{item['id']}", json=_body(item, name="改名"), headers=town)
    assert r.status_code == 403
    viewer = login_as("ys_officer")
    assert client.get(f"{API}/items/{item['id']}", headers=viewer).status_code == 200
    assert client.delete(f"{API}/items/{item['id']}", headers=viewer).status_code == 403
    assert client.get(f"{API}/item-categories", headers=login_as("ys_clerk")).status_code == 403
