"""Supervision (督办) and extension (延期) over HTTP as the demo users use them: the centre
supervises, the handler replies; the handler asks for more days, the sub-centre and then
the centre approve and the work order's deadline moves; refusals answer 403/404/409/422."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.event import service
from geo.event.schemas import EventCreate
from geo.event.workflow import Status
from tests.conftest import scalar
from tests.geo.event.event_flow import fields, grid_point, performer, shortest_paths

API = "/api/v1"
Login = Callable[[str], dict[str, str]]


@pytest.fixture
def handling(db: Session, actor_of: Callable[[str], Actor]) -> Callable[[], int]:
    """`handling()`: a new work order of 杨舍镇 being handled by ys_handler."""

    def make() -> int:
        lon, lat = grid_point(db)
        data = EventCreate(title="疑似废弃车辆", category_code="0101", lon=lon, lat=lat)
        event_id = service.report_event(db, actor=actor_of("ys_grid"), data=data).id
        for t in shortest_paths()[Status.HANDLING]:
            service.transition(
                db, actor=actor_of(performer(t)), event_id=event_id, action=t.action,
                **fields(db, t),
            )  # fmt: skip
        return event_id

    return make


def test_supervision_round_trip(
    client: TestClient, login_as: Login, handling: Callable[[], int]
) -> None:
    event_id = handling()
    centre, handler = login_as("center"), login_as("ys_handler")
    body = {"message": "请今日内反馈进展", "reply_unit": "hours", "reply_amount": 3}
    r = client.post(f"{API}/events/{event_id}/supervisions", json=body, headers=centre)
    assert r.status_code == 201, r.text
    sent = r.json()
    assert sent["event_id"] == event_id and sent["reply"] is None
    assert 0 < sent["remaining_hours"] <= 3

    inbox = client.get(f"{API}/supervisions", params={"box": "received"}, headers=handler)
    assert inbox.status_code == 200 and sent["id"] in [s["id"] for s in inbox.json()]
    outbox = client.get(f"{API}/supervisions", params={"box": "sent"}, headers=centre).json()
    assert outbox[0]["id"] == sent["id"]

    reply = {"reply": "已联系车主，明日拖离"}
    r = client.post(f"{API}/supervisions/{sent['id']}/reply", json=reply, headers=handler)
    assert r.status_code == 200 and r.json()["reply"] == reply["reply"]
    again = client.post(f"{API}/supervisions/{sent['id']}/reply", json=reply, headers=handler)
    assert again.status_code == 409 and "不能重复回复" in again.json()["detail"]


def test_supervision_refusals(
    client: TestClient, login_as: Login, handling: Callable[[], int]
) -> None:
    event_id = handling()
    body = {"message": "督办", "reply_amount": 2}
    centre = login_as("center")

    def status(url: str, json: object, headers: dict[str, str]) -> int:
        return client.post(url, json=json, headers=headers).status_code

    url = f"{API}/events/{event_id}/supervisions"
    assert status(url, body, login_as("ys_dispatcher")) == 403
    assert status(url, {**body, "reply_amount": 0}, centre) == 422
    assert status(f"{API}/events/{2**61}/supervisions", body, centre) == 404
    sent = client.post(url, json=body, headers=centre).json()
    reply = f"{API}/supervisions/{sent['id']}/reply"
    assert status(reply, {"reply": "x"}, login_as("tq_handler")) == 404
    assert status(reply, {"reply": "x"}, login_as("ys_grid")) == 403
    bad_box = client.get(f"{API}/supervisions", params={"box": "x"}, headers=centre)
    assert bad_box.status_code == 400  # invalid query parameters


def test_extension_through_both_levels(
    client: TestClient, login_as: Login, handling: Callable[[], int], db: Session
) -> None:
    event_id = handling()
    before = client.get(f"{API}/events/{event_id}", headers=login_as("center")).json()["deadline"]
    handler, town, centre = login_as("ys_handler"), login_as("ys_dispatcher"), login_as("center")
    r = client.post(
        f"{API}/events/{event_id}/extensions", json={"days": 3, "reason": "等待鉴定结果"},
        headers=handler,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    ext = r.json()
    assert ext["status"] == "requested"
    dup = client.post(f"{API}/events/{event_id}/extensions", json={"days": 1, "reason": "再申请"},
                      headers=handler)  # fmt: skip
    assert dup.status_code == 409

    review = f"{API}/extensions/{ext['id']}/review"

    def review_as(headers: dict[str, str], approve: bool = True, opinion: str = "同意") -> int:
        body = {"approve": approve, "opinion": opinion}
        return client.post(review, json=body, headers=headers).status_code

    pending = client.get(f"{API}/extensions", params={"pending": "true"}, headers=town).json()
    assert ext["id"] in [e["id"] for e in pending]
    assert review_as(centre) == 403  # the first level is the town's
    assert review_as(handler) == 403  # no event.review_extension
    assert review_as(login_as("tq_dispatcher")) == 404  # another town
    first = client.post(review, json={"approve": True, "opinion": "同意上报"}, headers=town)
    assert first.status_code == 200 and first.json()["status"] == "first_approved"
    assert review_as(town) == 403  # the second level is the centre's

    final = client.post(review, json={"approve": True, "opinion": "同意延期"}, headers=centre)
    assert final.status_code == 200, final.text
    assert final.json()["status"] == "approved"
    detail = client.get(f"{API}/events/{event_id}", headers=centre).json()
    assert detail["deadline"] == final.json()["new_deadline"] != before
    assert detail["history"][-1]["action_label"] == "延期"
    assert review_as(centre, approve=False, opinion="不同意") == 409  # already decided
    assert scalar(db, "SELECT count(*) FROM audit_log WHERE object_type = 'event_extension' "
                      "AND object_id = :id", id=str(ext["id"])) == 3  # fmt: skip
