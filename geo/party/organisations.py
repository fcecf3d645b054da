"""Use cases of the party organisations (党组织): a tree of 党委 / 党总支 / 党支部, each
in a region of the actor's scope, positioned at its site (party_site) or at an own point.
A 党支部 is the bottom of the tree; an organisation with sub-organisations, members or
activities cannot be deleted (409). Every change is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, update
from sqlalchemy.orm import Session

from geo.audit.service import record
from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.core.models import stored_point
from geo.core.scope import ensure_readable_region
from geo.org.rules import flush_unique
from geo.party import repository as repo
from geo.party.models import (
    PartyActivity,
    PartyMember,
    PartyOrganisation,
    PartyOrganisationKind,
    PartySite,
)
from geo.party.rules import MANAGE, VIEW, PartyRuleError, check_phone, check_point
from geo.party.schemas import OrganisationRead, OrganisationWrite, SiteRead

__all__ = [
    "create_organisation",
    "delete_organisation",
    "get_organisation",
    "list_organisations",
    "list_sites",
    "update_organisation",
]

RECENT_DAYS = 30
_GONE = "所选的上级党组织、区划或阵地已被删除，请刷新后重新选择"


def _since() -> datetime:
    return datetime.now(UTC) - timedelta(days=RECENT_DAYS)


def _not_found(organisation_id: int) -> NotFound:
    return NotFound(f"未找到党组织（编号 {organisation_id}），或不在您的管辖范围内")


def list_organisations(session: Session, *, actor: Actor) -> list[OrganisationRead]:
    """The organisations of the scope, parents first (the screen builds the tree)."""
    actor.require(VIEW)
    return [
        OrganisationRead(**r._mapping)
        for r in repo.organisation_rows(session, actor=actor, since=_since())
    ]


def list_sites(session: Session, *, actor: Actor) -> list[SiteRead]:
    actor.require(VIEW)
    return [SiteRead(**r._mapping) for r in repo.site_rows(session, actor=actor)]


def get_organisation(session: Session, *, actor: Actor, organisation_id: int) -> OrganisationRead:
    actor.require(VIEW)
    rows = repo.organisation_rows(
        session, actor=actor, since=_since(), organisation_id=organisation_id
    )
    if not rows:
        raise _not_found(organisation_id)
    return OrganisationRead(**rows[0]._mapping)


def _check_parent(
    session: Session, actor: Actor, data: OrganisationWrite, self_id: int | None
) -> None:
    if data.parent_id is None:
        return
    parent = repo.organisation_rows(
        session, actor=actor, since=_since(), organisation_id=data.parent_id
    )
    if not parent:
        raise NotFound(f"未找到上级党组织（编号 {data.parent_id}），或不在您的管辖范围内")
    if parent[0].kind == PartyOrganisationKind.BRANCH:
        raise PartyRuleError(f"“{parent[0].name}”是党支部，不能再设下级党组织")
    if self_id is not None and self_id in repo.ancestors(session, data.parent_id):
        raise PartyRuleError("上级党组织不能是本组织或其下级组织")


def _position(session: Session, actor: Actor, data: OrganisationWrite) -> Row[Any] | None:
    """The site (if any); checks the own point otherwise."""
    if (data.lon is None) != (data.lat is None):
        raise PartyRuleError("位置须同时给出经度和纬度")
    if data.site_id is not None:
        site = repo.site_in_scope(session, actor=actor, site_id=data.site_id)
        if site is None:
            raise NotFound(f"未找到党建阵地（编号 {data.site_id}），或不在您的管辖范围内")
        return site
    if data.lon is not None and data.lat is not None:
        check_point(session, data.lon, data.lat, what="党组织位置")
    return None


def _apply(
    org: PartyOrganisation, data: OrganisationWrite, region_id: int, phone: str | None
) -> None:
    org.name = data.name.strip()
    org.kind = data.kind.value
    org.parent_id = data.parent_id
    org.region_id = region_id
    org.secretary = (data.secretary or "").strip() or None
    org.contact_phone = phone
    org.founded_on = data.founded_on
    org.site_id = data.site_id
    own = data.site_id is None and data.lon is not None and data.lat is not None
    org.geom = stored_point(data.lon, data.lat) if own else None  # type: ignore[arg-type]


def _state(org: PartyOrganisation, data: OrganisationWrite) -> dict[str, Any]:
    keys = ("name", "kind", "parent_id", "region_id", "secretary", "contact_phone", "site_id")
    out: dict[str, Any] = {k: getattr(org, k) for k in keys}
    out["founded_on"] = org.founded_on.isoformat() if org.founded_on else None
    out["lon"], out["lat"] = (None, None) if data.site_id else (data.lon, data.lat)
    return out


def _save(session: Session, actor: Actor, org: PartyOrganisation, data: OrganisationWrite) -> None:
    phone = check_phone(data.contact_phone)
    region_id = data.region_id if data.region_id is not None else actor.region_id
    ensure_readable_region(session, actor, region_id)
    _check_parent(session, actor, data, org.id)
    _position(session, actor, data)
    moved = org.id is not None and org.region_id != region_id
    _apply(org, data, region_id, phone)
    flush_unique(session, org, "党组织名称重复", gone=_GONE)
    if moved:
        # Members and activities are scoped by their organisation's region: they follow it.
        for table in (PartyMember, PartyActivity):
            session.execute(
                update(table).where(table.organisation_id == org.id).values(region_id=region_id)
            )
    if org.site_id is not None:
        # The site layer shows the organisation's name: keep its text in step.
        session.execute(
            update(PartySite).where(PartySite.id == org.site_id).values(organisation=org.name)
        )


def create_organisation(
    session: Session, *, actor: Actor, data: OrganisationWrite
) -> OrganisationRead:
    actor.require(MANAGE)
    org = PartyOrganisation()
    _save(session, actor, org, data)
    record(
        session, action="party.organisation_create", object_type="party_organisation",
        object_id=org.id, after=_state(org, data),
        region_path=repo.region_path(session, org.region_id),
        detail=f"新增党组织“{org.name}”", **actor.audit_fields(),
    )  # fmt: skip
    return get_organisation(session, actor=actor, organisation_id=org.id)


def _locked(session: Session, actor: Actor, organisation_id: int) -> PartyOrganisation:
    org = repo.lock_organisation(session, actor=actor, organisation_id=organisation_id)
    if org is None:
        raise _not_found(organisation_id)
    return org


def _old_state(session: Session, actor: Actor, org: PartyOrganisation) -> dict[str, Any]:
    row = repo.organisation_rows(session, actor=actor, since=_since(), organisation_id=org.id)[0]
    own = org.site_id is None and row.lon is not None
    return {
        "name": org.name, "kind": org.kind, "parent_id": org.parent_id,
        "region_id": org.region_id, "secretary": org.secretary,
        "contact_phone": org.contact_phone, "site_id": org.site_id,
        "founded_on": org.founded_on.isoformat() if org.founded_on else None,
        "lon": row.lon if own else None, "lat": row.lat if own else None,
    }  # fmt: skip


def update_organisation(
    session: Session, *, actor: Actor, organisation_id: int, data: OrganisationWrite
) -> OrganisationRead:
    actor.require(MANAGE)
    org = _locked(session, actor, organisation_id)
    before = _old_state(session, actor, org)
    _save(session, actor, org, data)
    after = _state(org, data)
    if after != before:
        record(
            session, action="party.organisation_update", object_type="party_organisation",
            object_id=org.id, before=before, after=after,
            region_path=repo.region_path(session, org.region_id), **actor.audit_fields(),
        )  # fmt: skip
    return get_organisation(session, actor=actor, organisation_id=org.id)


def delete_organisation(session: Session, *, actor: Actor, organisation_id: int) -> None:
    actor.require(MANAGE)
    org = _locked(session, actor, organisation_id)
    used = repo.usage(session, org.id)
    if used.children or used.members or used.activities:
        raise Conflict(
            f"“{org.name}”下还有 {used.children} 个下级党组织、{used.members} 名党员、"
            f"{used.activities} 次活动记录，不能删除；请先移走或删除它们"
        )
    before = _old_state(session, actor, org)
    path = repo.region_path(session, org.region_id)
    session.delete(org)
    session.flush()
    record(
        session, action="party.organisation_delete", object_type="party_organisation",
        object_id=organisation_id, before=before, region_path=path,
        detail=f"删除党组织“{before['name']}”", **actor.audit_fields(),
    )  # fmt: skip
