"""The draw API end to end: draw, choose a leader, submit (once), publish, and the public
record with its verification; permissions and region isolation (DR-7, DR-9)."""

from __future__ import annotations

from sqlalchemy import text

from api.routes.event_query import export_session
from tests.geo.inspection.draw_setup import TQ, add_objects, add_officers, make_world

API = "/api/v1/inspection/draws"
PUBLIC = "/public/inspection/draws"


def _world(db, town_code: str = "320582100000", tag: str = "a"):  # noqa: ANN001, ANN202
    world = make_world(db, town_code=town_code, tag=tag)
    add_objects(db, world, n=12, risk_list="white")
    add_objects(db, world, n=4, risk_list="black")
    add_objects(db, world, n=2, risk_list="red")
    add_officers(db, world, n=5)
    return world


def _body(world, **extra) -> dict:  # noqa: ANN001
    return {
        "item_category_id": world.item_category_id,
        "supervision_category_ids": [world.category_id],
        "region_id": world.town_id,
        **extra,
    }


def _submit(client, draw_id: int, headers=None):  # noqa: ANN001, ANN202
    body = {"name": "2026年第四季度餐饮抽查", "start_date": "2026-12-01", "end_date": "2026-12-20"}
    return client.post(f"{API}/{draw_id}/submit", json=body, headers=headers)


