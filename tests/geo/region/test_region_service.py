"""Region use cases at the service level: spatial rules and the database's refusals."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.core.errors import Conflict
from geo.org.auth import authenticate, open_session
from geo.org.models import SessionKind, UserAccount
from geo.region import service
from geo.region.models import RegionLevel
from geo.region.schemas import RegionCreate
from tests.conftest import scalar

JG = "320582102000"  # 金港镇: a demo town without communities


def _actor(db: Session, username: str) -> Actor:
    user = db.query(UserAccount).filter_by(username=username).one()
    signed_in = open_session(db, user=user, kind=SessionKind.BEARER)
    return authenticate(db, token=signed_in.token)[0]


def _half(db: Session, side: str) -> dict:
    """The west or east half of a small square inside 金港镇: two halves share an edge."""
    x0, x1 = ("ST_XMin(b)", "(ST_XMin(b) + ST_XMax(b)) / 2") if side == "west" else (
        "(ST_XMin(b) + ST_XMax(b)) / 2", "ST_XMax(b)")  # fmt: skip
    return json.loads(
        scalar(
            db,
            f"""SELECT ST_AsGeoJSON(ST_MakeEnvelope({x0}, ST_YMin(b), {x1}, ST_YMax(b), 4490))
                FROM (SELECT ST_Expand(ST_PointOnSurface(geom), 0.004)::box2d AS b
                      FROM region WHERE code = :c) s""",
            c=JG,
        )
    )


def _create(db: Session, actor: Actor, code: str, geometry: dict) -> int:
    parent = int(scalar(db, "SELECT id FROM region WHERE code = :c", c=JG))
    body = RegionCreate(code=code, name=f"社区{code[-3:]}", level=RegionLevel.COMMUNITY,
                        parent_id=parent, geometry=geometry)  # fmt: skip
    return service.create_region(db, actor=actor, data=body).id


def test_siblings_sharing_an_edge_do_not_overlap(db: Session) -> None:
    admin = _actor(db, "admin")
    west = _create(db, admin, "320582102301", _half(db, "west"))
    east = _create(db, admin, "320582102302", _half(db, "east"))
    shared = scalar(
        db, "SELECT ST_Length(ST_Intersection(a.geom, b.geom)) FROM region a, region b "
        "WHERE a.id = :w AND b.id = :e", w=west, e=east,
    )  # fmt: skip
    assert shared > 0


def test_a_child_may_fill_its_parent_exactly(db: Session) -> None:
    whole = json.loads(scalar(db, "SELECT ST_AsGeoJSON(geom) FROM region WHERE code = :c", c=JG))
    created = _create(db, _actor(db, "admin"), "320582102303", whole)
    assert scalar(db, "SELECT level FROM region WHERE id = :id", id=created) == "community"


def test_the_database_refusal_of_a_code_change_becomes_a_clear_message(db: Session) -> None:
    town = int(scalar(db, "SELECT id FROM region WHERE code = :c", c=JG))
    refused = pytest.raises(service.RegionRuleBroken, match=service.CODE_IMMUTABLE)
    with refused, service._database_rules(), db.begin_nested():
        db.execute(text("UPDATE region SET code = '320582102999' WHERE id = :id"), {"id": town})
    assert scalar(db, "SELECT code FROM region WHERE id = :id", id=town) == JG  # still usable


def test_a_town_admin_lists_only_inside_their_town(db: Session) -> None:
    ys_admin = _actor(db, "ys_admin")
    [own] = service.list_regions(db, actor=ys_admin, parent_id=None)
    assert own.code == "320582100000"
    children = service.list_regions(db, actor=ys_admin, parent_id=own.id)
    assert children and all(c.path.startswith(own.path + ".") for c in children)


def test_a_code_taken_in_another_town_is_refused_without_naming_the_holder(db: Session) -> None:
    ys_admin = _actor(db, "ys_admin")
    ys = int(scalar(db, "SELECT id FROM region WHERE code = '320582100000'"))
    taken = "320582101001"  # 塘桥社区, in 塘桥镇
    body = RegionCreate(code=taken, name="新社区", level=RegionLevel.COMMUNITY, parent_id=ys,
                        geometry=_half(db, "west"))  # fmt: skip
    with pytest.raises(Conflict, match=f"辖区编码 {taken} 已被使用") as refused:
        service.create_region(db, actor=ys_admin, data=body)
    assert "塘桥" not in refused.value.detail
    # Inside the actor's scope the holder is named, which helps pick another code.
    own = body.model_copy(update={"code": "320582100001"})
    with pytest.raises(Conflict, match="已被“梁丰社区”使用"):
        service.create_region(db, actor=ys_admin, data=own)


def test_the_governed_area_is_one_district(db: Session) -> None:
    admin = _actor(db, "admin")
    body = RegionCreate(code="320583000000", name="昆山市", level=RegionLevel.DISTRICT,
                        parent_id=None, geometry=_half(db, "west"))  # fmt: skip
    with pytest.raises(service.RegionRuleBroken, match="系统只管理一个区县"):
        service.create_region(db, actor=admin, data=body)
    assert scalar(db, "SELECT count(*) FROM region WHERE level = 'district'") == 1
