"""Use cases of the enforcement-officer register (执法人员, DR-3, GIS-6).

An officer is a user of the actor's scope (one entry per user) with a type from the code
list, a certificate number, an active flag and an enforcement area — the polygon a draw
matches objects against. The officer's region (data scope) is their user's region; the
department and squad shown are the user's. Conflicts (回避) record that an officer is
related to an object, so a draw never sends them there. Every change is audited.
"""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Row
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.core.geometry import checked_point
from geo.core.srid import STORAGE_SRID
from geo.inspection import officer_repository as repo
from geo.inspection.models import EnforcementOfficer, OfficerConflict, OfficerType
from geo.inspection.officer_areas import OfficerRegion, resolve_area
from geo.inspection.officer_schemas import (
    AreaPreview,
    AreaPreviewIn,
    AreaRegionRead,
    ConflictCreate,
    ConflictRead,
    EnterpriseOption,
    OfficerCandidate,
    OfficerCreate,
    OfficerDetail,
    OfficerPage,
    OfficerRead,
    OfficerUpdate,
    OfficerWrite,
)
from geo.inspection.register_rules import (
    CONFIGURE,
    MAX_PAGE,
    VIEW,
    RegisterRuleError,
    after_id,
)
from geo.org.rules import flush_unique

__all__ = [
    "add_conflict",
    "conflict_options",
    "create_officer",
    "delete_officer",
    "get_officer",
    "list_conflicts",
    "list_officers",
    "officer_candidates",
    "preview_area",
    "remove_conflict",
    "update_officer",
]

_GONE = "所选的人员、类型或企业已被删除，请刷新后重新选择"


# ---- reading -------------------------------------------------------------------------------
def _not_found(officer_id: int) -> NotFound:
    return NotFound(f"未找到执法人员（编号 {officer_id}），或不在您的管辖范围内")


def _read(row: Row[Any]) -> OfficerRead:
    return OfficerRead(**{k: row._mapping[k] for k in OfficerRead.model_fields})


def _covers(session: Session, lon: float | None, lat: float | None) -> tuple[float, float] | None:
    """The (lon, lat) of the "covers point" filter, validated like any incoming position."""
    if lon is None and lat is None:
        return None
    if lon is None or lat is None:
        raise RegisterRuleError("按位置筛选时经度和纬度须同时填写")
    checked_point(session, lon, lat, error=RegisterRuleError, prefix="筛选位置有误")
    return lon, lat


