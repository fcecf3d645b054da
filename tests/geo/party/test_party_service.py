"""The party-building services (CMD-2) on the demo: the organisation tree refuses a cycle,
an organisation at a site renames the site's organisation text, positions come from the
site or the own point, activities stay inside their organisation's region, and every
change leaves an audit row with its before and after."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.errors import Conflict, Forbidden, NotFound
from geo.party import activities, members, organisations
from geo.party.models import PartyActivityKind, PartyMemberStatus, PartyOrganisationKind
from geo.party.rules import PartyRuleError
from geo.party.schemas import ActivityWrite, MemberWrite, OrganisationWrite

Actors = Callable[[str], Any]
YS = "(SELECT path FROM region WHERE code = '320582100000')"


def _ys_site(db: Session) -> Any:
    """A 杨舍 community, its organisation and a party site of that community."""
    return db.execute(
        text(f"""SELECT c.id AS community, o.id AS org, o.parent_id AS committee, s.id AS site,
                        s.organisation,
                        ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat
                 FROM region c JOIN party_organisation o ON o.region_id = c.id
                 JOIN region g ON g.parent_id = c.id
                 JOIN party_site s ON s.region_id = g.id
                 WHERE c.level = 'community' AND c.path <@ {YS}
                 ORDER BY c.code, s.id LIMIT 1""")
    ).one()


def _audit(db: Session, action: str, object_id: int) -> Any:
    sql = "SELECT before, after FROM audit_log WHERE action = :a AND object_id = :o"
    return db.execute(text(sql), {"a": action, "o": str(object_id)}).one()


def test_the_tree_refuses_a_cycle_and_a_branch_parent(db: Session, actor_of: Actors) -> None:
    admin = actor_of("ys_admin")
    place = _ys_site(db)
    general = organisations.create_organisation(
        db,
        actor=admin,
        data=OrganisationWrite(
            name="测试党总支",
            kind=PartyOrganisationKind.GENERAL_BRANCH,
            parent_id=place.committee,
            region_id=place.community,
        ),
    )
    branch = organisations.create_organisation(
        db,
        actor=admin,
        data=OrganisationWrite(
            name="测试党支部",
            kind=PartyOrganisationKind.BRANCH,
            parent_id=general.id,
            region_id=place.community,
        ),
    )
    below_itself = OrganisationWrite(
        name="测试党总支",
        kind=PartyOrganisationKind.GENERAL_BRANCH,
        parent_id=general.id,
        region_id=place.community,
    )
    with pytest.raises(PartyRuleError, match="本组织或其下级"):
        organisations.update_organisation(
            db, actor=admin, organisation_id=general.id, data=below_itself
        )
    under_branch = OrganisationWrite(
        name="再下级",
        kind=PartyOrganisationKind.BRANCH,
        parent_id=branch.id,
        region_id=place.community,
    )
    with pytest.raises(PartyRuleError, match="党支部"):
        organisations.create_organisation(db, actor=admin, data=under_branch)
    with pytest.raises(Conflict):
        organisations.delete_organisation(db, actor=admin, organisation_id=general.id)
    tree = {o.id: o for o in organisations.list_organisations(db, actor=admin)}
    assert tree[branch.id].parent_id == general.id and tree[general.id].child_count == 1


def test_a_site_gives_the_position_and_takes_the_name(db: Session, actor_of: Actors) -> None:
    admin = actor_of("ys_admin")
    place = _ys_site(db)
    org = organisations.create_organisation(
        db,
        actor=admin,
        data=OrganisationWrite(
            name="阵地测试党支部",
            kind=PartyOrganisationKind.BRANCH,
            parent_id=place.committee,
            region_id=place.community,
            site_id=place.site,
            lon=1.0,
            lat=2.0,
        ),
    )
    assert (org.lon, org.lat) == pytest.approx((place.lon, place.lat))
    assert org.site_id == place.site
    text_now = db.execute(
        text("SELECT organisation FROM party_site WHERE id = :id"), {"id": place.site}
    ).scalar_one()
    assert text_now == "阵地测试党支部"
    audit = _audit(db, "party.organisation_create", org.id)
    assert audit.before is None and audit.after["site_id"] == place.site
    assert audit.after["lon"] is None  # the site's point, not an own one


def test_activities_stay_inside_their_organisation(db: Session, actor_of: Actors) -> None:
    admin = actor_of("ys_admin")
    place = _ys_site(db)
    data = ActivityWrite(
        title="服务测试活动",
        kind=PartyActivityKind.VOLUNTEER,
        organisation_id=place.org,
        held_at=datetime.now(UTC),
        site_id=place.site,
        participants=12,
    )
    made = activities.create_activity(db, actor=admin, data=data)
    assert (made.lon, made.lat) == pytest.approx((place.lon, place.lat))
    tq = db.execute(
        text("""SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM region
                WHERE code = '320582101000'""")
    ).one()
    moved = data.model_copy(update={"site_id": None, "lon": tq[0], "lat": tq[1]})
    with pytest.raises(PartyRuleError, match="所属区域"):
        activities.update_activity(db, actor=admin, activity_id=made.id, data=moved)
    renamed = data.model_copy(update={"title": "服务测试活动（改）"})
    activities.update_activity(db, actor=admin, activity_id=made.id, data=renamed)
    audit = _audit(db, "party.activity_update", made.id)
    assert audit.before["title"] == "服务测试活动" and audit.after["title"] == "服务测试活动（改）"
    # Another town's admin neither sees nor changes it; a leader only reads.
    with pytest.raises(NotFound):
        activities.get_activity(db, actor=actor_of("tq_admin"), activity_id=made.id)
    with pytest.raises(NotFound):
        activities.delete_activity(db, actor=actor_of("tq_admin"), activity_id=made.id)
    with pytest.raises(Forbidden):
        activities.delete_activity(db, actor=actor_of("ys_leader"), activity_id=made.id)
    activities.delete_activity(db, actor=admin, activity_id=made.id)
    assert _audit(db, "party.activity_delete", made.id).after is None


def test_a_member_takes_the_organisations_region(db: Session, actor_of: Actors) -> None:
    admin = actor_of("ys_admin")
    place = _ys_site(db)
    member = members.create_member(
        db,
        actor=admin,
        data=MemberWrite(
            name="区域测试",
            gender="female",
            organisation_id=place.org,
            status=PartyMemberStatus.PROBATIONARY,
            phone="13800001111",
        ),
    )
    assert member.region_id == place.community
    with pytest.raises(PartyRuleError, match="手机号码"):
        members.update_member(
            db,
            actor=admin,
            member_id=member.id,
            data=MemberWrite(
                name="区域测试", gender="female", organisation_id=place.org, phone="10086"
            ),
        )
    tq_sites = organisations.list_sites(db, actor=actor_of("tq_admin"))
    assert tq_sites and place.site not in {s.id for s in tq_sites}


def test_members_and_activities_follow_their_organisation(db: Session, actor_of: Actors) -> None:
    admin = actor_of("ys_admin")
    place = _ys_site(db)
    row = organisations.get_organisation(db, actor=admin, organisation_id=place.org)
    town = db.execute(
        text("SELECT parent_id FROM region WHERE id = :c"), {"c": place.community}
    ).scalar_one()
    moved = OrganisationWrite(
        name=row.name,
        kind=PartyOrganisationKind(row.kind),
        parent_id=row.parent_id,
        region_id=town,
        site_id=row.site_id,
    )
    organisations.update_organisation(db, actor=admin, organisation_id=place.org, data=moved)
    regions = (
        db.execute(
            text("""SELECT DISTINCT region_id FROM party_member WHERE organisation_id = :o
                UNION SELECT DISTINCT region_id FROM party_activity WHERE organisation_id = :o"""),
            {"o": place.org},
        )
        .scalars()
        .all()
    )
    assert regions == [town]
