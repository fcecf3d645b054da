"""Use cases of service centres and halls (SYS-4, SYS-7); windows and their staff are
in `geo.centre.windows`.

A centre is bound to a region whose level fits the centre's (a town office to a town, a
village office to a community, the city, county and branch centres to the district).
Halls divide a centre. Everything is read and written through the actor's scope: a
centre outside it does not exist (404). Every change is audited.

Every write locks the row it changes (SELECT … FOR UPDATE, the scope filter in the same
statement) before it reads the "before" of the audit, so two people saving at once are
served one after the other. What the database still refuses — a duplicate name, or a
link to a row someone deleted meanwhile — is a 409, never a 500.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.centre.schemas import (
    CentreCreate,
    CentreRead,
    CentreUpdate,
    HallRead,
    HallWrite,
)
from geo.core.actor import Actor
from geo.core.errors import Conflict, DomainError, NotFound
from geo.core.scope import ensure_readable_region, readable
from geo.org.models import (
    CENTRE_LEVEL_LABELS,
    CentreLevel,
    Hall,
    ServiceCentre,
    ServiceWindow,
)
from geo.org.rules import database_refusals
from geo.region.models import LEVEL_LABELS, Region, RegionLevel

__all__ = [
    "CentreRuleBroken",
    "create_centre",
    "create_hall",
    "delete_centre",
    "delete_hall",
    "list_centres",
    "list_halls",
    "update_centre",
    "update_hall",
]

# The region level each centre level is bound to.
REGION_LEVEL_OF = {
    CentreLevel.CITY: RegionLevel.DISTRICT,
    CentreLevel.COUNTY: RegionLevel.DISTRICT,
    CentreLevel.BRANCH: RegionLevel.DISTRICT,
    CentreLevel.TOWN: RegionLevel.TOWN,
    CentreLevel.VILLAGE: RegionLevel.COMMUNITY,
}


class CentreRuleBroken(DomainError):
    code = "CentreRuleBroken"
    status = 422


GONE = "所选的服务中心、大厅或部门已被他人删除，请刷新后重新选择"


def _flush(session: Session, conflict: str, new: object, *, gone: str = GONE) -> None:
    """Insert `new` in a savepoint: a refused row leaves the session usable (the rollback
    takes the object out of the session again)."""
    with database_refusals(conflict, gone=gone), session.begin_nested():
        session.add(new)
        session.flush()


def _change(
    session: Session, conflict: str, target: object, changes: dict[str, Any], *, gone: str = GONE
) -> None:
    """Apply `changes` to `target` in a savepoint: if the database refuses them, the
    rollback expires the object back to its stored values."""
    with database_refusals(conflict, gone=gone), session.begin_nested():
        for name, value in changes.items():
            setattr(target, name, value)
        session.flush()


def _remove(session: Session, target: object, *, in_use: str) -> None:
    """Delete `target` in a savepoint: a row that something still points to is a 409."""
    with database_refusals(in_use, gone=in_use), session.begin_nested():
        session.delete(target)
        session.flush()


def _audit(
    session: Session, actor: Actor, *, action: str, object_type: str, object_id: int,
    region_id: int, before: Any = None, after: Any = None, detail: str,
) -> None:  # fmt: skip
    path = session.scalar(select(Region.path).where(Region.id == region_id))
    record(
        session,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        region_path=str(path),
        detail=detail,
        **actor.audit_fields(),
    )


# ---- centres ---------------------------------------------------------------------------
def _centre_fields(centre: ServiceCentre) -> dict[str, Any]:
    keys = ("name", "level", "region_id", "address", "phone")
    return {k: getattr(centre, k) for k in keys}


def _centres_query(actor: Actor) -> Select[ServiceCentre, str, Any, Any]:
    halls = select(Hall.centre_id, func.count().label("n")).group_by(Hall.centre_id).subquery()
    windows = (
        select(ServiceWindow.centre_id, func.count().label("n"))
        .group_by(ServiceWindow.centre_id)
        .subquery()
    )
    return (
        select(
            ServiceCentre,
            Region.name.label("region_name"),
            func.coalesce(halls.c.n, 0).label("hall_count"),
            func.coalesce(windows.c.n, 0).label("window_count"),
        )
        .join(Region, Region.id == ServiceCentre.region_id)
        .outerjoin(halls, halls.c.centre_id == ServiceCentre.id)
        .outerjoin(windows, windows.c.centre_id == ServiceCentre.id)
        .where(readable(actor, ServiceCentre.region_id))
    )


def _centre_read(row: Any) -> CentreRead:
    centre: ServiceCentre = row[0]
    return CentreRead(
        **_centre_fields(centre),
        id=centre.id,
        level_label=CENTRE_LEVEL_LABELS[CentreLevel(centre.level)],
        region_name=row.region_name,
        hall_count=row.hall_count,
        window_count=row.window_count,
    )


def list_centres(session: Session, *, actor: Actor) -> list[CentreRead]:
    query = _centres_query(actor).order_by(Region.path, ServiceCentre.name)
    return [_centre_read(row) for row in session.execute(query)]


def get_centre(session: Session, *, actor: Actor, centre_id: int) -> CentreRead:
    row = session.execute(_centres_query(actor).where(ServiceCentre.id == centre_id)).first()
    if row is None:
        raise NotFound(f"未找到服务中心（编号 {centre_id}），或不在您的管辖范围内")
    return _centre_read(row)


def _centre(session: Session, actor: Actor, centre_id: int, *, lock: bool = False) -> ServiceCentre:
    """The centre in the actor's scope; `lock`: row-locked for a change, and re-read."""
    query = select(ServiceCentre).where(
        ServiceCentre.id == centre_id, readable(actor, ServiceCentre.region_id)
    )
    if lock:
        query = query.with_for_update(of=ServiceCentre).execution_options(populate_existing=True)
    centre = session.scalar(query)
    if centre is None:
        raise NotFound(f"未找到服务中心（编号 {centre_id}），或不在您的管辖范围内")
    return centre


