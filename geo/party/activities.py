"""Use cases of the party activities (党建活动): held by an organisation of the actor's
scope at a position (活动阵地) — a point inside the organisation's region, or the point of
the party site it was held at. The activity's region is the organisation's. Audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import NotFound
from geo.core.models import stored_point
from geo.core.paging import BAD_CURSOR
from geo.org.rules import flush_unique
from geo.party import repository as repo
from geo.party.models import PartyActivity, PartyOrganisation
from geo.party.rules import MANAGE, MAX_PAGE, VIEW, PartyRuleError, check_point
from geo.party.schemas import ActivityPage, ActivityRead, ActivityWrite

__all__ = [
    "create_activity",
    "delete_activity",
    "get_activity",
    "list_activities",
    "update_activity",
]

ZONE = ZoneInfo("Asia/Shanghai")
_GONE = "所选的党组织或阵地已被删除，请刷新后重新选择"


def _not_found(activity_id: int) -> NotFound:
    return NotFound(f"未找到党建活动（编号 {activity_id}），或不在您的管辖范围内")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZONE)


def list_activities(
    session: Session, *, actor: Actor, organisation_id: int | None = None,
    date_from: date | None = None, date_to: date | None = None, cursor: str | None = None,
    limit: int = 50,
) -> ActivityPage:  # fmt: skip
    """Activities of the scope, newest first; `date_from`…`date_to` are days (inclusive)."""
    actor.require(VIEW)
    if not 1 <= limit <= MAX_PAGE:
        raise PartyRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
    if date_from and date_to and date_from > date_to:
        raise PartyRuleError("开始日期不能晚于结束日期")
    rows = repo.activity_rows(
        session, actor=actor, organisation_id=organisation_id,
        held_from=_day_start(date_from) if date_from else None,
        held_before=_day_start(date_to + timedelta(days=1)) if date_to else None,
        before=_position(cursor), limit=limit + 1,
    )  # fmt: skip
    page = rows[:limit]
    last = page[-1] if page else None
    return ActivityPage(
        items=[ActivityRead(**r._mapping) for r in page],
        next_cursor=f"{last.held_at.timestamp():.6f}_{last.id}"
        if last and len(rows) > limit
        else None,
    )


def _position(cursor: str | None) -> tuple[datetime, int] | None:
    """Where a page continues: the previous page's last (held_at, id), as the cursor says."""
    if not cursor:
        return None
    stamp, _, ident = cursor.partition("_")
    try:
        at = datetime.fromtimestamp(float(stamp), tz=UTC)
        if not (ident.isascii() and ident.isdigit()) or len(ident) > 18:
            raise ValueError(ident)
        return at, int(ident)
    except (ValueError, OverflowError, OSError):
        raise PartyRuleError(BAD_CURSOR) from None


def get_activity(session: Session, *, actor: Actor, activity_id: int) -> ActivityRead:
    actor.require(VIEW)
    rows = repo.activity_rows(session, actor=actor, activity_id=activity_id)
    if not rows:
        raise _not_found(activity_id)
    return ActivityRead(**rows[0]._mapping)


def _organisation(session: Session, actor: Actor, organisation_id: int) -> PartyOrganisation:
    org = repo.lock_organisation(session, actor=actor, organisation_id=organisation_id)
    if org is None:
        raise NotFound(f"未找到党组织（编号 {organisation_id}），或不在您的管辖范围内")
    return org