def test_draw_choose_leader_submit_once_publish_and_verify(client, anon_client, db) -> None:  # noqa: ANN001
    world = _world(db)
    r = client.post(
        API, json=_body(world, count=6, seed_source="public", seed_note="体彩 07 19 26")
    )
    assert r.status_code == 201, r.text
    draw = r.json()
    assert draw["status"] == "drawn" and draw["pick_count"] == 6 and draw["candidate_count"] == 18
    assert draw["number"].startswith("CQ") and len(draw["seed"]) == 64
    assert "监管类别：测试监管类别a（含下级）" in draw["conditions_text"]
    pick = draw["picks"][0]
    assert {"name", "uscc", "address", "lon", "lat", "team", "leader_id"} <= set(pick)
    second = pick["team"][1]["user_id"]

    outsider = next(u for u in world.officers if u not in {m["user_id"] for m in pick["team"]})
    path = f"{API}/{draw['id']}/picks/{pick['enterprise_id']}"
    assert client.patch(path, json={"leader_id": outsider}).status_code == 422
    r = client.patch(path, json={"leader_id": second})
    assert r.status_code == 200 and r.json()["picks"][0]["leader_id"] == second

    assert client.post(f"{API}/{draw['id']}/publish").status_code == 409  # not final yet
    r = _submit(client, draw["id"])
    assert r.status_code == 201, r.text
    task = r.json()
    assert task["assignment_count"] == 6
    rows = db.execute(
        text("""SELECT a.enterprise_id, a.status, a.leader_id,
                       array_agg(o.user_id ORDER BY o.user_id) AS team,
                       bool_or(o.is_leader AND o.user_id = a.leader_id) AS led
                FROM inspection_assignment a JOIN assignment_officer o ON o.assignment_id = a.id
                WHERE a.task_id = :t GROUP BY a.id"""),
        {"t": task["id"]},
    ).all()
    assert len(rows) == 6 and all(r.status == "to_confirm" and r.led for r in rows)
    first = next(r for r in rows if r.enterprise_id == pick["enterprise_id"])
    assert first.leader_id == second
    assert _submit(client, draw["id"]).status_code == 409  # the second submit loses
    assert client.patch(path, json={"leader_id": pick["team"][0]["user_id"]}).status_code == 409
    assert client.post(f"{API}/{draw['id']}/discard").status_code == 409

    # Not published yet: the public sees nothing.
    assert anon_client.get(f"{PUBLIC}/{draw['number']}").status_code == 404
    assert draw["number"] not in [d["number"] for d in anon_client.get(PUBLIC).json()["items"]]
    assert client.post(f"{API}/{draw['id']}/publish").status_code == 200
    assert client.post(f"{API}/{draw['id']}/publish").status_code == 409

    listed = anon_client.get(PUBLIC).json()["items"]
    assert listed[0]["number"] == draw["number"]
    public = anon_client.get(f"{PUBLIC}/{draw['number']}")
    assert public.status_code == 200
    body = public.json()
    assert body["seed"] == draw["seed"] and body["seed_note"] == "体彩 07 19 26"
    assert (
        body["task_name"] == "2026年第四季度餐饮抽查" and "SHA-256" in body["algorithm_description"]
    )
    assert [p["uscc"] for p in body["picks"]] == [p["uscc"] for p in draw["picks"]]
    assert "13900000000" not in public.text and "user_id" not in public.text

    anon_client.app.dependency_overrides[export_session] = lambda: db
    csv = anon_client.get(f"{PUBLIC}/{draw['number']}/candidates.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 19 and lines[0].startswith("对象编号")

    verified = anon_client.get(f"{PUBLIC}/{draw['number']}/verify").json()
    assert verified["verified"] is True and verified["recomputed_picks"] == 6, verified

    # Tamper: swap the rank-1 object for a candidate that was not picked.
    db.execute(
        text("""UPDATE draw_pick SET enterprise_id = (
                    SELECT c.enterprise_id FROM draw_candidate c WHERE c.draw_id = :d
                    AND c.enterprise_id NOT IN (SELECT enterprise_id FROM draw_pick
                                                WHERE draw_id = :d) LIMIT 1)
                WHERE draw_id = :d AND rank = 1"""),
        {"d": draw["id"]},
    )
    verified = anon_client.get(f"{PUBLIC}/{draw['number']}/verify").json()
    assert verified["verified"] is False and verified["picks_match"] is False
    assert verified["differences"]


def test_a_tampered_team_fails_verification(client, anon_client, db) -> None:  # noqa: ANN001
    world = _world(db)
    draw = client.post(API, json=_body(world, ratios={"white": 0.25, "black": 0.5})).json()
    assert draw["pick_count"] == 5  # ⌈3⌉ + ⌈2⌉
    assert client.post(f"{API}/{draw['id']}/discard").status_code == 200
    assert client.post(f"{API}/{draw['id']}/publish").status_code == 200
    assert anon_client.get(f"{PUBLIC}/{draw['number']}/verify").json()["verified"] is True
    db.execute(
        text("UPDATE draw_pick SET officer_ids = ARRAY[officer_ids[2], officer_ids[1]] "
             "WHERE draw_id = :d AND rank = 1"),
        {"d": draw["id"]},
    )  # fmt: skip
    result = anon_client.get(f"{PUBLIC}/{draw['number']}/verify").json()
    assert result["picks_match"] is True and result["teams_match"] is False


def test_permissions_and_region_isolation(client, db, login_as) -> None:  # noqa: ANN001
    ys, tq = _world(db), _world(db, town_code=TQ, tag="tq")
    officer, squad, tq_squad = login_as("ys_officer"), login_as("ys_squad"), login_as("tq_squad")
    r = client.post(API, json=_body(ys, count=2), headers=officer)
    assert r.status_code == 403 and "inspection.draw" in r.json()["detail"]
    assert client.get(f"{API}/options", headers=officer).status_code == 403

    ys_draw = client.post(API, json=_body(ys, count=2), headers=squad).json()
    tq_draw = client.post(API, json=_body(tq, count=2), headers=tq_squad).json()
    assert client.post(API, json=_body(tq, count=2), headers=squad).status_code == 404
    assert client.get(f"{API}/{tq_draw['id']}", headers=squad).status_code == 404
    assert client.get(f"{API}/{tq_draw['id']}/candidates", headers=squad).status_code == 404
    assert _submit(client, tq_draw["id"], headers=squad).status_code == 404
    seen = {d["id"] for d in client.get(API, headers=squad).json()["items"]}
    assert ys_draw["id"] in seen and tq_draw["id"] not in seen
    everything = {d["id"] for d in client.get(API).json()["items"]}
    assert {ys_draw["id"], tq_draw["id"]} <= everything
    # An officer may read the draws of their town, not make or change them.
    assert client.get(f"{API}/{ys_draw['id']}", headers=officer).status_code == 200
    assert _submit(client, ys_draw["id"], headers=officer).status_code == 403

    options = client.get(f"{API}/options", headers=squad).json()
    assert set(tq.officers).isdisjoint(o["user_id"] for o in options["officers"])
    assert set(ys.officers) <= {o["user_id"] for o in options["officers"]}
    assert options["default_region_id"] == ys.town_id


def test_candidates_are_paged_by_keyset(client, db) -> None:  # noqa: ANN001
    world = _world(db)
    draw = client.post(API, json=_body(world, count=3)).json()
    seen, cursor = [], None
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/{draw['id']}/candidates", params=params).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 18 == len({c["enterprise_id"] for c in seen})
    assert sum(c["picked"] for c in seen) == 3
    assert client.get(f"{API}/{draw['id']}/candidates", params={"cursor": "x"}).status_code == 422


def test_bad_conditions_answer_422_in_chinese(client, db) -> None:  # noqa: ANN001
    world = _world(db)
    r = client.post(API, json=_body(world, count=2, team_size=1))
    assert r.status_code == 422
    r = client.post(API, json=_body(world))
    assert r.status_code == 422 and "二者选一" in r.json()["detail"]
    r = client.post(API, json=_body(world, count=2, officer_scope={"officer_types": ["nobody"]}))
    assert r.status_code == 422 and "执法人员类型" in r.json()["detail"]
    r = client.post(API, json={**_body(world, count=2), "item_category_id": 10**12})
    assert r.status_code == 422 and "检查事项类别" in r.json()["detail"]
    draw = client.post(API, json=_body(world, count=2)).json()
    r = client.post(
        f"{API}/{draw['id']}/submit",
        json={"name": "x", "start_date": "2026-12-02", "end_date": "2026-12-01"},
    )
    assert r.status_code == 422 and "结束日期" in r.json()["detail"]
