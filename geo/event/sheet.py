"""One work order as a CSV sheet (GM-8 “导出”): its fields, then its whole history.

UTF-8 with a byte-order mark, so that Excel (the tool at every township desk) opens the
Chinese text as it is; times in Asia/Shanghai. Read like the detail page: 404 outside
the actor's scope."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.spreadsheet import inert
from geo.event.models import EventSource
from geo.event.schemas import EventDetail, TimeState
from geo.event.service import get_event

__all__ = ["work_order_csv"]

SEVERITY = {1: "一般", 2: "较大", 3: "重大"}
URGENCY = {1: "一般", 2: "紧急", 3: "特急"}
SOURCE = {
    EventSource.GRID_MEMBER: "网格员上报",
    EventSource.HOTLINE: "12345 热线",
    EventSource.CAMERA: "视频发现",
    EventSource.PUBLIC: "群众举报",
    EventSource.PATROL: "执法巡查",
}
TIME_STATE = {TimeState.GREEN: "正常", TimeState.YELLOW: "临期", TimeState.RED: "超期"}
HISTORY_HEADER = ("序号", "时间", "环节", "操作人", "处理后状态", "派往", "意见 / 反馈")


def work_order_csv(session: Session, *, actor: Actor, event_id: int) -> tuple[str, str]:
    """(file name, CSV text) of the work order."""
    event = get_event(session, actor=actor, event_id=event_id)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("工单", event.event_no))
    writer.writerows([(name, inert(value)) for name, value in _fields(event)])
    writer.writerow(())
    writer.writerow(("流转记录",))
    writer.writerow(HISTORY_HEADER)
    for n, step in enumerate(event.history, start=1):
        target = step.target_user_name or step.target_department_name or ""
        writer.writerow(
            (n, _at(step.at), step.action_label, inert(step.actor_name),
             step.to_status_label, inert(target), inert(step.opinion or ""))
        )  # fmt: skip
    record(
        session, action="event.export_one", object_type="event", object_id=event.id,
        after={"event_no": event.event_no, "format": "csv"},
        region_path=None if actor.is_district_wide else actor.region_path,
        **actor.audit_fields(),
    )  # fmt: skip
    return f"{event.event_no}.csv", out.getvalue()


def _fields(e: EventDetail) -> list[tuple[str, str]]:
    place = " / ".join(p for p in (e.town_name, e.community_name, e.grid_name) if p)
    holder = e.assignee_user_name or e.assignee_department_name or ""
    return [
        ("标题", e.title),
        ("描述", e.description or ""),
        ("分类", f"{e.category_name}（{e.category_code}）"),
        ("严重程度", SEVERITY.get(e.severity, str(e.severity))),
        ("紧急程度", URGENCY.get(e.urgency, str(e.urgency))),
        ("来源", SOURCE.get(EventSource(e.source), e.source)),
        ("状态", e.status_label),
        ("所属区划", place),
        ("地址", e.address or ""),
        ("经纬度", f"{e.lon:.6f}, {e.lat:.6f}"),
        ("上报人", e.reporter_name or ""),
        ("上报时间", _at(e.reported_at)),
        ("处置期限", _at(e.deadline)),
        ("剩余时间", _remaining(e)),
        ("承办", holder),
        ("办结时间", _at(e.closed_at)),
    ]


def _remaining(e: EventDetail) -> str:
    if e.remaining_hours is None or e.time_state is None:
        return ""
    hours = e.remaining_hours
    text = f"剩余 {hours:g} 工作小时" if hours >= 0 else f"超期 {-hours:g} 工作小时"
    return f"{text}（{TIME_STATE[e.time_state]}）"


def _at(moment: datetime | None) -> str:
    return f"{moment.astimezone(SHANGHAI):%Y-%m-%d %H:%M}" if moment else ""
