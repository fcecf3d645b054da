"""A random inspection ("double random, one public") through the HTTP API as the demo users
of 塘桥镇: the squad leader draws the town's medical institutions for a fire-safety check
(per-list sampling rates, teams of two officers matched to the objects by their areas),
names a different team leader for the first object, submits the result as a task and
publishes it. Each team leader confirms the assignment, saves part of the check list,
then submits it; the objects' red / white / black lists move as 塘桥镇's rules say (one
failed inspection moves an object down). Last, the published result as anyone sees it,
and its verification.

    python -m data.scenarios.random_inspection [--base-url http://127.0.0.1:8000]

Exits 1 with the server's reason when a step is refused or the server cannot be reached.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from typing import Any

import httpx

from data.scenarios.client import DEFAULT_BASE_URL, Api, DemoUser, Out, ScenarioFailed

DRAWS = "/api/v1/inspection/draws"
INSPECTION = "/api/v1/inspection"
PUBLIC = "/public/inspection/draws"
ITEM_CATEGORY = "消防安全检查"
SUPERVISION_CATEGORY = "医疗机构"
# Regulators' per-class rates: every black-listed object, half of the white, a third of the red.
RATIOS = {"red": 0.34, "white": 0.5, "black": 1.0}
SQUAD_LEADER = "tq_squad"
OFFICERS = ("tq_squad", "tq_officer", "tq_zf01", "tq_zf02")


def run(base_url: str = DEFAULT_BASE_URL, *, out: Out = print) -> dict[str, Any]:
    """Drive the inspection; return the published draw as the public sees it."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        return _inspection(Api(client), out=out)


def _inspection(api: Api, *, out: Out) -> dict[str, Any]:
    officers = {u.id: u for u in (api.sign_in(name) for name in OFFICERS)}
    squad = next(u for u in officers.values() if u.username == SQUAD_LEADER)
    draw = _draw(api, squad, out)
    first = next(p for p in draw["picks"] if p["team"])
    leader = first["team"][1]
    api.call("更换组长", "PATCH", f"{DRAWS}/{draw['id']}/picks/{first['enterprise_id']}", squad,
             {"leader_id": leader["user_id"]})  # fmt: skip
    out(f"3. {squad.display_name}：将“{first['name']}”的组长改为 {leader['name']}")
    today = date.today()
    name = f"{today.year}年塘桥镇医疗机构消防安全双随机抽查"
    task = api.call("提交抽取结果", "POST", f"{DRAWS}/{draw['id']}/submit", squad,
                      {"name": name, "start_date": today.isoformat(),
                       "end_date": (today + timedelta(days=14)).isoformat()})  # fmt: skip
    span = f"{task['start_date']} 至 {task['end_date']}"
    out(f"4. {squad.display_name}：提交结果，生成检查任务“{task['name']}”"
        f"（{span}，{task['assignment_count']} 个检查对象）")  # fmt: skip
    api.call("公示抽取结果", "POST", f"{DRAWS}/{draw['id']}/publish", squad)
    out(f"5. {squad.display_name}：公示抽取结果 {draw['number']}")

    rows = api.call("读取检查任务", "GET", f"{INSPECTION}/tasks/{task['id']}", squad)
    out("6. 各检查组确认、填写、保存并提交检查结果：")
    for row in rows["assignments"]:
        _inspect(api, officers[row["leader_id"]], row["id"], out)
    return _published(api, draw["number"], out)


def _draw(api: Api, squad: DemoUser, out: Out) -> dict[str, Any]:
    options = api.call("读取抽取条件", "GET", f"{DRAWS}/options", squad)
    body = {
        "item_category_id": _named(options["item_categories"], ITEM_CATEGORY),
        "supervision_category_ids": [
            _named(options["supervision_categories"], SUPERVISION_CATEGORY)
        ],
        "region_id": options["default_region_id"],
        "ratios": RATIOS,
        "team_size": 2,
    }
    draw = api.call("抽取", "POST", DRAWS, squad, body)
    out(f"1. {squad.display_name}：抽取 {draw['number']}（{'；'.join(draw['conditions_text'])}）")
    out(f"   随机种子 {draw['seed']}（{draw['seed_source_label']}），算法 {draw['algorithm']}")
    for row in draw["lists"]:
        out(f"   {row['label']}：候选 {row['candidates']} 个，抽中 {row['picks']} 个")
    out(f"2. 抽中 {draw['pick_count']} 个对象，按执法区域匹配检查组：")
    for p in draw["picks"]:
        team = "、".join(m["name"] for m in p["team"]) or f"未匹配（{p['unmatched_reason']}）"
        out(f"   {p['rank']:>2}. {p['name']}［{p['risk_list_label']}］ 检查组：{team}")
    return dict(draw)


