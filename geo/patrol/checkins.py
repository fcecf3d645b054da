"""Patrol check-ins (巡检登记, LE-8): what an officer patrols today, recording a check-in
with its position, the photos of it, and reading check-ins as lists and as a map layer.

A check-in's position is validated at the door (lon/lat order and range, inside the
governed district); its region is the deepest region holding the point. Naming an
enterprise records the distance to it in metres on the spheroid; a special assignment is
done when its officer checks in at its enterprise — within the arrival radius
(parameter patrol.arrival_radius_m) widened by the fix's accuracy, at most by as much
again, so a vague fix cannot complete it from anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, exists, select
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.errors import Forbidden, NotFound
from geo.core.geometry import checked_point
from geo.core.scope import path_within
from geo.file.models import StoredFile
from geo.file.service import store_file
from geo.file.sniff import check_photo
from geo.file.store import FileStore
from geo.parameter.service import get_parameter
from geo.patrol import repository as repo
from geo.patrol.errors import PatrolRuleError
from geo.patrol.models import PatrolCheckIn, PatrolPhoto, PlanKind
from geo.patrol.schemas import (
    MAX_PAGE,
    CheckInCreate,
    CheckInDetail,
    CheckInPage,
    CheckInRead,
    CheckInSaved,
    MyPatrols,
    NearbyEnterprise,
    PhotoRead,
    TodayPatrol,
)

__all__ = [
    "MAP_LIMIT",
    "MAX_MAP_DAYS",
    "Upload",
    "attach_photos",
    "check_in",
    "check_in_map",
    "get_check_in",
    "list_check_ins",
    "my_patrols",
    "nearby_enterprises",
    "read_photo",
]

PERFORM = "patrol.perform"
MAX_MAP_DAYS = 92
MAP_LIMIT = 5000
MAX_PHOTOS = 9
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def _today(now: datetime | None = None) -> datetime:
    return (now or datetime.now(SHANGHAI)).astimezone(SHANGHAI)


# ---- today's patrols ---------------------------------------------------------------------
def my_patrols(session: Session, *, actor: Actor, day: date | None = None) -> MyPatrols:
    """The officer's daily plans recurring today (Asia/Shanghai) and open special
    assignments, each with the check-ins made under it today."""
    actor.require(PERFORM)
    day = day or _today().date()
    rows = [
        TodayPatrol(**r._mapping) for r in repo.today_rows(session, user_id=actor.user_id, day=day)
    ]
    return MyPatrols(
        day=day,
        weekday=day.isoweekday(),
        daily=[r for r in rows if r.kind is PlanKind.DAILY],
        special=[r for r in rows if r.kind is PlanKind.SPECIAL],
    )


# ---- checking in -------------------------------------------------------------------------
def check_in(
    session: Session, *, actor: Actor, data: CheckInCreate, now: datetime | None = None
) -> CheckInSaved:
    actor.require(PERFORM)
    at = _today(now)
    plan = _plan_running(session, actor=actor, plan_id=data.plan_id, day=at.date())
    region = _place(session, actor=actor, lon=data.lon, lat=data.lat)
    assignment = _assignment(session, actor=actor, plan=plan, enterprise_id=data.enterprise_id)
    enterprise = None
    if data.enterprise_id is not None:
        enterprise = repo.enterprise_distance(
            session, actor=actor, enterprise_id=data.enterprise_id, lon=data.lon, lat=data.lat
        )
        if enterprise is None:
            raise NotFound(f"未找到企业（编号 {data.enterprise_id}），或不在您的管辖范围内")
    distance = round(float(enterprise.distance_m), 1) if enterprise is not None else None
    check_in_id = repo.insert_check_in(
        session, lon=data.lon, lat=data.lat, plan_id=plan.id,
        assignment_id=assignment.id if assignment is not None else None,
        officer_id=actor.user_id, enterprise_id=data.enterprise_id, at=at,
        accuracy_m=data.accuracy_m, distance_m=distance, findings=data.findings,
        problem_found=data.problem_found, region_id=region.id,
    )  # fmt: skip
    done, notice = False, None
    if plan.kind == PlanKind.SPECIAL.value and assignment is not None and distance is not None:
        radius = float(get_parameter(session, key="patrol.arrival_radius_m", region_id=region.id))
        allowance = radius + min(data.accuracy_m, radius)
        if distance <= allowance:
            done = repo.complete_assignment(session, assignment_id=assignment.id, at=at)
        else:
            assert enterprise is not None
            notice = (
                f"登记位置距“{enterprise.name}”约 {distance:.0f} 米，"
                f"超过到场范围 {allowance:.0f} 米，本次登记已保存，"
                "但该企业的专项检查尚未完成；请到企业现场后再登记"
            )
    record(
        session, action="patrol.check_in", object_type="patrol_check_in", object_id=check_in_id,
        after={"plan_id": plan.id, "enterprise_id": data.enterprise_id, "lon": data.lon,
               "lat": data.lat, "accuracy_m": data.accuracy_m, "distance_m": distance,
               "problem_found": data.problem_found, "assignment_done": done},
        region_path=region.path, **actor.audit_fields(),
    )  # fmt: skip
    read = get_check_in(session, actor=actor, check_in_id=check_in_id)
    return CheckInSaved(**read.model_dump(exclude={"photos"}), assignment_done=done, notice=notice)


def _plan_running(session: Session, *, actor: Actor, plan_id: int, day: date) -> Row[Any]:
    plan = repo.plan_for_check_in(session, plan_id=plan_id)
    if plan is None or not repo.has_assignment(session, plan_id=plan_id, user_id=actor.user_id):
        raise NotFound(f"未找到您的巡检任务（编号 {plan_id}）")
    if not plan.active:
        raise PatrolRuleError(f"巡检任务“{plan.name}”已停止，不能再登记")
    if not plan.start_date <= day <= plan.end_date:
        raise PatrolRuleError(
            f"巡检任务“{plan.name}”的有效期为 {plan.start_date} 至 {plan.end_date}，今天不能登记"
        )
    if plan.kind == PlanKind.DAILY.value and day.isoweekday() not in plan.weekdays:
        days = "、".join(f"星期{WEEKDAYS[d - 1]}" for d in sorted(plan.weekdays))
        raise PatrolRuleError(f"日常巡检“{plan.name}”的巡检日为{days}，今天不是巡检日")
    return plan


def _assignment(
    session: Session, *, actor: Actor, plan: Row[Any], enterprise_id: int | None
) -> Row[Any] | None:
    """The officer's assignment the check-in counts for: a daily plan's own row; in a
    special plan, the row of the named enterprise (which must be theirs)."""
    if plan.kind == PlanKind.DAILY.value:
        return repo.own_assignment(
            session, plan_id=plan.id, user_id=actor.user_id, enterprise_id=None
        )
    if enterprise_id is None:
        raise PatrolRuleError("专项检查登记须选择所检查的企业")
    assignment = repo.own_assignment(
        session, plan_id=plan.id, user_id=actor.user_id, enterprise_id=enterprise_id
    )
    if assignment is None:
        raise PatrolRuleError("该企业不在分配给您的专项检查名单中")
    return assignment


def nearby_enterprises(
    session: Session, *, actor: Actor, lon: float, lat: float, limit: int
) -> list[NearbyEnterprise]:
    """The enterprises of the actor's scope nearest the phone, to name one in a check-in."""
    actor.require(PERFORM)
    checked_point(session, lon, lat, error=PatrolRuleError, prefix="当前位置无效")
    rows = repo.nearby_enterprises(session, actor=actor, lon=lon, lat=lat, limit=limit)
    return [
        NearbyEnterprise(**{**r._mapping, "distance_m": round(float(r.distance_m), 1)})
        for r in rows
    ]