def _check_level_fits(session: Session, actor: Actor, level: CentreLevel, region_id: int) -> None:
    ensure_readable_region(session, actor, region_id)
    region = session.get(Region, region_id)
    assert region is not None
    expected = REGION_LEVEL_OF[level]
    if region.level != expected.value:
        raise CentreRuleBroken(
            f"{CENTRE_LEVEL_LABELS[level]}应设在{LEVEL_LABELS[expected]}级区划，"
            f"所选“{region.name}”是{LEVEL_LABELS[RegionLevel(region.level)]}"
        )


def _name_taken(name: str) -> str:
    return f"该区划下已有名为“{name}”的服务中心"


def create_centre(session: Session, *, actor: Actor, data: CentreCreate) -> CentreRead:
    _check_level_fits(session, actor, data.level, data.region_id)
    centre = ServiceCentre(
        name=data.name.strip(),
        level=data.level.value,
        region_id=data.region_id,
        address=data.address,
        phone=data.phone,
    )
    _flush(session, _name_taken(centre.name), new=centre)
    _audit(
        session, actor, action="centre.create", object_type="service_centre",
        object_id=centre.id, region_id=centre.region_id, after=_centre_fields(centre),
        detail=f"新增{CENTRE_LEVEL_LABELS[data.level]}“{centre.name}”",
    )  # fmt: skip
    return get_centre(session, actor=actor, centre_id=centre.id)


def update_centre(
    session: Session, *, actor: Actor, centre_id: int, data: CentreUpdate
) -> CentreRead:
    centre = _centre(session, actor, centre_id, lock=True)
    before = _centre_fields(centre)
    sent = data.model_fields_set
    level = data.level or CentreLevel(centre.level)
    region_id = data.region_id or centre.region_id
    if region_id != centre.region_id:
        _check_empty(session, centre, "调整所属区划")
    if (level.value, region_id) != (centre.level, centre.region_id):
        _check_level_fits(session, actor, level, region_id)
    after = before | {"level": level.value, "region_id": region_id}
    if data.name is not None:
        after["name"] = data.name.strip()
    for optional in ("address", "phone"):
        if optional in sent:
            after[optional] = getattr(data, optional)
    if after != before:
        _change(session, _name_taken(after["name"]), centre, after)
        _audit(
            session, actor, action="centre.update", object_type="service_centre",
            object_id=centre.id, region_id=centre.region_id, before=before, after=after,
            detail=f"修改服务中心“{centre.name}”",
        )  # fmt: skip
    return get_centre(session, actor=actor, centre_id=centre.id)


def _check_empty(session: Session, centre: ServiceCentre, doing: str) -> None:
    """409 while halls or windows hang on the centre: they would be deleted with it, or
    dragged into another region with their department and staff."""
    halls = session.scalar(select(func.count()).where(Hall.centre_id == centre.id))
    windows = session.scalar(select(func.count()).where(ServiceWindow.centre_id == centre.id))
    if halls or windows:
        raise Conflict(
            f"服务中心“{centre.name}”下还有 {halls} 个大厅、{windows} 个窗口，"
            f"不能{doing}：请先删除它们"
        )