def list_officers(
    session: Session,
    *,
    actor: Actor,
    keyword: str | None = None,
    officer_type: str | None = None,
    department_id: int | None = None,
    active: bool | None = None,
    lon: float | None = None,
    lat: float | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> OfficerPage:
    """Officers of the actor's scope, by id; with `lon`/`lat`, only those whose area
    covers that point (who could be sent to that address)."""
    actor.require(VIEW)
    if not 1 <= limit <= MAX_PAGE:
        raise RegisterRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
    rows = repo.officer_rows(
        session, actor=actor, keyword=(keyword or "").strip() or None,
        officer_type=officer_type or None, department_id=department_id, active=active,
        covers=_covers(session, lon, lat), after_id=after_id(cursor), limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    return OfficerPage(
        items=[_read(r) for r in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )


def get_officer(session: Session, *, actor: Actor, officer_id: int) -> OfficerDetail:
    actor.require(VIEW)
    row = repo.officer_row(session, actor=actor, officer_id=officer_id)
    if row is None:
        raise _not_found(officer_id)
    regions = repo.area_regions(session, row.area_region_ids) if row.area_region_ids else []
    return OfficerDetail(
        **_read(row).model_dump(),
        area=row.area,
        area_regions=[AreaRegionRead(**r._mapping) for r in regions],
        conflicts=_conflicts(session, officer_id),
    )


def _conflicts(session: Session, officer_id: int) -> list[ConflictRead]:
    return [ConflictRead(**r._mapping) for r in repo.conflict_rows(session, officer_id=officer_id)]


def officer_candidates(
    session: Session, *, actor: Actor, q: str | None = None, limit: int = 20
) -> list[OfficerCandidate]:
    """Active users of the actor's scope the form may pick (registered ones say so)."""
    actor.require(CONFIGURE)
    if not 1 <= limit <= 50:
        raise RegisterRuleError("每次最多查找 50 人")
    rows = repo.candidate_rows(session, actor=actor, q=(q or "").strip(), limit=limit)
    return [OfficerCandidate(**r._mapping) for r in rows]


# ---- writing -------------------------------------------------------------------------------
def _user_region(
    session: Session, actor: Actor, user_id: int
) -> tuple[Row[Any], OfficerRegion] | None:
    """The user (of the actor's scope) and their region, which the officer's area must lie in."""
    user = repo.user_facts(session, actor=actor, user_id=user_id)
    if user is None:
        return None
    return user, OfficerRegion(user.region_id, user.region_name, user.path)


def _officer_region(session: Session, actor: Actor, user_id: int) -> tuple[Row[Any], OfficerRegion]:
    found = _user_region(session, actor, user_id)
    if found is None:
        raise NotFound(f"未找到用户（编号 {user_id}），或不在您的管辖范围内")
    return found


def _check_type(session: Session, code: str) -> None:
    if session.get(OfficerType, code) is None:
        raise RegisterRuleError(f"执法人员类型“{code}”不存在，请先在类型代码中新增")


def _snapshot(officer: EnforcementOfficer, drawn: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "user_id": officer.user_id,
        "officer_type": officer.officer_type,
        "certificate_no": officer.certificate_no,
        "active": officer.active,
        "region_id": officer.region_id,
        "area_region_ids": officer.area_region_ids,
        "drawn_area": drawn,
    }


def _apply(
    officer: EnforcementOfficer, data: OfficerWrite, area: BaseGeometry, ids: list[int] | None
) -> None:
    officer.officer_type = data.officer_type
    officer.certificate_no = data.certificate_no
    officer.active = data.active
    officer.area = from_shape(area, srid=STORAGE_SRID)
    officer.area_region_ids = ids


def create_officer(session: Session, *, actor: Actor, data: OfficerCreate) -> OfficerDetail:
    """Register a user as an officer (audited 'inspection.officer_create'); 409 when the
    user already is one."""
    actor.require(CONFIGURE)
    user, region = _officer_region(session, actor, data.user_id)
    if not user.is_active:
        raise RegisterRuleError(f"{user.display_name} 的账号已停用，不能登记为执法人员")
    if repo.officer_of_user(session, user.id) is not None:
        raise Conflict(f"{user.display_name} 已登记为执法人员，请在列表中修改其登记信息")
    _check_type(session, data.officer_type)
    area, ids = resolve_area(
        session, actor=actor, region=region, drawn=data.area, region_ids=data.area_region_ids
    )
    officer = EnforcementOfficer(user_id=user.id, region_id=region.id)
    _apply(officer, data, area, ids)
    flush_unique(session, officer, f"{user.display_name} 已登记为执法人员", gone=_GONE)
    record(
        session, action="inspection.officer_create", object_type="enforcement_officer",
        object_id=officer.id, after=_snapshot(officer, data.area), region_path=region.path,
        detail=f"登记执法人员“{user.display_name}”", **actor.audit_fields(),
    )  # fmt: skip
    return get_officer(session, actor=actor, officer_id=officer.id)


def _locked(session: Session, actor: Actor, officer_id: int) -> EnforcementOfficer:
    officer = repo.lock_officer(session, actor=actor, officer_id=officer_id)
    if officer is None:
        raise _not_found(officer_id)
    return officer


def update_officer(
    session: Session, *, actor: Actor, officer_id: int, data: OfficerUpdate
) -> OfficerDetail:
    """Replace type, certificate, active flag and area (audited 'inspection.officer_update').
    The officer's region follows their user's current region."""
    actor.require(CONFIGURE)
    officer = _locked(session, actor, officer_id)
    before = _snapshot(officer, None)
    found = _user_region(session, actor, officer.user_id)
    if found is None:
        raise RegisterRuleError("该执法人员的账号已调出您的管辖范围，请由其所在区划的管理员修改")
    user, region = found
    _check_type(session, data.officer_type)
    area, ids = resolve_area(
        session, actor=actor, region=region, drawn=data.area, region_ids=data.area_region_ids
    )
    officer.region_id = region.id
    _apply(officer, data, area, ids)
    flush_unique(session, officer, "执法人员登记信息冲突，请刷新后重试", gone=_GONE)
    record(
        session, action="inspection.officer_update", object_type="enforcement_officer",
        object_id=officer.id, before=before, after=_snapshot(officer, data.area),
        region_path=region.path, detail=f"修改执法人员“{user.display_name}”",
        **actor.audit_fields(),
    )  # fmt: skip
    return get_officer(session, actor=actor, officer_id=officer.id)


def delete_officer(session: Session, *, actor: Actor, officer_id: int) -> None:
    """Remove an officer from the register (past draws keep their user ids); audited."""
    actor.require(CONFIGURE)
    officer = _locked(session, actor, officer_id)
    before = _snapshot(officer, None)
    path = repo.region_path(session, officer.region_id) if officer.region_id else None
    session.delete(officer)
    session.flush()
    record(
        session, action="inspection.officer_delete", object_type="enforcement_officer",
        object_id=officer_id, before=before, region_path=path, **actor.audit_fields(),
    )  # fmt: skip


def preview_area(session: Session, *, actor: Actor, data: AreaPreviewIn) -> AreaPreview:
    """The union of picked regions, as it would be stored (for the form's map)."""
    actor.require(CONFIGURE)
    if data.user_id is not None:
        _, region = _officer_region(session, actor, data.user_id)
    else:
        region = OfficerRegion(actor.region_id, "您的辖区", actor.region_path)
    ids = sorted(set(data.area_region_ids))
    area, _ = resolve_area(session, actor=actor, region=region, drawn=None, region_ids=ids)
    return AreaPreview(geometry=area.__geo_interface__, area_m2=repo.area_m2(session, area))


# ---- conflicts (回避) ------------------------------------------------------------------------
def list_conflicts(session: Session, *, actor: Actor, officer_id: int) -> list[ConflictRead]:
    actor.require(VIEW)
    if repo.officer_row(session, actor=actor, officer_id=officer_id) is None:
        raise _not_found(officer_id)
    return _conflicts(session, officer_id)


def add_conflict(
    session: Session, *, actor: Actor, officer_id: int, data: ConflictCreate
) -> list[ConflictRead]:
    """Record that the officer is related to an object of the actor's scope (audited
    'inspection.officer_conflict_add'); 409 when already recorded."""
    actor.require(CONFIGURE)
    officer = _locked(session, actor, officer_id)
    enterprise = repo.enterprise_ref(session, actor=actor, enterprise_id=data.enterprise_id)
    if enterprise is None:
        raise NotFound(f"未找到企业（编号 {data.enterprise_id}），或不在您的管辖范围内")
    duplicate = f"已登记该执法人员与“{enterprise.name}”的回避关系"
    if repo.conflict(session, officer_id=officer.id, enterprise_id=enterprise.id) is not None:
        raise Conflict(duplicate)
    row = OfficerConflict(
        officer_id=officer.id, enterprise_id=enterprise.id, reason=data.reason.strip(),
        recorded_by=actor.user_id,
    )  # fmt: skip
    flush_unique(session, row, duplicate, gone=_GONE)
    record(
        session, action="inspection.officer_conflict_add", object_type="enforcement_officer",
        object_id=officer.id, after={"enterprise_id": enterprise.id, "reason": row.reason},
        region_path=_path(session, officer), detail=f"登记回避：{enterprise.name}",
        **actor.audit_fields(),
    )  # fmt: skip
    return _conflicts(session, officer.id)


def remove_conflict(session: Session, *, actor: Actor, officer_id: int, enterprise_id: int) -> None:
    actor.require(CONFIGURE)
    officer = _locked(session, actor, officer_id)
    existing = repo.conflict(session, officer_id=officer.id, enterprise_id=enterprise_id)
    if existing is None:
        raise NotFound(f"该执法人员没有与企业（编号 {enterprise_id}）的回避关系")
    before = {"enterprise_id": enterprise_id, "reason": existing.reason}
    repo.delete_conflict(session, officer_id=officer.id, enterprise_id=enterprise_id)
    session.expunge(existing)
    record(
        session, action="inspection.officer_conflict_remove", object_type="enforcement_officer",
        object_id=officer.id, before=before, region_path=_path(session, officer),
        **actor.audit_fields(),
    )  # fmt: skip


def conflict_options(
    session: Session, *, actor: Actor, officer_id: int, q: str | None = None, limit: int = 20
) -> list[EnterpriseOption]:
    """Enterprises of the actor's scope to pick for a conflict, by name, address or code."""
    actor.require(CONFIGURE)
    if repo.officer_row(session, actor=actor, officer_id=officer_id) is None:
        raise _not_found(officer_id)
    if not 1 <= limit <= 50:
        raise RegisterRuleError("每次最多查找 50 家企业")
    rows = repo.enterprise_options(session, actor=actor, q=(q or "").strip(), limit=limit)
    return [EnterpriseOption(**r._mapping) for r in rows]


def _path(session: Session, officer: EnforcementOfficer) -> str | None:
    return repo.region_path(session, officer.region_id) if officer.region_id else None
