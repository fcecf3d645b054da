# ruff: noqa: E501  (tables of Chinese labels read better unwrapped)
"""The permission catalogue (SYS-2): every module and action a route can require, and
the built-in roles with the grants they start with.

A permission is `module.action` (e.g. `system.user.manage`, `event.dispatch`). Routes
name one; roles hold many; a user holds several roles. The administrator role is a
superuser (every permission, including ones added later). Admins may change the grants
of any role except the administrator's in the matrix screen; the defaults here are what
a new installation starts with (migration) and what the demo uses.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BUILTIN_ROLES",
    "MODULES",
    "PERMISSIONS",
    "Module",
    "Permission",
    "RoleSpec",
    "is_known",
]


@dataclass(frozen=True)
class Permission:
    code: str  # module.action
    label: str  # what the matrix screen shows

    @property
    def module(self) -> str:
        return self.code.rsplit(".", 1)[0]


@dataclass(frozen=True)
class Module:
    code: str
    label: str
    permissions: tuple[Permission, ...]


def _module(code: str, label: str, *actions: tuple[str, str]) -> Module:
    return Module(code, label, tuple(Permission(f"{code}.{a}", lbl) for a, lbl in actions))


MODULES: tuple[Module, ...] = (
    _module("map", "地图", ("view", "查看地图与图层"), ("export", "导出地图与数据")),
    _module("system.user", "用户管理", ("view", "查看用户"), ("manage", "新增、修改、停用、解锁用户")),
    _module("system.role", "角色权限", ("view", "查看角色与权限矩阵"), ("manage", "维护角色与授权")),
    _module("system.department", "部门与中队", ("view", "查看部门与中队"), ("manage", "维护部门与中队")),
    _module("system.region", "区域配置", ("view", "查看区划"), ("manage", "维护区划")),
    _module("system.centre", "中心、大厅与窗口", ("view", "查看中心、大厅、窗口"), ("manage", "维护中心、大厅、窗口及窗口人员")),
    _module("system.parameter", "系统参数", ("view", "查看系统参数"), ("manage", "设置系统参数")),
    _module("system.calendar", "工作日设置", ("view", "查看工作日历"), ("manage", "初始化与调整工作日")),
    _module("system.audit", "审计日志", ("view", "查询审计日志")),
    _module(
        "event", "网格事件",
        ("report", "上报事件"), ("view", "查看事件"), ("dispatch", "受理与派遣"),
        ("handle", "签收与处置反馈"), ("close", "核查结案"), ("supervise", "督办"),
        ("review_extension", "延期审核"),
    ),
    _module("grid", "网格管理", ("edit", "绘制与调整网格"), ("assign", "配置网格员")),
    _module("attendance", "考勤", ("check_in", "考勤签到"), ("review", "考勤审核")),
    _module(
        "inspection", "双随机抽查",
        ("view", "查看抽查"), ("configure", "维护名录库与检查事项"), ("draw", "抽取与下发任务"),
        ("perform", "执行检查任务"),
    ),
    _module(
        "case", "执法办案",
        ("view", "查看案件"), ("register", "立案登记"), ("handle", "案件办理"),
        ("legal_review", "法制审核"), ("approve", "负责人审批"),
    ),
    _module("task", "任务下派", ("dispatch", "登记与下派任务"), ("perform", "接收与反馈任务"), ("redispatch", "中队转派")),
    _module("patrol", "巡查", ("perform", "巡查签到"), ("plan", "安排巡查")),
    _module(
        "approval", "政务服务",
        ("view", "查看办件"), ("accept", "窗口受理"), ("review", "审核审批"),
        ("configure", "事项配置"),
    ),
    _module("command", "指挥大屏", ("view", "查看指挥大屏")),
    _module("party", "党建引领", ("view", "查看党组织、党员与党建活动"), ("manage", "维护党组织、党员与党建活动")),
)  # fmt: skip

PERMISSIONS: dict[str, Permission] = {p.code: p for m in MODULES for p in m.permissions}


def is_known(code: str) -> bool:
    return code in PERMISSIONS


@dataclass(frozen=True)
class RoleSpec:
    code: str
    name: str
    description: str
    grants: frozenset[str]
    superuser: bool = False


def _grants(*codes: str) -> frozenset[str]:
    """Codes or whole modules ('event' grants every event.* permission)."""
    out: set[str] = set()
    for code in codes:
        matched = {p for p in PERMISSIONS if p == code or p.startswith(code + ".")}
        if not matched:
            raise ValueError(f"未知的权限 {code!r}")
        out |= matched
    return frozenset(out)


_SYSTEM_VIEW = ("system.region.view", "system.department.view", "system.calendar.view")

BUILTIN_ROLES: tuple[RoleSpec, ...] = (
    RoleSpec("administrator", "系统管理员", "全局管理员：拥有全部权限", frozenset(), superuser=True),
    RoleSpec(
        "region_admin", "区域管理员", "维护本区域的用户、部门、区划、中心、窗口与参数",
        # Not the calendar: one calendar serves the whole district (district staff edit it).
        # Grids: the town draws its own and names who answers for each. Inspection
        # registers: the town keeps its supervised objects, officers and experts (the
        # catalogues shared by the district stay with district staff).
        _grants("map", "system", "grid", "inspection.view", "inspection.configure", "party",
                *_SYSTEM_VIEW)
        - {"system.role.manage", "system.calendar.manage"},
    ),
    RoleSpec(
        "district_dispatcher", "区指挥中心调度员", "全区事件受理、派遣、督办、延期二级审核与结案",
        _grants("map", "event", "grid.assign", "attendance.review", "command.view", *_SYSTEM_VIEW),
    ),
    RoleSpec(
        "subcentre_dispatcher", "分中心调度员", "本镇事件索取、派遣、延期一级审核与结案",
        _grants(
            "map", "event.report", "event.view", "event.dispatch", "event.close",
            "event.review_extension", "attendance.review", *_SYSTEM_VIEW,
        ),
    ),
    RoleSpec(
        "department_handler", "部门处置人员", "签收、处置、反馈本部门事件，申请延期",
        _grants("map.view", "event.view", "event.handle", *_SYSTEM_VIEW),
    ),
    RoleSpec(
        "grid_member", "网格员", "上报事件、核查、考勤签到",
        _grants("map.view", "event.report", "event.view", "event.handle", "attendance.check_in",
                *_SYSTEM_VIEW),
    ),
    RoleSpec(
        "officer", "执法队员", "执行检查、巡查与下派任务，立案办案",
        _grants("map.view", "inspection.view", "inspection.perform", "case.view", "case.register",
                "case.handle", "task.perform", "patrol.perform", *_SYSTEM_VIEW),
    ),
    RoleSpec(
        "squad_leader", "中队长", "中队任务转派、巡查安排、案件审核",
        _grants("map", "inspection.view", "inspection.perform", "inspection.draw", "case.view",
                "case.register", "case.handle", "case.approve", "task", "patrol", *_SYSTEM_VIEW),
    ),
    RoleSpec(
        "legal_officer", "法制审核员", "案件法制审核",
        _grants("map.view", "case.view", "case.legal_review", "inspection.view", *_SYSTEM_VIEW),
    ),
    RoleSpec(
        "window_clerk", "窗口受理人员", "窗口受理办件",
        _grants("map.view", "approval.view", "approval.accept", *_SYSTEM_VIEW),
    ),
    RoleSpec(
        "leader", "领导", "查看指挥大屏、统计与各类业务",
        _grants("map", "command.view", "event.view", "event.supervise", "inspection.view",
                "case.view", "case.approve", "approval.view", "approval.review",
                "system.audit.view", "party.view", *_SYSTEM_VIEW),
    ),
)  # fmt: skip