def _point(
    session: Session, actor: Actor, data: ActivityWrite, org: PartyOrganisation
) -> tuple[float, float]:
    """The activity's position: its own point, else its site's; inside the organisation's
    region, so a town leader sees it on the town's map."""
    if (data.lon is None) != (data.lat is None):
        raise PartyRuleError("活动位置须同时给出经度和纬度")
    site = None
    if data.site_id is not None:
        site = repo.site_in_scope(session, actor=actor, site_id=data.site_id)
        if site is None:
            raise NotFound(f"未找到党建阵地（编号 {data.site_id}），或不在您的管辖范围内")
    if data.lon is not None and data.lat is not None:
        lon, lat = data.lon, data.lat
    elif site is not None:
        lon, lat = site.lon, site.lat
    else:
        raise PartyRuleError("请在地图上选取活动位置，或选择活动所在的党建阵地")
    check_point(session, lon, lat, what="活动位置")
    if org.region_id is not None and not repo.covers(
        session, region_id=org.region_id, lon=lon, lat=lat
    ):
        raise PartyRuleError(
            f"活动位置（经度 {lon}，纬度 {lat}）不在“{org.name}”所属区域内，请核对位置"
        )
    return lon, lat


def _state(a: PartyActivity, lon: float, lat: float) -> dict[str, Any]:
    keys = ("title", "kind", "organisation_id", "site_id", "participants", "summary", "region_id")
    return {
        **{k: getattr(a, k) for k in keys},
        "held_at": a.held_at.isoformat(),
        "lon": lon,
        "lat": lat,
    }


def _save(
    session: Session, actor: Actor, activity: PartyActivity, data: ActivityWrite
) -> tuple[float, float]:
    org = _organisation(session, actor, data.organisation_id)
    lon, lat = _point(session, actor, data, org)
    activity.title = data.title.strip()
    activity.kind = data.kind.value
    activity.organisation_id = org.id
    activity.region_id = org.region_id
    activity.held_at = data.held_at
    activity.site_id = data.site_id
    activity.participants = data.participants
    activity.summary = (data.summary or "").strip() or None
    activity.geom = stored_point(lon, lat)
    flush_unique(session, activity, "活动重复", gone=_GONE)
    return lon, lat


def create_activity(session: Session, *, actor: Actor, data: ActivityWrite) -> ActivityRead:
    actor.require(MANAGE)
    activity = PartyActivity()
    lon, lat = _save(session, actor, activity, data)
    record(
        session, action="party.activity_create", object_type="party_activity",
        object_id=activity.id, after=_state(activity, lon, lat),
        region_path=repo.region_path(session, activity.region_id),
        detail=f"登记党建活动“{activity.title}”", **actor.audit_fields(),
    )  # fmt: skip
    return get_activity(session, actor=actor, activity_id=activity.id)


def _locked(session: Session, actor: Actor, activity_id: int) -> tuple[PartyActivity, ActivityRead]:
    activity = repo.lock_activity(session, actor=actor, activity_id=activity_id)
    if activity is None:
        raise _not_found(activity_id)
    return activity, get_activity(session, actor=actor, activity_id=activity_id)


def update_activity(
    session: Session, *, actor: Actor, activity_id: int, data: ActivityWrite
) -> ActivityRead:
    actor.require(MANAGE)
    activity, old = _locked(session, actor, activity_id)
    before = _state(activity, old.lon, old.lat)
    lon, lat = _save(session, actor, activity, data)
    after = _state(activity, lon, lat)
    if after != before:
        record(
            session, action="party.activity_update", object_type="party_activity",
            object_id=activity.id, before=before, after=after,
            region_path=repo.region_path(session, activity.region_id), **actor.audit_fields(),
        )  # fmt: skip
    return get_activity(session, actor=actor, activity_id=activity.id)


def delete_activity(session: Session, *, actor: Actor, activity_id: int) -> None:
    actor.require(MANAGE)
    activity, old = _locked(session, actor, activity_id)
    before = _state(activity, old.lon, old.lat)
    path = repo.region_path(session, activity.region_id)
    session.delete(activity)
    session.flush()
    record(
        session, action="party.activity_delete", object_type="party_activity",
        object_id=activity_id, before=before, region_path=path,
        detail=f"删除党建活动“{before['title']}”", **actor.audit_fields(),
    )  # fmt: skip
