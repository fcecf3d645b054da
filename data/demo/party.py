"""Demo party building (党建引领): a 党委 per town, a 党总支 (25 members or more) or 党支部
per community at its party service centre, 15–30 members each (a few of them the
community's grid members: 党员网格员), and activities over the last 60 days held at the
centre or nearby inside the community. Deterministic for a seed; scales with SCALE."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import shapely
from shapely.geometry import Point
from sqlalchemy import Connection, text

from data.demo.names import GIVEN, SURNAMES

SHANGHAI = ZoneInfo("Asia/Shanghai")
ACTIVITIES_PER_ORGANISATION = 8  # over 60 days, at scale 1
# Grid-member accounts who are party members: (username, joined year).
PARTY_GRID_MEMBERS = (("ys_wg01", 2012), ("ys_wg03", 2018), ("ys_wg05", 2021),
                      ("tq_wg01", 2015), ("tq_wg02", 2020))  # fmt: skip
ACTIVITY_TITLES = {
    "three_meetings": ("支部委员会会议", "支部党员大会", "党小组会", "书记讲党课"),
    "theme_day": ("主题党日：重温入党誓词", "主题党日：走访困难党员", "主题党日：红色教育参观"),
    "volunteer": ("党员志愿服务：社区环境整治", "党员志愿服务：文明交通劝导", "党员先锋岗便民服务"),
    "study": ("党课学习：党的二十届三中全会精神", "专题学习：基层治理与网格化", "党纪学习教育"),
    "other": ("党员议事会", "两新组织党建联建座谈"),
}  # fmt: skip
KIND_WEIGHTS = {"three_meetings": 4, "theme_day": 2, "volunteer": 3, "study": 3, "other": 1}


def insert_party(conn: Connection, *, seed: int, scale: int, anchor: date) -> dict[str, int]:
    counts = {"party_organisation": 0, "party_member": 0, "party_activity": 0}
    towns = conn.execute(
        text("SELECT id, name, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) "
             "FROM region WHERE level = 'town' ORDER BY code")
    ).all()  # fmt: skip
    for town_id, town_name, lon, lat in towns:
        committee = _organisation(
            conn, name=f"中共张家港市{town_name}委员会", kind="committee", parent=None,
            region=town_id, site=None, lon=lon, lat=lat, founded=date(1958, 10, 1),
            rng=random.Random(f"{seed}:party-town:{town_id}"),
        )  # fmt: skip
        counts["party_organisation"] += 1
        communities = conn.execute(
            text("""SELECT c.id, c.name, s.id, ST_X(s.geom), ST_Y(s.geom), ST_AsBinary(c.geom)
                    FROM region c JOIN party_site s ON s.name = c.name || '党群服务中心'
                    WHERE c.parent_id = :town AND c.level = 'community' ORDER BY c.code"""),
            {"town": town_id},
        ).all()
        for cid, cname, site, slon, slat, wkb in communities:
            rng = random.Random(f"{seed}:party-community:{cid}")
            size = rng.randrange(15, 31)
            # 25 members and more make a 党总支 (at scale 1: the larger communities).
            kind = "general_branch" if size * scale >= 25 else "branch"
            label = "总支部委员会" if kind == "general_branch" else "支部委员会"
            org = _organisation(
                conn, name=f"中共张家港市{cname}{label}", kind=kind, parent=committee,
                region=cid, site=site, lon=None, lat=None,
                founded=date(rng.randrange(1985, 2010), rng.randrange(1, 13), 1), rng=rng,
            )  # fmt: skip
            conn.execute(
                text("UPDATE party_site SET organisation = :name WHERE id = :id"),
                {"id": site, "name": f"中共张家港市{cname}{label}"},
            )
            counts["party_organisation"] += 1
            counts["party_member"] += _members(conn, org, cid, size * scale, rng, anchor)
            area = shapely.from_wkb(bytes(wkb))
            counts["party_activity"] += _activities(
                conn, org, cid, site, (slon, slat), area, rng, scale, anchor
            )
    counts["party_member"] += _grid_members(conn, seed)
    return counts


def _organisation(
    conn: Connection, *, name: str, kind: str, parent: int | None, region: int,
    site: int | None, lon: float | None, lat: float | None, founded: date, rng: random.Random,
) -> int:  # fmt: skip
    own = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4490)" if lon is not None else "NULL"
    return conn.execute(
        text(f"""INSERT INTO party_organisation
                 (name, kind, parent_id, region_id, secretary, contact_phone, founded_on,
                  site_id, geom)
                 VALUES (:name, :kind, :parent, :region, :secretary, :phone, :founded, :site,
                         {own}) RETURNING id"""),
        {"name": name, "kind": kind, "parent": parent, "region": region,
         "secretary": _name(rng), "phone": _mobile(rng), "founded": founded, "site": site,
         "lon": lon, "lat": lat},
    ).scalar_one()  # fmt: skip


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _members(
    conn: Connection, org: int, region: int, size: int, rng: random.Random, anchor: date
) -> int:
    rows = []
    for _ in range(size):
        probationary = rng.random() < 0.08
        joined = anchor - timedelta(days=rng.randrange(100, 300) if probationary
                                    else rng.randrange(400, 365 * 45))  # fmt: skip
        rows.append({
            "name": _name(rng), "gender": rng.choices(("male", "female"), (55, 45))[0],
            "org": org, "joined": joined, "status": "probationary" if probationary else "full",
            "phone": _mobile(rng), "region": region,
        })  # fmt: skip
    conn.execute(
        text("""INSERT INTO party_member
                (name, gender, organisation_id, joined_on, status, phone, region_id)
                VALUES (:name, :gender, :org, :joined, :status, :phone, :region)"""),
        rows,
    )
    return len(rows)


def _activities(
    conn: Connection, org: int, region: int, site: int, centre: tuple[float, float],
    area: object, rng: random.Random, scale: int, anchor: date,
) -> int:  # fmt: skip
    rows = []
    for _ in range(ACTIVITIES_PER_ORGANISATION * scale):
        kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
        day = anchor - timedelta(days=rng.randrange(0, 60))
        held = datetime.combine(day, time(rng.choice((9, 10, 14, 15, 19)), 0), SHANGHAI)
        at_site = kind in ("three_meetings", "study") or rng.random() < 0.4
        lon, lat = centre
        if not at_site:  # out in the community, within about 400 m of the centre
            spot = Point(lon + rng.uniform(-0.004, 0.004), lat + rng.uniform(-0.0035, 0.0035))
            if area.covers(spot):  # type: ignore[attr-defined]
                lon, lat = spot.x, spot.y
        rows.append({
            "title": rng.choice(ACTIVITY_TITLES[kind]), "kind": kind, "org": org,
            "held": held, "site": site if (lon, lat) == centre else None,
            "participants": rng.randrange(8, 45), "region": region, "lon": lon, "lat": lat,
            "summary": "组织党员参加，会后形成记录并报镇党委备案。",
        })  # fmt: skip
    conn.execute(
        text("""INSERT INTO party_activity
                (title, kind, organisation_id, held_at, site_id, participants, summary,
                 region_id, geom)
                VALUES (:title, :kind, :org, :held, :site, :participants, :summary, :region,
                        ST_SetSRID(ST_MakePoint(:lon, :lat), 4490))"""),
        rows,
    )
    return len(rows)


def _grid_members(conn: Connection, seed: int) -> int:
    """The grid members of PARTY_GRID_MEMBERS join their community's organisation."""
    n = 0
    for username, year in PARTY_GRID_MEMBERS:
        row = conn.execute(
            text("""SELECT u.id, u.display_name, o.id AS org, o.region_id
                    FROM user_account u
                    JOIN grid_member gm ON gm.user_id = u.id
                    JOIN region g ON g.id = gm.grid_id
                    JOIN party_organisation o ON o.region_id = g.parent_id
                    WHERE u.username = :u ORDER BY gm.grid_id LIMIT 1"""),
            {"u": username},
        ).first()
        if row is None:
            continue
        rng = random.Random(f"{seed}:party-grid:{username}")
        conn.execute(
            text("""INSERT INTO party_member (name, gender, organisation_id, joined_on, status,
                                              phone, user_id, region_id)
                    VALUES (:name, :gender, :org, :joined, 'full', :phone, :uid, :region)"""),
            {"name": row.display_name, "gender": rng.choice(("male", "female")),
             "org": row.org, "joined": date(year, 7, 1), "phone": _mobile(rng),
             "uid": row.id, "region": row.region_id},
        )  # fmt: skip
        n += 1
    return n
