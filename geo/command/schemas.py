"""What the command screen reads: today's figures, the 30-day trend, the top lists."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class TodayFigures(BaseModel):
    day: date = Field(description="统计日（北京时间）")
    reported: int = Field(description="今日上报")
    dispatched: int = Field(description="今日派遣（今日有派遣动作的事件数）")
    closed: int = Field(description="今日结案")
    open: int = Field(description="当前未办结")
    overdue: int = Field(description="当前超期（已过处置期限仍未办结）")
    closure_rate: float | None = Field(
        description="近30日结案率：近30日上报的事件中已结案的比例；无上报时为空"
    )
    avg_handling_hours: float | None = Field(
        description="今日结案事件的平均办理时长（自然小时，上报到结案）；无结案时为空"
    )


class TrendDay(BaseModel):
    day: date
    reported: int
    closed: int


class CountItem(BaseModel):
    key: str = Field(description="类别编码或社区编号")
    name: str
    count: int


class AttendanceToday(BaseModel):
    checked_in: int = Field(description="今日已签到的网格员")
    expected: int = Field(description="范围内在岗网格员总数")


class Summary(BaseModel):
    generated_at: datetime
    today: TodayFigures
    trend: list[TrendDay] = Field(description="近30日每日上报与结案（含今日）")
    top_categories: list[CountItem] = Field(description="未办结事件最多的10个类别")
    top_communities: list[CountItem] = Field(description="未办结事件最多的10个社区")
    attendance: AttendanceToday


class FeatureCollection(BaseModel):
    type: str = "FeatureCollection"
    features: list[dict[str, Any]]


def point_feature(id_: int, lon: float, lat: float, **properties: object) -> dict[str, object]:
    """A GeoJSON point Feature of a map source (coordinates to 7 decimals, about 1 cm)."""
    return {
        "type": "Feature",
        "id": id_,
        "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
        "properties": properties,
    }