def _place(session: Session, *, actor: Actor, lon: float, lat: float) -> Row[Any]:
    checked_point(session, lon, lat, error=PatrolRuleError, prefix="登记位置无效")
    region = repo.smallest_region_at(session, lon=lon, lat=lat)
    if region is None:
        raise PatrolRuleError("登记位置不在任何区划内，请核对位置")
    if not (actor.is_district_wide or path_within(region.path, actor.region_path)):
        raise PatrolRuleError(f"登记位置属于“{region.name}”，不在您的管辖范围内")
    return region


# ---- photos ------------------------------------------------------------------------------
def attach_photos(
    session: Session,
    store: FileStore,
    *,
    actor: Actor,
    check_in_id: int,
    uploads: Sequence[Upload],
    max_bytes: int,
) -> list[PhotoRead]:
    """Photos of one's own check-in (JPEG, PNG or WebP)."""
    actor.require(PERFORM)
    row = _visible(session, actor=actor, check_in_id=check_in_id)
    if row.officer_id != actor.user_id:
        raise Forbidden("只能为本人的巡检登记上传照片")
    if not uploads:
        raise PatrolRuleError("请至少选择一张照片")
    if len(uploads) > MAX_PHOTOS:
        raise PatrolRuleError(f"一次最多上传 {MAX_PHOTOS} 张照片")
    checked = [(u, check_photo(u.data, max_bytes=max_bytes, name=u.name)) for u in uploads]
    added = []
    for upload, media_type in checked:
        sha256 = store_file(
            session, store, data=upload.data, media_type=media_type, user_id=actor.user_id
        )
        photo = PatrolPhoto(check_in_id=check_in_id, sha256=sha256, uploaded_by=actor.user_id)
        session.add(photo)
        added.append(photo)
    session.flush()
    path = repo.region_row(session, region_id=row.region_id).path if row.region_id else None  # type: ignore[union-attr]
    record(
        session, action="patrol.photo_upload", object_type="patrol_check_in",
        object_id=check_in_id, after={"photos": [p.sha256 for p in added]}, region_path=path,
        **actor.audit_fields(),
    )  # fmt: skip
    return _photos(session, PatrolPhoto.id.in_([p.id for p in added]))


