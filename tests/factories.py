"""Small factories for test data.

Each takes the test's session, flushes (so ids exist) and never commits: the `db`
fixture rolls everything back. Codes start with 99, a prefix no real division (and not
the demo district) uses, so factory rows never clash with demo data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import shapely
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import delete
from sqlalchemy.orm import Session

from geo.core.identifiers import uscc_check_char
from geo.core.srid import STORAGE_SRID
from geo.enterprise.models import Enterprise
from geo.inspection.models import (
    AssignmentOfficer,
    CheckContent,
    EnforcementOfficer,
    InspectionAssignment,
    InspectionItem,
    InspectionItemCategory,
    InspectionTask,
)
from geo.region.models import Region, RegionLevel

# Away from the demo district (120.3-120.8E, 31.7-32.05N): near Jinhua, Zhejiang, which
# is inside CGCS2000 3-degree Gauss-Krüger zone 40 (central meridian 120E).
TEST_AREA_WEST, TEST_AREA_SOUTH, TEST_AREA_SIZE = 119.0, 29.0, 0.2


def box(west: float, south: float, east: float, north: float) -> MultiPolygon:
    return MultiPolygon([shapely.box(west, south, east, north)])


def make_region(
    session: Session,
    *,
    level: RegionLevel | str,
    code: str,
    geom: Polygon | MultiPolygon,
    parent: Region | None = None,
    name: str | None = None,
) -> Region:
    """One region row; `path` is filled by the database trigger."""
    level = RegionLevel(level)
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    region = Region(
        code=code,
        name=name or f"测试{level.value}{code[-3:]}",
        level=level.value,
        parent_id=parent.id if parent is not None else None,
        geom=from_shape(geom, srid=STORAGE_SRID),
    )
    session.add(region)
    session.flush()
    return region


@dataclass
class RegionTree:
    district: Region
    town: Region
    community: Region
    grids: list[Region]  # west half, east half of the community


def make_region_tree(
    session: Session,
    *,
    district_code: str = "990100000000",
    west: float = TEST_AREA_WEST,
    south: float = TEST_AREA_SOUTH,
    size: float = TEST_AREA_SIZE,
) -> RegionTree:
    """A district with one town, one community and two grids splitting it west / east.

    All four levels share the square [west, west+size] x [south, south+size]; the grids
    are its halves, so grids tile the community exactly.
    """
    east, north, middle = west + size, south + size, west + size / 2
    square = box(west, south, east, north)
    district = make_region(session, level="district", code=district_code, geom=square)
    town_code = district_code[:6] + "001000"
    town = make_region(session, level="town", code=town_code, geom=square, parent=district)
    community_code = town_code[:9] + "001"
    community = make_region(
        session, level="community", code=community_code, geom=square, parent=town
    )
    grids = [
        make_region(
            session,
            level="grid",
            code=f"{community_code}{serial:03d}",
            geom=box(x0, south, x1, north),
            parent=community,
        )
        for serial, (x0, x1) in enumerate(((west, middle), (middle, east)), start=1)
    ]
    return RegionTree(district, town, community, grids)


def make_uscc(serial: int, division: str = "990100") -> str:
    """A valid unified social credit code (correct check character) for a test enterprise."""
    body = f"91{division}{serial:09d}"
    return body + uscc_check_char(body)


def make_enterprise(
    session: Session,
    *,
    lon: float,
    lat: float,
    serial: int,
    region_id: int | None = None,
    category: str = "catering",
    risk_list: str = "white",
    draw_weight: float = 1.0,
    name: str | None = None,
) -> Enterprise:
    """A supervised object at (lon, lat); `serial` keeps its USCC unique."""
    enterprise = Enterprise(
        name=name or f"测试企业{serial}",
        uscc=make_uscc(serial),
        category=category,
        risk_list=risk_list,
        draw_weight=draw_weight,
        region_id=region_id,
        geom=from_shape(shapely.Point(lon, lat), srid=STORAGE_SRID),
    )
    session.add(enterprise)
    session.flush()
    return enterprise


def make_officer(
    session: Session,
    *,
    user_id: int,
    area: Polygon | MultiPolygon | None,
    region_id: int | None = None,
    officer_type: str = "formal",
    active: bool = True,
) -> EnforcementOfficer:
    """An enforcement officer (a registered user) inspecting inside `area`. A user the
    demo already registered is registered anew (the test's transaction is rolled back)."""
    session.execute(delete(EnforcementOfficer).where(EnforcementOfficer.user_id == user_id))
    if isinstance(area, Polygon):
        area = MultiPolygon([area])
    officer = EnforcementOfficer(
        user_id=user_id,
        officer_type=officer_type,
        active=active,
        region_id=region_id,
        area=from_shape(area, srid=STORAGE_SRID) if area is not None else None,
    )
    session.add(officer)
    session.flush()
    return officer


# ---- registers of random inspections (supervision categories, supervised objects) ----
def registers_grid_point(session: Session, *, town_code: str, nth: int = 0) -> tuple[float, float]:
    """(lon, lat) of a point well inside the `nth` grid (by id) of a demo town."""
    from sqlalchemy import text

    row = session.execute(
        text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(g.geom) AS p FROM region g "
            "JOIN region t ON g.path <@ t.path WHERE t.code = :town AND g.level = 'grid' "
            "ORDER BY g.id OFFSET :nth LIMIT 1) s"
        ),
        {"town": town_code, "nth": nth},
    ).one()
    return round(float(row[0]), 6), round(float(row[1]), 6)


