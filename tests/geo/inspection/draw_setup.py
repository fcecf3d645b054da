"""A small world for draw tests inside the demo district: a grid of 杨舍镇 (or 塘桥镇), a
cluster of test objects around a point of it, filed under a fresh supervision category,
and officers whose areas are boxes around that point."""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.inspection.models import (
    EnterpriseSupervision,
    InspectionItemCategory,
    OfficerConflict,
    SupervisionCategory,
)
from geo.org.models import UserAccount, UserRole
from tests.factories import make_enterprise, make_officer

YS, TQ = "320582100000", "320582101000"  # 杨舍镇, 塘桥镇
STEP = 0.0002  # degrees between neighbouring test objects (about 20 m)


@dataclass
class World:
    town_id: int
    grid_id: int
    lon: float
    lat: float
    item_category_id: int
    category_id: int  # the parent supervision category (the objects are in its child)
    child_category_id: int
    objects: list[int] = field(default_factory=list)
    officers: dict[int, int] = field(default_factory=dict)  # user id → enforcement_officer id
    serial: int = 0


def make_world(db: Session, *, town_code: str = YS, tag: str = "a") -> World:
    town_id, grid_id, lon, lat = db.execute(
        text("""SELECT t.id, g.id, ST_X(ST_PointOnSurface(g.geom)), ST_Y(ST_PointOnSurface(g.geom))
                FROM region t JOIN region g ON g.path <@ t.path AND g.level = 'grid'
                WHERE t.code = :c ORDER BY g.code LIMIT 1"""),
        {"c": town_code},
    ).one()  # fmt: skip
    # The demo's own officers cover the town too: off duty for the test (rolled back), so
    # only the world's officers are eligible.
    db.execute(
        text("UPDATE enforcement_officer o SET active = false FROM user_account u "
             "WHERE u.id = o.user_id AND u.is_demo")
    )  # fmt: skip
    item = InspectionItemCategory(code=f"T-DRAW-{tag}", name=f"测试检查类别{tag}")
    parent = SupervisionCategory(code=f"T-SUP-{tag}", name=f"测试监管类别{tag}")
    db.add_all([item, parent])
    db.flush()
    child = SupervisionCategory(code=f"T-SUP-{tag}-1", name=f"测试子类别{tag}", parent_id=parent.id)
    db.add(child)
    db.flush()
    return World(town_id, grid_id, lon, lat, item.id, parent.id, child.id)


_SERIALS = iter(range(700_000, 10**9))


def add_objects(
    db: Session, world: World, *, n: int, risk_list: str = "white", weight: float = 1.0,
    category_id: int | None = None,
) -> list[int]:  # fmt: skip
    """`n` objects in a row east of the world's point, filed under its child category."""
    made = []
    for _ in range(n):
        serial = next(_SERIALS)
        i = len(world.objects)
        e = make_enterprise(
            db, lon=world.lon + (i % 20) * STEP, lat=world.lat + (i // 20) * STEP,
            serial=serial, region_id=world.grid_id, risk_list=risk_list, draw_weight=weight,
            name=f"抽查测试对象{serial}",
        )  # fmt: skip
        db.add(
            EnterpriseSupervision(
                enterprise_id=e.id, category_id=category_id or world.child_category_id
            )
        )
        world.objects.append(e.id)
        made.append(e.id)
    db.flush()
    return made


def add_officers(
    db: Session, world: World, *, n: int, area: shapely.Polygon | None = None,
    officer_type: str = "formal", squad_id: int | None = None,
) -> list[int]:  # fmt: skip
    """`n` officers (new users) of the world's town; by default their area covers every
    object of the world. Answers the user ids."""
    area = area or shapely.box(
        world.lon - 0.01, world.lat - 0.01, world.lon + 0.01, world.lat + 0.01
    )
    users = []
    for _ in range(n):
        k = next(_SERIALS)
        user = UserAccount(
            username=f"draw_o{k}", display_name=f"执法员{k % 10000:04d}", region_id=world.town_id,
            password_hash="x", squad_id=squad_id, phone="13900000000",
        )  # fmt: skip
        db.add(user)
        db.flush()
        db.add(UserRole(user_id=user.id, role_code="officer"))
        officer = make_officer(
            db, user_id=user.id, area=area, region_id=world.town_id, officer_type=officer_type
        )
        world.officers[user.id] = officer.id
        users.append(user.id)
    db.flush()
    return users


def add_conflict(db: Session, world: World, *, user_id: int, enterprise_id: int) -> None:
    db.add(
        OfficerConflict(
            officer_id=world.officers[user_id], enterprise_id=enterprise_id, reason="近亲属任职"
        )
    )
    db.flush()


def box_around(lon: float, lat: float, half: float) -> shapely.Polygon:
    return shapely.box(lon - half, lat - half, lon + half, lat + half)