@dataclass(frozen=True)
class StoredPhoto:
    media_type: str
    data: bytes


def read_photo(session: Session, store: FileStore, *, actor: Actor, photo_id: int) -> StoredPhoto:
    """A photo of a check-in the actor may read."""
    seen = exists().where(PatrolCheckIn.id == PatrolPhoto.check_in_id, repo.check_in_visible(actor))
    row = session.execute(
        select(PatrolPhoto.sha256, StoredFile.media_type)
        .join(StoredFile, StoredFile.sha256 == PatrolPhoto.sha256)
        .where(PatrolPhoto.id == photo_id, seen)
    ).first()
    if row is None:
        raise NotFound(f"未找到照片（编号 {photo_id}），或它不属于您可查看的巡检登记")
    try:
        data = store.read(row.sha256)
    except FileNotFoundError:
        raise NotFound("照片记录存在但文件本身已丢失，请联系系统管理员") from None
    return StoredPhoto(media_type=row.media_type, data=data)


def _photos(session: Session, where: Any) -> list[PhotoRead]:
    return [
        PhotoRead(
            **{k: v for k, v in r._mapping.items() if k != "sha256"},
            url=f"/api/v1/patrol-photos/{r.id}",
        )
        for r in repo.photo_rows(session, where=where)
    ]


# ---- reading -----------------------------------------------------------------------------
def _visible(session: Session, *, actor: Actor, check_in_id: int) -> Row[Any]:
    _require_reader(actor)
    row = repo.check_in_row(session, actor=actor, check_in_id=check_in_id)
    if row is None:
        raise NotFound(f"未找到巡检登记（编号 {check_in_id}），或不在您的管辖范围内")
    return row


def _require_reader(actor: Actor) -> None:
    if not (actor.can(PERFORM) or actor.can("patrol.plan")):
        actor.require(PERFORM)


def get_check_in(session: Session, *, actor: Actor, check_in_id: int) -> CheckInDetail:
    row = _visible(session, actor=actor, check_in_id=check_in_id)
    return CheckInDetail(
        **row._mapping, photos=_photos(session, PatrolPhoto.check_in_id == check_in_id)
    )


def _day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    since = datetime.combine(first, time(0), SHANGHAI) if first else None
    until = datetime.combine(last + timedelta(days=1), time(0), SHANGHAI) if last else None
    return since, until


def list_check_ins(
    session: Session,
    *,
    actor: Actor,
    officer_id: int | None = None,
    plan_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> CheckInPage:
    """Check-ins newest first: a planner's of their scope, an officer's own."""
    _require_reader(actor)
    if not 1 <= limit <= MAX_PAGE:
        raise PatrolRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
    if date_from and date_to and date_to < date_from:
        raise PatrolRuleError("结束日期不能早于开始日期")
    since, until = _day_bounds(date_from, date_to)
    rows = repo.check_in_rows(
        session, actor=actor, officer_id=officer_id, plan_id=plan_id, since=since,
        until=until, after=_after(cursor), limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    last = page[-1] if page else None
    return CheckInPage(
        items=[CheckInRead(**r._mapping) for r in page],
        next_cursor=f"{last.at.isoformat()}_{last.id}" if last and len(rows) > limit else None,
    )


def check_in_map(
    session: Session,
    *,
    actor: Actor,
    date_from: date,
    date_to: date,
    officer_id: int | None = None,
    plan_id: int | None = None,
) -> dict[str, Any]:
    """Check-ins of a bounded date range as a GeoJSON FeatureCollection (RFC 7946 lon/lat),
    newest first, at most MAP_LIMIT points (`truncated` says when more exist)."""
    _require_reader(actor)
    if date_to < date_from:
        raise PatrolRuleError("结束日期不能早于开始日期")
    if (date_to - date_from).days >= MAX_MAP_DAYS:
        raise PatrolRuleError(f"地图一次最多显示 {MAX_MAP_DAYS} 天的巡检登记，请缩小日期范围")
    since, until = _day_bounds(date_from, date_to)
    assert since is not None and until is not None
    rows = repo.check_in_points(
        session, actor=actor, officer_id=officer_id, plan_id=plan_id, since=since,
        until=until, limit=MAP_LIMIT + 1,
    )  # fmt: skip
    features = [
        {
            "type": "Feature",
            "id": r.id,
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": CheckInRead(**r._mapping).model_dump(mode="json", exclude={"lon", "lat"}),
        }
        for r in rows[:MAP_LIMIT]
    ]
    return {"type": "FeatureCollection", "features": features, "truncated": len(rows) > MAP_LIMIT}


def _after(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    at, _, last_id = cursor.rpartition("_")
    try:
        when = datetime.fromisoformat(at)
        if when.tzinfo is None or len(last_id) > 18:
            raise ValueError(cursor)
        return when, int(last_id)
    except ValueError:
        raise PatrolRuleError("翻页游标无效，请从第一页重新查询") from None