def registers_grant(session: Session, username: str, *permissions: str) -> None:
    """Give a demo user one more role holding `permissions` (e.g. inspection.configure)."""
    from geo.org.models import Role, RolePermission, UserAccount, UserRole

    code = "test_registers_" + "_".join(p.replace(".", "_") for p in permissions)[:20]
    if session.get(Role, code) is None:
        session.add(Role(code=code, name=f"测试{code}", description="测试"))
        session.flush()
        session.add_all([RolePermission(role_code=code, permission=p) for p in permissions])
    user = session.query(UserAccount).filter_by(username=username).one()
    session.add(UserRole(user_id=user.id, role_code=code))
    session.flush()


@dataclass
class InspectionCheckList:
    category: InspectionItemCategory
    items: list[InspectionItem]
    contents: list[CheckContent]  # in form order


def make_inspection_check_list(
    session: Session,
    *,
    code: str = "T99",
    items: Sequence[tuple[str, Sequence[tuple[str, int, bool]]]] = (
        ("证照公示", (("营业执照、许可证悬挂公示", 10, False), ("许可证在有效期内", 10, True))),
        ("环境卫生", (("操作间地面清洁", 10, False),)),
    ),
) -> InspectionCheckList:
    """An item category with items and check contents ((content, max_score, critical))."""
    category = InspectionItemCategory(code=code, name=f"测试检查类别{code}")
    session.add(category)
    session.flush()
    made_items, contents = [], []
    for n, (name, lines) in enumerate(items, start=1):
        item = InspectionItem(
            category_id=category.id, code=f"{code}-{n:02d}", name=name, sort_order=n
        )
        session.add(item)
        session.flush()
        made_items.append(item)
        for seq, (text_, max_score, critical) in enumerate(lines, start=1):
            content = CheckContent(
                item_id=item.id, seq=seq, content=text_, max_score=max_score, critical=critical
            )
            session.add(content)
            contents.append(content)
    session.flush()
    return InspectionCheckList(category, made_items, contents)


def make_inspection_task(
    session: Session,
    *,
    item_category_id: int,
    enterprise_ids: Sequence[int],
    team: Sequence[int],
    created_by: int,
    region_id: int | None = None,
    leader_id: int | None = None,
    name: str = "测试抽查任务",
) -> tuple[InspectionTask, list[InspectionAssignment]]:
    """A task as a submitted draw leaves it: one assignment per object, each with the same
    team (the first member leads unless `leader_id` says otherwise), all to confirm."""
    leader = leader_id or team[0]
    task = InspectionTask(
        name=name,
        item_category_id=item_category_id,
        start_date=date(2026, 11, 1),
        end_date=date(2026, 12, 31),
        created_by=created_by,
        region_id=region_id,
    )
    session.add(task)
    session.flush()
    assignments = []
    for enterprise_id in enterprise_ids:
        assignment = InspectionAssignment(
            task_id=task.id, enterprise_id=enterprise_id, leader_id=leader, status="to_confirm"
        )
        session.add(assignment)
        session.flush()
        session.add_all(
            AssignmentOfficer(assignment_id=assignment.id, user_id=u, is_leader=u == leader)
            for u in team
        )
        assignments.append(assignment)
    session.flush()
    return task, assignments
