"""`make scenario-standard-flow`: the manual's example driven through a real server as the
demo users. What it creates is committed (a closed work order in 杨舍镇), which no other
test counts on."""

from __future__ import annotations

import re

import httpx
import pytest

from data.scenarios import standard_flow
from data.scenarios.standard_flow import main

STEPS = ["report", "claim", "sign", "dispatch", "receive", "feedback", "verify_task", "verify",
         "close"]  # fmt: skip


def _event(live_server: str, headers: dict[str, str], event_no: str) -> dict:
    found = httpx.get(
        f"{live_server}/api/v1/events", params={"status": "closed", "limit": 50}, headers=headers
    ).json()["items"]
    (event,) = [e for e in found if e["event_no"] == event_no]
    return dict(httpx.get(f"{live_server}/api/v1/events/{event['id']}", headers=headers).json())


def test_the_scenario_closes_the_abandoned_vehicle_with_every_step(
    live_server: str, live_headers: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base-url", live_server]) == 0
    printed = capsys.readouterr().out
    event_no = re.search(r"完成：工单 (SJ\d{13}) 当前状态“已结案”", printed)
    assert event_no, printed
    assert "杨舍网格员·周杰：在“" in printed and "派遣给 杨舍城管办·李梅 → 已派遣" in printed
    assert "杨舍网格员·周杰：提交核查结果 → 待结案" in printed

    event = _event(live_server, live_headers, event_no.group(1))
    assert event["status"] == "closed" and event["title"] == "疑似废弃车辆"
    assert event["town_name"] == "杨舍镇" and event["closed_at"]
    history = event["history"]
    assert [h["action"] for h in history] == STEPS
    by_action = {h["action"]: h for h in history}
    assert by_action["sign"]["opinion"] == "请处理"
    assert by_action["dispatch"]["target_user_name"] == "杨舍城管办·李梅"
    assert by_action["verify_task"]["target_user_name"] == by_action["verify"]["actor_name"]
    assert by_action["verify"]["actor_name"] == history[0]["actor_name"] == "杨舍网格员·周杰"


def test_dispatching_to_the_department_works_too(
    live_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base-url", live_server, "--to", "department"]) == 0
    assert "派遣给 杨舍城管办·李梅 所在部门 → 已派遣" in capsys.readouterr().out


def test_a_refused_step_exits_non_zero_with_the_servers_reason(
    live_server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(standard_flow, "CATEGORY", "9999")
    assert main(["--base-url", live_server]) == 1
    err = capsys.readouterr().err
    assert "网格员上报失败（HTTP 422）" in err and "事件分类 9999 不存在" in err


def test_no_server_exits_non_zero_with_a_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--base-url", "http://127.0.0.1:9"]) == 1
    assert "无法连接服务" in capsys.readouterr().err
