"""The working-day calendar through the API (SYS-9): month view, generating a year,
holidays and make-up working days."""

from __future__ import annotations

from sqlalchemy import text

YEAR = 2091  # far from the demo's generated years


def test_a_year_not_generated_is_not_found_with_what_to_do(client) -> None:
    response = client.get(f"/api/v1/calendar/{YEAR}/3")
    assert response.status_code == 404
    assert f"{YEAR} 年的工作日历尚未生成" in response.json()["detail"]


def test_generating_a_year_is_idempotent_and_audited(client, db) -> None:
    first = client.post("/api/v1/calendar/years", json={"year": YEAR})
    assert first.status_code == 200 and first.json() == {"year": YEAR, "days_created": 365}
    again = client.post("/api/v1/calendar/years", json={"year": YEAR})
    assert again.json()["days_created"] == 0
    audits = db.execute(
        text("SELECT after FROM audit_log WHERE action = 'calendar.generate' AND object_id = :y"),
        {"y": str(YEAR)},
    ).scalars().all()  # fmt: skip
    assert audits == [{"year": YEAR, "days_created": 365}]  # the no-op is not a change


def test_the_month_view_lists_every_day_with_its_kind(client) -> None:
    client.post("/api/v1/calendar/years", json={"year": YEAR})
    month = client.get(f"/api/v1/calendar/{YEAR}/2").json()
    assert (month["year"], month["month"], len(month["days"])) == (YEAR, 2, 28)
    first = month["days"][0]  # 2091-02-01 is a Thursday
    assert first == {"date": f"{YEAR}-02-01", "is_working": True, "kind": "workday", "name": None}
    saturday = month["days"][2]
    assert (saturday["kind"], saturday["is_working"]) == ("weekend", False)
    assert len(client.get(f"/api/v1/calendar/{YEAR}/12").json()["days"]) == 31


def test_holidays_and_makeup_days_are_set_and_shown(client, db) -> None:
    client.post("/api/v1/calendar/years", json={"year": YEAR})
    holiday = client.put(
        f"/api/v1/calendar/days/{YEAR}-02-01", json={"kind": "holiday", "name": "春节"}
    )
    assert holiday.status_code == 200
    assert holiday.json() == {
        "date": f"{YEAR}-02-01", "is_working": False, "kind": "holiday", "name": "春节",
    }  # fmt: skip
    makeup = client.put(
        f"/api/v1/calendar/days/{YEAR}-02-03", json={"kind": "makeup_workday", "name": "春节调休"}
    )
    assert makeup.status_code == 200 and makeup.json()["is_working"] is True
    days = client.get(f"/api/v1/calendar/{YEAR}/2").json()["days"]
    assert (days[0]["kind"], days[2]["kind"]) == ("holiday", "makeup_workday")
    actor = db.execute(
        text("SELECT actor_name FROM audit_log WHERE action = 'calendar.set_day' "
             "AND object_id = :d"),
        {"d": f"{YEAR}-02-01"},
    ).scalar_one()  # fmt: skip
    assert actor == "系统管理员"


def test_a_day_edit_breaking_the_rules_is_refused(client) -> None:
    client.post("/api/v1/calendar/years", json={"year": YEAR})
    weekday = client.put(f"/api/v1/calendar/days/{YEAR}-02-01", json={"kind": "makeup_workday"})
    assert weekday.status_code == 422 and "不是周末" in weekday.json()["detail"]
    nameless = client.put(f"/api/v1/calendar/days/{YEAR}-02-01", json={"kind": "holiday"})
    assert nameless.status_code == 422 and "必须填写节日名称" in nameless.json()["detail"]
    unknown = client.put(f"/api/v1/calendar/days/{YEAR}-02-01", json={"kind": "party"})
    assert unknown.status_code == 422
    not_generated = client.put("/api/v1/calendar/days/2093-02-02", json={"kind": "workday"})
    assert not_generated.status_code == 409 and "尚未生成" in not_generated.json()["detail"]


def test_a_bad_month_or_year_is_refused(client) -> None:
    assert client.get("/api/v1/calendar/2026/13").status_code == 422
    assert client.post("/api/v1/calendar/years", json={"year": 1800}).status_code == 422


def test_a_town_admin_reads_the_shared_calendar_but_cannot_change_it(
    anon_client, login_as, db
) -> None:
    headers = login_as("ys_admin")
    month = anon_client.get("/api/v1/calendar/2026/10", headers=headers)
    assert month.status_code == 200
    assert month.json()["days"][0]["name"] == "国庆节"  # the demo loads the published holidays
    generate = anon_client.post("/api/v1/calendar/years", json={"year": YEAR}, headers=headers)
    # The built-in 区域管理员 does not hold calendar.manage (one calendar serves the
    # district); the service refuses non-district editors even if a role grants it.
    assert generate.status_code == 403 and "system.calendar.manage" in generate.json()["detail"]
    edit = anon_client.put(
        "/api/v1/calendar/days/2026-10-09", json={"kind": "holiday", "name": "x"}, headers=headers
    )
    assert edit.status_code == 403
    assert db.execute(text("SELECT kind FROM calendar_day WHERE day = '2026-10-09'")).scalar() == (
        "workday"
    )
