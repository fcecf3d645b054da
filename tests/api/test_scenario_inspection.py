"""`make scenario-random-inspection`: a draw of 塘桥镇's medical institutions through a real
server as the demo users, to the published and verified result. What it creates is
committed (a published draw, a task, list moves of 塘桥 objects)."""

from __future__ import annotations

import re

import httpx
import pytest

from data.scenarios import random_inspection
from data.scenarios.random_inspection import main


def test_the_scenario_draws_inspects_moves_lists_and_publishes(
    live_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base-url", live_server]) == 0
    printed = capsys.readouterr().out
    number = re.search(r"完成：抽取 (CQ\d{4}-\d{4}) 已公示并通过验证", printed)
    assert number, printed
    assert "塘桥中队长·杨帆：抽取 CQ" in printed and "黑名单：候选" in printed
    # 塘桥's rules move an object down after one failure; black-listed ones pass.
    assert re.search(
        r"不合格（消防设施器材·第1项）；红黑库：(白名单 → 黑名单|红名单 → 白名单)", printed
    )
    assert "合格；红黑库：仍在黑名单" in printed
    assert "结果一致" in printed

    public = httpx.get(f"{live_server}/public/inspection/draws/{number.group(1)}").json()
    assert public["task_name"].endswith("塘桥镇医疗机构消防安全双随机抽查")
    assert all(len(p["team"]) == 2 and p["leader_name"] in p["team"] for p in public["picks"])
    assert httpx.get(f"{live_server}/public/inspection/draws/{number.group(1)}/verify").json()[
        "verified"
    ]


def test_a_refused_step_exits_non_zero_with_the_reason(
    live_server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(random_inspection, "ITEM_CATEGORY", "不存在的检查类别")
    assert main(["--base-url", live_server]) == 1
    assert "演示数据中没有“不存在的检查类别”" in capsys.readouterr().err
