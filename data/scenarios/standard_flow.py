"""The manual's standard flow (标准流程范例：疑似废弃车辆), through the HTTP API as the demo
users of 杨舍镇: the grid member reports a suspected abandoned vehicle inside their own
grid; the sub-centre dispatcher claims it, signs it with “请处理” and dispatches it to the
城管办 handler (or the department); the handler receives it and feeds back; the closing
desk sends a verification task to the grid member, who verifies on site; the desk closes
it. Each step is printed with its resulting status; then the work order's history.

    python -m data.scenarios.standard_flow [--base-url http://127.0.0.1:8000] [--to department]

Exits 1 with the server's reason when a step is refused or the server cannot be reached.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import httpx
from shapely.geometry import shape

from data.scenarios.client import DEFAULT_BASE_URL, Api, DemoUser, Out, ScenarioFailed

EVENTS = "/api/v1/events"
# 街面秩序 › 疑似废弃车辆: the manual's own example (migration b8e6f4a2d197).
CATEGORY = "0406"


def interior_point(geometry: dict[str, Any]) -> tuple[float, float]:
    """A point surely inside the (multi)polygon: not the centroid, which a concave grid
    may leave outside."""
    point = shape(geometry).representative_point()
    return round(point.x, 7), round(point.y, 7)


def run(base_url: str = DEFAULT_BASE_URL, *, to: str = "user", out: Out = print) -> dict[str, Any]:
    """Drive the flow; return the closed work order with its history."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        return _flow(Api(client), to=to, out=out)


def _flow(api: Api, *, to: str, out: Out) -> dict[str, Any]:
    grid, dispatcher, handler = (
        api.sign_in(name) for name in ("ys_grid", "ys_dispatcher", "ys_handler")
    )
    region = api.call("读取网格边界", "GET", f"/api/v1/admin/regions/{grid.region_id}", grid)
    lon, lat = interior_point(region["geometry"])
    report = {
        "title": "疑似废弃车辆", "category_code": CATEGORY, "lon": lon, "lat": lat,
        "description": "一辆白色轿车长期停放，积满灰尘，车牌缺失", "source": "grid_member",
        "address": f"{region['name']}内（经度 {lon}，纬度 {lat}）",
    }  # fmt: skip
    event = api.call("网格员上报", "POST", EVENTS, grid, report)
    step = _Printer(out, event["event_no"])
    step(grid, f"在“{event['grid_name']}”上报“疑似废弃车辆”", event)

    pool = api.call("查看工单池", "GET", f"{EVENTS}/pool", dispatcher)["count"]
    out(f"    （{dispatcher.display_name} 的工单池中待索取 {pool} 件）")
    target, whom = _dispatch_target(handler, to)
    verifier = {"user_id": grid.id}
    for user, action, label, body in (
        (dispatcher, "claim", "索取工单", {}),
        (dispatcher, "sign", "签收，意见“请处理”", {"opinion": "请处理"}),
        (dispatcher, "dispatch", f"派遣给 {whom}", target),
        (handler, "receive", "接收", {}),
        (handler, "feedback", "处置反馈", {"opinion": "已联系车主，车辆已拖离，现场清理完毕"}),
        (dispatcher, "verify_task", f"发起核查，核查人 {grid.display_name}", verifier),
        (grid, "verify", "提交核查结果", {"opinion": "现场核查，车辆已不在，情况属实"}),
        (dispatcher, "close", "结案", {"opinion": "处置完毕，同意结案"}),
    ):
        body = {**body, "expected_status": event["status"]}
        event = api.call(f"{user.display_name}{label}", "POST",
                         f"{EVENTS}/{event['id']}/{action}", user, body)  # fmt: skip
        step(user, label, event)

    final = api.call("读取工单详情", "GET", f"{EVENTS}/{event['id']}", dispatcher)
    out(f"\n工单 {final['event_no']} 的流转记录：")
    for h in final["history"]:
        opinion = f"  “{h['opinion']}”" if h["opinion"] else ""
        to_whom = h["target_user_name"] or h["target_department_name"]
        target_text = f"  （{to_whom}）" if to_whom else ""
        at = h["at"][:19].replace("T", " ")
        out(f"  {at}  {h['actor_name']}  {h['action_label']} → {h['to_status_label']}"
            f"{target_text}{opinion}")  # fmt: skip
    return dict(final)


def _dispatch_target(handler: DemoUser, to: str) -> tuple[dict[str, Any], str]:
    if to == "department":
        if handler.department_id is None:
            raise ScenarioFailed(f"{handler.display_name} 不属于任何部门，无法派遣给部门")
        return {"department_id": handler.department_id}, f"{handler.display_name} 所在部门"
    return {"user_id": handler.id}, handler.display_name


class _Printer:
    def __init__(self, out: Out, event_no: str) -> None:
        self.out, self.event_no, self.n = out, event_no, 0

    def __call__(self, user: DemoUser, label: str, event: dict[str, Any]) -> None:
        self.n += 1
        self.out(f"{self.n:>2}. {user.display_name}：{label} → {event['status_label']}"
                 f"（工单 {self.event_no}）")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="标准流程范例（疑似废弃车辆）：经 HTTP 接口走完整个流程"
    )
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL, help="服务地址")
    parser.add_argument("--to", choices=("user", "department"), default="user",
                        help="派遣给城管办的处置人员（user）或城管办（department）")  # fmt: skip
    args = parser.parse_args(argv)
    print(f"标准流程范例：疑似废弃车辆（{args.base_url}）")
    try:
        final = run(args.base_url.rstrip("/"), to=args.to)
    except ScenarioFailed as exc:
        print(f"流程中断：{exc}", file=sys.stderr)
        return 1
    print(f"\n完成：工单 {final['event_no']} 当前状态“{final['status_label']}”")
    return 0


if __name__ == "__main__":
    sys.exit(main())
