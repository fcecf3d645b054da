"""A test community with room for grids: a square inside 金港镇 (a demo town without
communities, so nothing else is there), and lengths in degrees for a few metres there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shapely.geometry import mapping
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.org.models import UserAccount, UserRole
from geo.region.models import Region
from tests.factories import box, make_region

JG = "320582102000"  # 金港镇
M_LON = 1 / 94_400  # one metre across a meridian near 31.9°N, in degrees
M_LAT = 1 / 110_900  # one metre along a meridian


@dataclass
class Square:
    """The community square [w, e] x [s, n], split west / east at `mid`."""

    community: Region
    w: float
    s: float
    e: float
    n: float

    @property
    def mid(self) -> float:
        return (self.w + self.e) / 2

    @property
    def height_m(self) -> float:
        return (self.n - self.s) / M_LAT

    def geojson(self, w: float, s: float, e: float, n: float) -> dict[str, Any]:
        return dict(mapping(box(w, s, e, n)))

    def west(self) -> dict[str, Any]:
        return self.geojson(self.w, self.s, self.mid, self.n)

    def east(self, shift_m: float = 0) -> dict[str, Any]:
        """The east half, its west edge moved by `shift_m` metres (+ east, - west)."""
        return self.geojson(self.mid + shift_m * M_LON, self.s, self.e, self.n)


def make_square(db: Session, code_suffix: str = "901") -> Square:
    """A ~400 m square community in 金港镇 (code 320582102<suffix>)."""
    w, s = db.execute(
        text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p "
             "FROM region WHERE code = :c) q"),
        {"c": JG},
    ).one()  # fmt: skip
    e, n = w + 400 * M_LON, s + 400 * M_LAT
    town = db.query(Region).filter_by(code=JG).one()
    community = make_region(
        db, level="community", code=JG[:9] + code_suffix, geom=box(w, s, e, n), parent=town,
        name="测试社区",
    )  # fmt: skip
    return Square(community, w, s, e, n)


def make_grid_member(db: Session, username: str, region_code: str) -> UserAccount:
    """An extra active grid member placed in the region of `region_code`."""
    region = db.query(Region).filter_by(code=region_code).one()
    user = UserAccount(
        username=username, display_name=f"网格员{username[-2:]}", region_id=region.id,
        password_hash="x",
    )  # fmt: skip
    db.add(user)
    db.flush()
    db.add(UserRole(user_id=user.id, role_code="grid_member"))
    db.flush()
    return user


def grid_of(db: Session, username: str) -> int:
    """The grid the demo user answers for."""
    return int(
        db.execute(
            text("SELECT m.grid_id FROM grid_member m JOIN user_account u ON u.id = m.user_id "
                 "WHERE u.username = :u AND m.is_responsible"),
            {"u": username},
        ).scalar_one()
    )  # fmt: skip


def point_in(db: Session, region_id: int) -> tuple[float, float]:
    lon, lat = db.execute(
        text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p "
             "FROM region WHERE id = :id) q"),
        {"id": region_id},
    ).one()  # fmt: skip
    return float(lon), float(lat)
