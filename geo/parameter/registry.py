"""Every system parameter the code knows, declared here with its type, Chinese label,
default and bounds. The table only stores overrides; a key not declared here cannot be
stored, and a value is checked against its declaration before it is."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from geo.core.errors import DomainError

__all__ = ["PARAMETERS", "ParameterError", "ParameterSpec", "get_spec"]


class ParameterError(DomainError):
    code = "ParameterError"
    status = 422


_TYPE_NAMES: dict[type, str] = {int: "整数", float: "数值", bool: "是/否", str: "文本"}


@dataclass(frozen=True)
class ParameterSpec:
    key: str  # module.name, e.g. event.duplicate_distance_m
    type: type  # int, float, bool or str
    label: str  # what the admin screen shows
    default: Any
    minimum: int | float | None = None
    maximum: int | float | None = None
    unit: str = ""
    basis: str = ""  # legal or business basis of the default and bounds

    def __post_init__(self) -> None:
        if self.type not in _TYPE_NAMES:
            raise TypeError(f"参数 {self.key} 的类型 {self.type!r} 不受支持")
        self.validate(self.default)  # a declaration whose default is invalid is a bug

    @property
    def type_name(self) -> str:
        return _TYPE_NAMES[self.type]

    def validate(self, value: Any) -> Any:
        """The value if it fits the declaration, else ParameterError with the reason."""
        name = f"{self.label}（{self.key}）"
        if not self._has_type(value):
            raise ParameterError(f"{name}应为{self.type_name}，收到 {value!r}")
        if self.type in (int, float):
            unit = self.unit
            if self.minimum is not None and value < self.minimum:
                raise ParameterError(f"{name}不能小于 {self.minimum}{unit}，收到 {value}{unit}")
            if self.maximum is not None and value > self.maximum:
                basis = f"（依据：{self.basis}）" if self.basis else ""
                raise ParameterError(
                    f"{name}不能大于 {self.maximum}{unit}，收到 {value}{unit}{basis}"
                )
        return value

    def _has_type(self, value: Any) -> bool:
        if isinstance(value, bool):  # bool is an int in Python, never in a form
            return self.type is bool
        if self.type is int:
            return isinstance(value, int)
        if self.type is float:
            return isinstance(value, int | float) and math.isfinite(value)
        return isinstance(value, self.type)


_SPECS = (
    ParameterSpec(
        "auth.max_failed_logins", int, "连续登录失败锁定次数", 5,
        minimum=3, maximum=20, unit="次",
    ),
    ParameterSpec(
        "auth.max_failed_logins_per_address", int, "同一地址登录失败限制次数（锁定时长内）", 30,
        minimum=5, maximum=1000, unit="次",
    ),
    ParameterSpec(
        "auth.lock_minutes", int, "登录锁定时长（分钟）", 15,
        minimum=1, maximum=1440, unit="分钟",
    ),
    ParameterSpec(
        "auth.idle_timeout_minutes", int, "网页登录空闲超时（分钟）", 30,
        minimum=5, maximum=480, unit="分钟",
    ),
    ParameterSpec(
        "event.duplicate_distance_m", int, "疑似重复事件距离（米）", 50,
        minimum=1, maximum=1000, unit="米",
    ),
    ParameterSpec(
        "event.duplicate_window_hours", int, "疑似重复事件时间窗（小时）", 24,
        minimum=1, maximum=720, unit="小时",
    ),
    ParameterSpec(
        "event.export_max_rows", int, "通用查询单次导出上限（条）", 200000,
        minimum=1000, maximum=1000000, unit="条",
    ),
    ParameterSpec(
        "grid.snap_tolerance_m", float, "网格绘制吸附容差（米）", 2.0,
        minimum=0, maximum=10, unit="米",
    ),
    ParameterSpec(
        "attendance.tolerance_m", int, "考勤定位容差（米）", 30,
        minimum=5, maximum=500, unit="米",
    ),
    ParameterSpec(
        "attendance.accuracy_cap_m", int, "考勤定位精度最多计入（米）", 50,
        minimum=0, maximum=500, unit="米",
    ),
    ParameterSpec(
        "attendance.max_accuracy_m", int, "考勤定位精度下限（米，超过不计入）", 200,
        minimum=10, maximum=5000, unit="米",
    ),
    ParameterSpec(
        "patrol.arrival_radius_m", int, "巡检登记到场半径（米，距企业更远不算完成）", 200,
        minimum=20, maximum=2000, unit="米",
    ),
    ParameterSpec(
        "case.simple_procedure_max_fine_citizen", int, "简易程序罚款上限·公民（元）", 200,
        minimum=0, maximum=200, unit="元",
        basis="《行政处罚法》（2021年修订）第五十一条：对公民处以二百元以下罚款的，可以当场作出行政处罚决定",
    ),
    ParameterSpec(
        "case.simple_procedure_max_fine_organisation", int,
        "简易程序罚款上限·法人或其他组织（元）", 3000,
        minimum=0, maximum=3000, unit="元",
        basis="《行政处罚法》（2021年修订）第五十一条：对法人或者其他组织处以三千元以下罚款的，可以当场作出行政处罚决定",
    ),
    ParameterSpec(
        "inspection.list_factor.red", float, "按数量抽取时红名单对象的抽取权重系数", 0.5,
        minimum=0.01, maximum=100, basis="红名单：信用良好，适当降低被抽中的概率",
    ),
    ParameterSpec(
        "inspection.list_factor.white", float, "按数量抽取时白名单对象的抽取权重系数", 1.0,
        minimum=0.01, maximum=100,
    ),
    ParameterSpec(
        "inspection.list_factor.black", float, "按数量抽取时黑名单对象的抽取权重系数", 2.0,
        minimum=0.01, maximum=100, basis="黑名单：多次检查不合格，适当提高被抽中的概率",
    ),
    ParameterSpec(
        "approval.extension_max_working_days", int, "审批延期最长工作日", 10,
        minimum=0, maximum=10, unit="个工作日",
        basis="《行政许可法》第四十二条：经本行政机关负责人批准，可以延长十日",
    ),
    ParameterSpec(
        "inspection.pass_ratio", float, "抽查合格线（得分占满分的比例）", 0.6,
        minimum=0, maximum=1,
    ),
    ParameterSpec(
        "inspection.promote_after", int, "红黑库升库次数（连续合格）", 3,
        minimum=1, maximum=20, unit="次",
    ),
    ParameterSpec(
        "inspection.demote_after", int, "红黑库降库次数（连续不合格）", 2,
        minimum=1, maximum=20, unit="次",
    ),
    ParameterSpec(
        "inspection.pass_weight_step", float, "同库上升率（每次合格降低的抽取权重）", 0.1,
        minimum=0, maximum=5,
    ),
    ParameterSpec(
        "inspection.fail_weight_step", float, "同库下降率（每次不合格增加的抽取权重）", 0.2,
        minimum=0, maximum=5,
    ),
)  # fmt: skip

PARAMETERS: dict[str, ParameterSpec] = {spec.key: spec for spec in _SPECS}


def get_spec(key: str) -> ParameterSpec:
    try:
        return PARAMETERS[key]
    except KeyError:
        raise ParameterError(f"未知的系统参数 {key!r}") from None
