"""Use cases of service centres and halls (SYS-4, SYS-7); windows and their staff are
in `geo.centre.windows`.

A centre is bound to a region whose level fits the centre's (a town office to a town, a
village office to a community, the city, county and branch centres to the district).
Halls divide a centre. Everything is read and written through the actor's scope: a
centre outside it does not exist (404). Every change is audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
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


@contextmanager
def _unique(message: str) -> Iterator[None]:
    """A UNIQUE refusal of the database (two people saving at once) as 409."""
    try:
        yield
    except IntegrityError as e:
        if getattr(getattr(e.orig, "diag", None), "sqlstate", None) == "23505":
            raise Conflict(message) from None
        raise


def _flush(session: Session, conflict: str, new: object) -> None:
    """Insert `new` in a savepoint: a refused row leaves the session usable (the rollback
    takes the object out of the session again)."""
    with _unique(conflict), session.begin_nested():
        session.add(new)
        session.flush()


def _change(session: Session, conflict: str, target: object, changes: dict[str, Any]) -> None:
    """Apply `changes` to `target` in a savepoint: if the database refuses them, the
    rollback expires the object back to its stored values."""
    with _unique(conflict), session.begin_nested():
        for name, value in changes.items():
            setattr(target, name, value)
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


def _centre(session: Session, actor: Actor, centre_id: int) -> ServiceCentre:
    centre = session.scalar(
        select(ServiceCentre).where(
            ServiceCentre.id == centre_id, readable(actor, ServiceCentre.region_id)
        )
    )
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
    centre = _centre(session, actor, centre_id)
    before = _centre_fields(centre)
    sent = data.model_fields_set
    level = data.level or CentreLevel(centre.level)
    region_id = data.region_id or centre.region_id
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


def delete_centre(session: Session, *, actor: Actor, centre_id: int) -> None:
    current = get_centre(session, actor=actor, centre_id=centre_id)
    if current.hall_count or current.window_count:
        raise Conflict(
            f"服务中心“{current.name}”下还有 {current.hall_count} 个大厅、"
            f"{current.window_count} 个窗口，请先删除它们"
        )
    centre = _centre(session, actor, centre_id)
    before = _centre_fields(centre)
    session.delete(centre)
    session.flush()
    _audit(
        session, actor, action="centre.delete", object_type="service_centre",
        object_id=centre_id, region_id=before["region_id"], before=before,
        detail=f"删除服务中心“{current.name}”",
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


def _hall(session: Session, actor: Actor, hall_id: int) -> tuple[Hall, ServiceCentre]:
    row = session.execute(
        select(Hall, ServiceCentre)
        .join(ServiceCentre, ServiceCentre.id == Hall.centre_id)
        .where(Hall.id == hall_id, readable(actor, ServiceCentre.region_id))
    ).first()
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
    hall, centre = _hall(session, actor, hall_id)
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
    hall, centre = _hall(session, actor, hall_id)
    used = session.scalar(select(func.count()).where(ServiceWindow.hall_id == hall.id))
    if used:
        raise Conflict(f"大厅“{hall.name}”中还有 {used} 个窗口，请先移走或删除这些窗口")
    before = {"centre_id": centre.id, "name": hall.name}
    session.delete(hall)
    session.flush()
    _audit(
        session, actor, action="hall.delete", object_type="hall", object_id=hall_id,
        region_id=centre.region_id, before=before,
        detail=f"删除“{centre.name}”的大厅“{before['name']}”",
    )  # fmt: skip
