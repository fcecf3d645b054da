"""The catalogue of spatial layers: one declaration per map layer / OGC collection.

OGC API – Features, imports and (later) vector tiles all read this one registry, so a
layer's id, Chinese title, geometry type and public properties are said exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Table

from geo.all_models import (
    Building,
    Camera,
    ConstructionSite,
    Enterprise,
    Event,
    PartySite,
    PatrolRoute,
    Region,
    Street,
)
from geo.event.workflow import STATUS_LABELS
from geo.region.models import RegionLevel


@dataclass(frozen=True)
class LayerProperty:
    name: str  # column name and public property name
    label: str  # Chinese label for cards and tables
    type: str  # JSON Schema type: string, integer, number, boolean
    format: str | None = None  # date-time, date
    queryable: bool = False  # usable as ?name=value filter
    required: bool = False  # an import must provide it
    values: dict[str, str] | None = None  # Chinese names of coded values, for cards and legends


@dataclass(frozen=True)
class Layer:
    id: str
    title: str
    description: str
    model: type
    geometry_type: str  # the stored type: Point, LineString, MultiPolygon
    properties: tuple[LayerProperty, ...]
    region_level: RegionLevel | None = None  # region layers are one level of `region`
    temporal: str | None = None  # the instant the OGC `datetime` filter applies to
    extra_geometries: tuple[str, ...] = field(default=())

    @property
    def table(self) -> Table:
        return self.model.__table__  # type: ignore[attr-defined, no-any-return]

    def scope(self) -> list[ColumnElement[bool]]:
        """Fixed row filters that make this layer (a region layer is one level)."""
        if self.region_level is None:
            return []
        return [self.table.c.level == self.region_level.value]

    def property(self, name: str) -> LayerProperty | None:
        return next((p for p in self.properties if p.name == name), None)


ROAD_CLASSES = {"arterial": "主干路", "secondary": "次干路", "branch": "支路", "lane": "街巷"}
BUILDING_USES = {
    "residential": "住宅",
    "commercial": "商业",
    "industrial": "工业",
    "public": "公共服务",
    "mixed": "商住混合",
}
ENTERPRISE_CATEGORIES = {
    "catering": "餐饮",
    "hazardous_chemicals": "危险化学品",
    "construction": "建筑施工",
    "retail": "商贸零售",
    "manufacturing": "工业制造",
    "logistics": "仓储物流",
    "accommodation": "住宿",
    "entertainment": "文化娱乐",
    "auto_repair": "机动车维修",
    "healthcare": "医疗卫生",
}
RISK_LISTS = {"red": "红名单", "white": "白名单", "black": "黑名单"}
SITE_STATUSES = {"planned": "未开工", "active": "在建", "suspended": "停工", "completed": "已竣工"}
PATROL_KINDS = {"daily": "日常巡查", "special": "专项巡查"}
EVENT_STATUSES = {s.value: label for s, label in STATUS_LABELS.items()}  # geo.event.workflow
EVENT_SOURCES = {
    "grid_member": "网格员上报",
    "hotline": "12345热线",
    "camera": "视频发现",
    "public": "群众举报",
    "patrol": "执法巡查",
}
SEVERITIES = {"1": "一般", "2": "较大", "3": "重大"}
URGENCIES = {"1": "一般", "2": "紧急", "3": "特急"}
CAMERA_KINDS = {"dome": "球机", "bullet": "枪机", "high_point": "高点监控"}
PARTY_SITE_KINDS = {
    "service_centre": "党群服务中心",
    "activity_room": "党员活动室",
    "practice_station": "新时代文明实践站",
    "pioneer_post": "党员先锋岗",
}


# Map colours of coded values: the web map, its legend and the exported HTML maps agree.
EVENT_STATUS_COLOURS = {
    "reported": "#e74c3c",
    "claimed": "#e74c3c",
    "accepted": "#d35400",
    "returned": "#8e44ad",
    "dispatched": "#e67e22",
    "handling": "#f1c40f",
    "to_close": "#3498db",
    "verifying": "#2980b9",
    "rework": "#f39c12",
    "closed": "#95a5a6",
    "cancelled": "#c8ccd0",
}
RISK_COLOURS = {"red": "#e74c3c", "white": "#8395a7", "black": "#222f3e"}
BUILDING_COLOURS = {
    "residential": "#e3c9a8",
    "commercial": "#f5b7b1",
    "industrial": "#c8d6e5",
    "public": "#b8e0d2",
    "mixed": "#f8d6a0",
}


def _p(name: str, label: str, type_: str = "string", **kw: object) -> LayerProperty:
    return LayerProperty(name, label, type_, **kw)  # type: ignore[arg-type]


TIMESTAMPS = (
    _p("created_at", "创建时间", format="date-time"),
    _p("updated_at", "更新时间", format="date-time"),
)
REGION_PROPS = (
    _p("code", "辖区编码", queryable=True, required=True),
    _p("name", "名称", queryable=True, required=True),
    _p("parent_id", "上级区划", "integer", queryable=True),
    *TIMESTAMPS,
)


def _region_layer(id_: str, level: RegionLevel, title: str, description: str) -> Layer:
    return Layer(id_, title, description, Region, "MultiPolygon", REGION_PROPS, region_level=level)


LAYERS: dict[str, Layer] = {
    layer.id: layer
    for layer in (
        _region_layer("towns", RegionLevel.TOWN, "镇（街道）", "镇、街道行政区划面"),
        _region_layer("communities", RegionLevel.COMMUNITY, "社区（村）", "社区、行政村区划面"),
        _region_layer("grids", RegionLevel.GRID, "网格", "网格化管理的单元网格"),
        Layer(
            "streets",
            "道路",
            "道路路段（路口之间）",
            Street,
            "LineString",
            (
                _p("name", "道路名称", queryable=True, required=True),
                _p("road_class", "道路等级", queryable=True, required=True, values=ROAD_CLASSES),
                _p("length_m", "长度（米）", "number"),
                _p("oneway", "单行", "boolean", queryable=True),
                _p("region_id", "所属区划", "integer", queryable=True),
                *TIMESTAMPS,
            ),
        ),
        Layer(
            "buildings",
            "建筑",
            "房屋建筑轮廓",
            Building,
            "MultiPolygon",
            (
                _p("name", "建筑名称", queryable=True, required=True),
                _p("address", "地址", queryable=True),
                _p("floors", "层数", "integer", queryable=True, required=True),
                _p("use", "用途", queryable=True, required=True, values=BUILDING_USES),
                _p("built_year", "建成年份", "integer", queryable=True),
                _p("region_id", "所属网格", "integer", queryable=True),
                *TIMESTAMPS,
            ),
        ),
        Layer(
            "enterprises",
            "企业",
            "市场主体（企业、个体工商户）",
            Enterprise,
            "Point",
            (
                _p("name", "企业名称", queryable=True, required=True),
                _p("uscc", "统一社会信用代码", queryable=True, required=True),
                _p(
                    "category",
                    "行业类别",
                    queryable=True,
                    required=True,
                    values=ENTERPRISE_CATEGORIES,
                ),
                _p("address", "地址", queryable=True),
                _p("legal_representative", "法定代表人", queryable=True),
                _p("contact_phone", "联系电话"),
                _p("risk_list", "信用名单", queryable=True, values=RISK_LISTS),
                _p("region_id", "所属网格", "integer", queryable=True),
                *TIMESTAMPS,
            ),
        ),
        Layer(
            "construction_sites",
            "工地",
            "在建及规划工地范围",
            ConstructionSite,
            "MultiPolygon",
            (
                _p("name", "工地名称", queryable=True, required=True),
                _p("permit_no", "施工许可证号", queryable=True),
                _p("developer", "建设单位", queryable=True),
                _p("contractor", "施工单位", queryable=True),
                _p("status", "状态", queryable=True, required=True, values=SITE_STATUSES),
                _p("start_date", "开工日期", format="date"),
                _p("end_date", "竣工日期", format="date"),
                _p("region_id", "所属网格", "integer", queryable=True),
                *TIMESTAMPS,
            ),
            extra_geometries=("entrance",),
        ),
        Layer(
            "patrol_routes",
            "巡查路线",
            "日常及专项巡查路线",
            PatrolRoute,
            "LineString",
            (
                _p("name", "路线名称", queryable=True, required=True),
                _p("kind", "巡查类型", queryable=True, required=True, values=PATROL_KINDS),
                _p("length_m", "长度（米）", "number"),
                _p("region_id", "所属区划", "integer", queryable=True),
                *TIMESTAMPS,
            ),
        ),
        Layer(
            "events",
            "事件",
            "网格事件（上报点位）",
            Event,
            "Point",
            (
                _p("event_no", "事件编号", queryable=True, required=True),
                _p("title", "标题", queryable=True, required=True),
                _p("category_code", "事件类别", queryable=True, required=True),
                _p("status", "状态", queryable=True, required=True, values=EVENT_STATUSES),
                _p("source", "来源", queryable=True, required=True, values=EVENT_SOURCES),
                _p("severity", "严重程度", "integer", queryable=True, values=SEVERITIES),
                _p("urgency", "紧急程度", "integer", queryable=True, values=URGENCIES),
                _p("address", "地址"),
                _p("reported_at", "上报时间", format="date-time", required=True),
                _p("closed_at", "结案时间", format="date-time"),
                _p("region_id", "所属网格", "integer", queryable=True),
                *TIMESTAMPS,
            ),
            temporal="reported_at",
        ),
        Layer(
            "cameras",
            "视频监控",
            "视频监控点位",
            Camera,
            "Point",
            (
                _p("name", "点位名称", queryable=True, required=True),
                _p("code", "设备编号", queryable=True, required=True),
                _p("kind", "类型", queryable=True, required=True, values=CAMERA_KINDS),
                _p("stream_url", "视频流地址", required=True),
                _p("online", "在线", "boolean", queryable=True),
                _p("region_id", "所属网格", "integer", queryable=True),
                *TIMESTAMPS,
            ),
        ),
        Layer(
            "party_sites",
            "党建阵地",
            "党群服务中心、党员活动室等",
            PartySite,
            "Point",
            (
                _p("name", "阵地名称", queryable=True, required=True),
                _p("organisation", "所属党组织", queryable=True, required=True),
                _p("kind", "阵地类型", queryable=True, required=True, values=PARTY_SITE_KINDS),
                _p("address", "地址"),
                _p("contact_phone", "联系电话"),
                _p("region_id", "所属网格", "integer", queryable=True),
                *TIMESTAMPS,
            ),
        ),
    )
}


def get_layer(layer_id: str) -> Layer | None:
    return LAYERS.get(layer_id)