def delete_centre(session: Session, *, actor: Actor, centre_id: int) -> None:
    centre = _centre(session, actor, centre_id, lock=True)
    _check_empty(session, centre, "删除")
    before = _centre_fields(centre)
    _remove(session, centre, in_use=f"服务中心“{centre.name}”仍有大厅、窗口或其他数据，不能删除")
    _audit(
        session, actor, action="centre.delete", object_type="service_centre",
        object_id=centre_id, region_id=before["region_id"], before=before,
        detail=f"删除服务中心“{before['name']}”",
    )  # fmt: skip


# ---- halls -----------------------------------------------------------------------------
def _hall_rows(session: Session, *, where: Any) -> list[HallRead]:
    windows = (
        select(ServiceWindow.hall_id, func.count().label("n"))
        .where(ServiceWindow.hall_id.is_not(None))
        .group_by(ServiceWindow.hall_id)
        .subquery()
    )
    query = (
        select(Hall.id, Hall.name, func.coalesce(windows.c.n, 0).label("window_count"))
        .outerjoin(windows, windows.c.hall_id == Hall.id)
        .where(where)
        .order_by(Hall.name)
    )
    return [HallRead(**row._mapping) for row in session.execute(query)]


def list_halls(session: Session, *, actor: Actor, centre_id: int) -> list[HallRead]:
    _centre(session, actor, centre_id)
    return _hall_rows(session, where=Hall.centre_id == centre_id)


def _hall(
    session: Session, actor: Actor, hall_id: int, *, lock: bool = False
) -> tuple[Hall, ServiceCentre]:
    """The hall of a centre in the actor's scope; `lock`: the hall row-locked, re-read."""
    query = (
        select(Hall, ServiceCentre)
        .join(ServiceCentre, ServiceCentre.id == Hall.centre_id)
        .where(Hall.id == hall_id, readable(actor, ServiceCentre.region_id))
    )
    if lock:
        query = query.with_for_update(of=Hall).execution_options(populate_existing=True)
    row = session.execute(query).first()
    if row is None:
        raise NotFound(f"未找到大厅（编号 {hall_id}），或不在您的管辖范围内")
    return row[0], row[1]


def _hall_name_taken(name: str) -> str:
    return f"该中心已有名为“{name}”的大厅"


def create_hall(session: Session, *, actor: Actor, centre_id: int, data: HallWrite) -> HallRead:
    centre = _centre(session, actor, centre_id)
    hall = Hall(centre_id=centre.id, name=data.name.strip())
    _flush(session, _hall_name_taken(hall.name), new=hall)
    _audit(
        session, actor, action="hall.create", object_type="hall", object_id=hall.id,
        region_id=centre.region_id, after={"centre_id": centre.id, "name": hall.name},
        detail=f"在“{centre.name}”新增大厅“{hall.name}”",
    )  # fmt: skip
    return HallRead(id=hall.id, name=hall.name, window_count=0)


def update_hall(session: Session, *, actor: Actor, hall_id: int, data: HallWrite) -> HallRead:
    hall, centre = _hall(session, actor, hall_id, lock=True)
    before, name = hall.name, data.name.strip()
    if name != before:
        _change(session, _hall_name_taken(name), hall, {"name": name})
        _audit(
            session, actor, action="hall.update", object_type="hall", object_id=hall.id,
            region_id=centre.region_id, before={"name": before}, after={"name": name},
            detail=f"“{centre.name}”的大厅“{before}”改名为“{name}”",
        )  # fmt: skip
    return _hall_rows(session, where=Hall.id == hall.id)[0]


def delete_hall(session: Session, *, actor: Actor, hall_id: int) -> None:
    hall, centre = _hall(session, actor, hall_id, lock=True)
    used = session.scalar(select(func.count()).where(ServiceWindow.hall_id == hall.id))
    if used:
        raise Conflict(f"大厅“{hall.name}”中还有 {used} 个窗口，请先移走或删除这些窗口")
    before = {"centre_id": centre.id, "name": hall.name}
    _remove(session, hall, in_use=f"大厅“{hall.name}”中仍有窗口，不能删除")
    _audit(
        session, actor, action="hall.delete", object_type="hall", object_id=hall_id,
        region_id=centre.region_id, before=before,
        detail=f"删除“{centre.name}”的大厅“{before['name']}”",
    )  # fmt: skip
