"""Use cases of the supervised-object register (监管对象, DR-2): list and read objects,
register one, change its facts, file it under supervision categories.

Objects are region-bound: a reader sees, and a holder of inspection.configure changes,
only the objects of their region subtree (another town's id reads as 404). The point is
validated at the door like every point of the platform (lon/lat order, inside the
governed district) and decides the object's grid; a point outside the actor's own area
is refused (422). The 统一社会信用代码 must carry a valid GB 32100 check character. The
list (红/白/黑) and the draw weight are read-only here: the list rules move them (DR-6).
Licences and responsible persons: `geo.inspection.object_parts`.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import Row
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.calendar.arithmetic import SHANGHAI
from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.core.geometry import checked_point
from geo.core.scope import ensure_readable_region, path_within
from geo.core.srid import STORAGE_SRID
from geo.enterprise.models import Enterprise
from geo.inspection import object_repository as repo
from geo.inspection.models import BusinessLicence, ResponsiblePerson, SupervisionCategory
from geo.inspection.object_rules import contact_phone, new_licence, new_person, normalize_uscc, text
from geo.inspection.object_schemas import (
    MAX_PAGE,
    CategoryRef,
    LicenceRead,
    ObjectCreate,
    ObjectDetail,
    ObjectPage,
    ObjectRead,
    ObjectUpdate,
    PersonRead,
)
from geo.inspection.register_errors import RegisterRuleError
from geo.org.rules import database_refusals
from geo.region.place import grid_at

__all__ = [
    "create_object",
    "get_object",
    "licence_read",
    "list_objects",
    "locked_object",
    "person_read",
    "set_object_categories",
    "update_object",
]

VIEW, CONFIGURE = "inspection.view", "inspection.configure"


# ---- reading ----------------------------------------------------------------------------
def _object_read(row: Row[Any]) -> dict[str, Any]:
    fields = {k: getattr(row, k) for k in ObjectRead.model_fields if k != "supervision_categories"}
    fields["supervision_categories"] = [CategoryRef(**c) for c in row.supervision_categories]
    return fields


def _today() -> date:
    return datetime.now(SHANGHAI).date()


def licence_read(licence: BusinessLicence, *, today: date | None = None) -> LicenceRead:
    expired = licence.valid_to is not None and licence.valid_to < (today or _today())
    return LicenceRead(
        id=licence.id, name=licence.name, number=licence.number, issuer=licence.issuer,
        valid_from=licence.valid_from, valid_to=licence.valid_to, scope=licence.scope,
        expired=expired,
    )  # fmt: skip


def person_read(person: ResponsiblePerson) -> PersonRead:
    return PersonRead(id=person.id, name=person.name, duty=person.duty, mobile=person.mobile)


def _not_found(enterprise_id: int) -> NotFound:
    return NotFound(f"未找到监管对象（编号 {enterprise_id}），或不在您的管辖范围内")


def get_object(session: Session, *, actor: Actor, enterprise_id: int) -> ObjectDetail:
    actor.require(VIEW)
    row = repo.object_row(session, actor=actor, enterprise_id=enterprise_id)
    if row is None:
        raise _not_found(enterprise_id)
    today = _today()
    return ObjectDetail(
        **_object_read(row),
        pass_streak=row.pass_streak,
        fail_streak=row.fail_streak,
        created_at=row.created_at,
        updated_at=row.updated_at,
        licences=[licence_read(b, today=today) for b in repo.licence_rows(session, row.id)],
        persons=[person_read(p) for p in repo.person_rows(session, row.id)],
    )


def _encode_cursor(name: str, enterprise_id: int) -> str:
    raw = json.dumps([name, enterprise_id], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> tuple[str, int] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, enterprise_id = json.loads(raw)
        if isinstance(name, str) and type(enterprise_id) is int and 0 < enterprise_id < 2**62:
            return name, enterprise_id
    except (ValueError, TypeError, binascii.Error):
        pass
    raise RegisterRuleError("翻页游标无效，请从第一页重新查询")


def list_objects(
    session: Session,
    *,
    actor: Actor,
    supervision_category_id: int | None = None,
    q: str | None = None,
    category: str | None = None,
    risk_list: str | None = None,
    region_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> ObjectPage:
    """Objects of the actor's scope by name; `next_cursor` fetches the next page. A
    supervision category includes its descendants; a region (town, community or grid)
    its subtree."""
    actor.require(VIEW)
    if not 1 <= limit <= MAX_PAGE:
        raise RegisterRuleError(f"每页条数应在 1～{MAX_PAGE} 之间")
    if supervision_category_id is not None and (
        session.get(SupervisionCategory, supervision_category_id) is None
    ):
        raise NotFound(f"未找到监管类别（编号 {supervision_category_id}），可能已被删除")
    path = None
    if region_id is not None:
        ensure_readable_region(session, actor, region_id)
        path = repo.region_path(session, region_id)
    filters = repo.ObjectFilters(
        supervision_category_id=supervision_category_id,
        keyword=(q or "").strip() or None,
        category=category,
        risk_list=risk_list,
        region_path=path,
    )
    rows = repo.object_rows(
        session, actor=actor, filters=filters, after=_decode_cursor(cursor), limit=limit + 1
    )
    page = rows[:limit]
    more = len(rows) > limit
    return ObjectPage(
        items=[ObjectRead(**_object_read(r)) for r in page],
        next_cursor=_encode_cursor(page[-1].name, page[-1].id) if more else None,
    )


# ---- checks -----------------------------------------------------------------------------
def _place(session: Session, actor: Actor, *, lon: float, lat: float) -> tuple[Point, Row[Any]]:
    """The validated point and the grid (id, name, path) it lies in, inside the actor's
    area; else 422 saying which rule the point breaks."""
    point = checked_point(session, lon, lat, error=RegisterRuleError, prefix="位置无效")
    grid = grid_at(session, lon=point.x, lat=point.y)
    if grid is None:
        raise RegisterRuleError("位置不在任何网格内，请在地图上把点放到网格范围内")
    if not path_within(grid.path, actor.region_path):
        raise RegisterRuleError(f"位置在“{grid.name}”，不在您的管辖范围内，不能登记或移到该处")
    return point, grid


def _check_uscc_free(session: Session, uscc: str, *, self_id: int | None) -> None:
    if repo.uscc_taken(session, uscc, self_id=self_id):
        raise Conflict(f"统一社会信用代码 {uscc} 已登记为其他监管对象，不能重复登记")


def _category_ids(session: Session, ids: list[int]) -> list[int]:
    """The ids de-duplicated and sorted; 422 naming those that do not exist."""
    unique = sorted(set(ids))
    found = repo.existing_category_ids(session, unique)
    missing = [str(i) for i in unique if i not in found]
    if missing:
        raise RegisterRuleError(
            f"以下监管类别不存在（编号）：{'、'.join(missing)}，请刷新后重新选择"
        )
    return unique


def _snapshot(e: Enterprise, lon: float, lat: float) -> dict[str, Any]:
    return {
        "name": e.name, "uscc": e.uscc, "category": e.category, "address": e.address,
        "legal_representative": e.legal_representative, "contact_phone": e.contact_phone,
        "lon": lon, "lat": lat, "region_id": e.region_id,
    }  # fmt: skip


_DUPLICATE = "该统一社会信用代码刚被其他人登记，不能重复登记"
_GONE = "所选的监管类别或网格刚被删除，请刷新后重新选择"


def _flush(session: Session, obj: object) -> None:
    with database_refusals(_DUPLICATE, gone=_GONE), session.begin_nested():
        session.add(obj)
        session.flush()


def locked_object(
    session: Session, *, actor: Actor, enterprise_id: int
) -> tuple[Enterprise, str | None]:
    """The object (row-locked) if the actor may change it, and its grid's path; else 403
    (no inspection.configure) or 404 (unknown or outside the scope)."""
    actor.require(CONFIGURE)
    enterprise = repo.lock_object(session, actor=actor, enterprise_id=enterprise_id)
    if enterprise is None:
        raise _not_found(enterprise_id)
    return enterprise, repo.region_path(session, enterprise.region_id)


# ---- changes ----------------------------------------------------------------------------
def create_object(session: Session, *, actor: Actor, data: ObjectCreate) -> ObjectDetail:
    """An object with its categories, licences and persons: all checked, then written in
    one transaction, audited once."""
    actor.require(CONFIGURE)
    uscc = normalize_uscc(data.uscc)
    point, grid = _place(session, actor, lon=data.lon, lat=data.lat)
    category_ids = _category_ids(session, data.supervision_category_ids)
    licences = [new_licence(item) for item in data.licences]
    persons = [new_person(item) for item in data.persons]
    _check_uscc_free(session, uscc, self_id=None)
    enterprise = Enterprise(
        name=text(data.name, "名称", required=True),
        uscc=uscc,
        category=data.category.value,
        address=text(data.address, "地址"),
        legal_representative=text(data.legal_representative, "法定代表人"),
        contact_phone=contact_phone(data.contact_phone),
        region_id=grid.id,
        geom=from_shape(point, srid=STORAGE_SRID),
    )
    _flush(session, enterprise)
    with database_refusals(_DUPLICATE, gone=_GONE), session.begin_nested():
        repo.replace_categories(session, enterprise_id=enterprise.id, category_ids=category_ids)
        for licence in licences:
            licence.enterprise_id = enterprise.id
        for person in persons:
            person.enterprise_id = enterprise.id
        session.add_all([*licences, *persons])
        session.flush()
    record(
        session, action="inspection.object_create", object_type="enterprise",
        object_id=enterprise.id,
        after={
            **_snapshot(enterprise, point.x, point.y),
            "supervision_category_ids": category_ids,
            "licences": [{"name": b.name, "number": b.number} for b in licences],
            "persons": [{"name": p.name, "mobile": p.mobile} for p in persons],
        },
        region_path=grid.path, **actor.audit_fields(),
    )  # fmt: skip
    return get_object(session, actor=actor, enterprise_id=enterprise.id)


def update_object(
    session: Session, *, actor: Actor, enterprise_id: int, changes: ObjectUpdate
) -> ObjectDetail:
    """Only the fields sent change; a new point re-locates the object's grid."""
    enterprise, path = locked_object(session, actor=actor, enterprise_id=enterprise_id)
    sent = changes.model_fields_set
    lon, lat = repo.point_of(session, enterprise.id)
    before = _snapshot(enterprise, lon, lat)
    if "name" in sent and changes.name is not None:
        enterprise.name = text(changes.name, "名称", required=True) or enterprise.name
    if "uscc" in sent and changes.uscc is not None:
        uscc = normalize_uscc(changes.uscc)
        if uscc != enterprise.uscc:
            _check_uscc_free(session, uscc, self_id=enterprise.id)
        enterprise.uscc = uscc
    if "category" in sent and changes.category is not None:
        enterprise.category = changes.category.value
    if "address" in sent:
        enterprise.address = text(changes.address, "地址")
    if "legal_representative" in sent:
        enterprise.legal_representative = text(changes.legal_representative, "法定代表人")
    if "contact_phone" in sent:
        enterprise.contact_phone = contact_phone(changes.contact_phone)
    if changes.lon is not None and changes.lat is not None:
        point, grid = _place(session, actor, lon=changes.lon, lat=changes.lat)
        enterprise.geom = from_shape(point, srid=STORAGE_SRID)
        enterprise.region_id, path, lon, lat = grid.id, grid.path, point.x, point.y
    after = _snapshot(enterprise, lon, lat)
    if after != before:
        _flush(session, enterprise)
        record(
            session, action="inspection.object_update", object_type="enterprise",
            object_id=enterprise.id, before=before, after=after, region_path=path,
            **actor.audit_fields(),
        )  # fmt: skip
    return get_object(session, actor=actor, enterprise_id=enterprise.id)


def set_object_categories(
    session: Session, *, actor: Actor, enterprise_id: int, category_ids: list[int]
) -> ObjectDetail:
    """The complete set of categories the object is filed under (picked from the tree)."""
    enterprise, path = locked_object(session, actor=actor, enterprise_id=enterprise_id)
    wanted = _category_ids(session, category_ids)
    before = repo.category_ids_of(session, enterprise.id)
    if wanted != before:
        with database_refusals(_DUPLICATE, gone=_GONE), session.begin_nested():
            repo.replace_categories(session, enterprise_id=enterprise.id, category_ids=wanted)
        record(
            session, action="inspection.object_categories", object_type="enterprise",
            object_id=enterprise.id, before={"supervision_category_ids": before},
            after={"supervision_category_ids": wanted}, region_path=path,
            **actor.audit_fields(),
        )  # fmt: skip
    return get_object(session, actor=actor, enterprise_id=enterprise.id)