def _inspect(api: Api, leader: DemoUser, assignment_id: int, out: Out) -> None:
    path = f"{INSPECTION}/assignments/{assignment_id}"
    form = api.call("打开检查任务", "GET", path, leader)
    confirmed = api.call(f"{leader.display_name}确认接收", "POST", f"{path}/confirm", leader,
                         {"expected_status": form["status"]})  # fmt: skip
    results = _results(form)
    api.call("保存检查结果", "PUT", f"{path}/results", leader,
             {"expected_status": confirmed["status"], "results": results[:1],
              "note": "已检查第一项，继续检查"})  # fmt: skip
    outcome = api.call("提交检查结果", "POST", f"{path}/submit", leader,
                       {"expected_status": "confirmed", "results": results,
                        "note": _note(form)})  # fmt: skip
    change = outcome["list_change"]
    verdict = (
        "合格" if outcome["passed"] else "不合格（" + "；".join(outcome["critical_failed"]) + "）"
    )
    moved = (f"{_label(change['from_list'])} → {_label(change['to_list'])}" if change["moved"]
             else f"仍在{_label(change['to_list'])}，抽取权重 {change['from_weight']:g} → "
                  f"{change['to_weight']:g}")  # fmt: skip
    out(f"   {form['object']['name']}：{leader.display_name} 提交，得分 {outcome['score']}/"
        f"{outcome['max_score']}，{verdict}；红黑库：{moved}")  # fmt: skip


def _results(form: dict[str, Any]) -> list[dict[str, Any]]:
    """Black-listed objects have put things right; the others' fire exits are blocked."""
    fails = form["object"]["risk_list"] != "black"
    lines = [line for item in form["check_list"] for line in item["lines"]]
    failing = next((ln["content_id"] for ln in lines if ln["critical"]), None) if fails else None
    return [
        {"content_id": ln["content_id"], "passed": ln["content_id"] != failing,
         "score": 0 if ln["content_id"] == failing else ln["max_score"],
         "remark": "疏散通道堆放杂物" if ln["content_id"] == failing else None}
        for ln in lines
    ]  # fmt: skip


def _note(form: dict[str, Any]) -> str:
    if form["object"]["risk_list"] == "black":
        return "上次检查发现的问题已全部整改"
    return "疏散通道堆放杂物，已责令立即清理并限期整改"


def _published(api: Api, number: str, out: Out) -> dict[str, Any]:
    public = api.call("读取公示结果", "GET", f"{PUBLIC}/{number}")
    verify = api.call("验证抽取结果", "GET", f"{PUBLIC}/{number}/verify")
    out(f"\n公示：{public['item_category_name']} · {public['region_name']} · {public['number']}"
        f"（{public['published_at'][:19].replace('T', ' ')} 公示）")  # fmt: skip
    out(f"  抽取条件：{'；'.join(public['conditions_text'])}")
    out(f"  随机种子：{public['seed']}（{public['seed_source_label']}）")
    for p in public["picks"]:
        out(f"  {p['rank']:>2}. {p['name']}（{p['uscc']}，{p['risk_list_label']}）"
            f" 检查人员：{'、'.join(p['team'])}，组长 {p['leader_name']}")  # fmt: skip
    same = "一致" if verify["verified"] else "不一致：" + "；".join(verify["differences"])
    out(f"  验证：候选 {verify['candidate_count']} 个，"
        f"重新计算抽中 {verify['recomputed_picks']} 个，结果{same}")  # fmt: skip
    if not verify["verified"]:
        raise ScenarioFailed("公示结果与重新计算的结果不一致")
    return dict(public)


def _named(options: list[dict[str, Any]], name: str) -> int:
    for option in options:
        if option["name"] == name:
            return int(option["id"])
    raise ScenarioFailed(f"演示数据中没有“{name}”：请先运行 make seed")


def _label(risk_list: str) -> str:
    return {"red": "红名单", "white": "白名单", "black": "黑名单"}[risk_list]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="双随机抽查范例：经 HTTP 接口走完抽取到名录调整")
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL, help="服务地址")
    args = parser.parse_args(argv)
    print(f"双随机抽查范例：塘桥镇医疗机构消防安全检查（{args.base_url}）")
    try:
        public = run(args.base_url.rstrip("/"))
    except ScenarioFailed as exc:
        print(f"流程中断：{exc}", file=sys.stderr)
        return 1
    print(f"\n完成：抽取 {public['number']} 已公示并通过验证")
    return 0


if __name__ == "__main__":
    sys.exit(main())
