"""The demo district's features, generated block by block as row streams.

Each block draws from its own random stream (seed, layer, block), so a feature at scale 1
is also present at scale 20 and nothing depends on the order rows are written in. Rows
are yielded one at a time for COPY; nothing holds a whole layer in memory.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon, box

from data.demo import names
from data.demo.history import Desks
from data.demo.layout import Block, Layout, to_lonlat
from geo.core.identifiers import uscc_check_char
from geo.event.workflow import Status

SHANGHAI = ZoneInfo("Asia/Shanghai")
SLOT_M = 30.0  # building lattice spacing
TARGETS = {  # rows at scale 1; --scale multiplies them
    "buildings": 4000,
    "enterprises": 540,
    "construction_sites": 24,
    "patrol_routes": 24,
    "events": 2200,
    "cameras": 60,
    "party_sites": 26,
}


@dataclass(frozen=True)
class RegionIds:
    """Database ids of the generated regions, by index in the layout."""

    towns: list[int]
    communities: list[int]
    grids: list[int]


def _rng(seed: int, layer: str, key: int = 0) -> random.Random:
    return random.Random(f"{seed}:{layer}:{key}")


def _np_rng(seed: int, layer: str, key: int) -> np.random.Generator:
    # Python's hash() of str is salted per process; derive a stable integer seed instead.
    return np.random.default_rng(_rng(seed, layer, key).getrandbits(63))


def ewkb(geom) -> str:  # noqa: ANN001
    """Hex EWKB in lon/lat with SRID 4490: what COPY hands to a geometry column."""
    return shapely.to_wkb(shapely.set_srid(to_lonlat(geom), 4490), hex=True, include_srid=True)


def person_name(rng: random.Random) -> str:
    return rng.choice(names.SURNAMES) + "".join(
        rng.choice(names.GIVEN) for _ in range(rng.choice((1, 2)))
    )


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _density(layout: Layout, block: Block) -> float:
    """Building and activity density: highest in the town centre of 杨舍."""
    c = block.geom.centroid
    d = math.hypot(c.x - layout.urban_centre[0], c.y - layout.urban_centre[1])
    return 0.06 + 0.94 * math.exp(-d / 3500.0)


def _industrial(layout: Layout, block: Block) -> bool:
    c = block.geom.centroid
    ix, iy = layout.industrial_centre
    return math.hypot(c.x - ix, c.y - iy) < 2200.0


def detailed_blocks(layout: Layout) -> list[tuple[int, Block]]:
    return [(i, b) for i, b in enumerate(layout.blocks) if b.grid_index >= 0]


def block_weights(layout: Layout) -> tuple[list[int], np.ndarray]:
    """Blocks to draw point features from, weighted by area × density."""
    items = detailed_blocks(layout)
    w = np.array([b.geom.area * _density(layout, b) for _, b in items])
    return [i for i, _ in items], w / w.sum()


def scattered(
    layout: Layout, seed: int, layer: str, count: int, first: int = 1
) -> Iterator[tuple[int, random.Random, Block]]:
    """`count` blocks drawn by area × density, each with the feature's own random stream."""
    block_ids, p = block_weights(layout)
    picks = _np_rng(seed, layer, 0).choice(len(block_ids), size=max(0, count), p=p)
    for n, pick in enumerate(picks.tolist(), start=first):
        yield n, _rng(seed, f"{layer}-attrs", n), layout.blocks[block_ids[pick]]


def address(rng: random.Random, block: Block) -> str:
    return f"{rng.choice(block.street_names)}{rng.randrange(1, 400)}号"


def point_in_block(rng: random.Random, block: Block, inset: float = 8.0) -> Point:
    inner = block.geom.buffer(-inset)
    if inner.is_empty:
        inner = block.geom
    minx, miny, maxx, maxy = inner.bounds
    for _ in range(50):
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if inner.contains(p):
            return p
    return inner.representative_point()


# ---------------------------------------------------------------- construction sites


def site_plan(layout: Layout, seed: int, scale: int) -> dict[int, Polygon]:
    """Which blocks hold a construction site, and its outline (metres)."""
    rng = _rng(seed, "sites")
    candidates = [i for i, b in detailed_blocks(layout) if b.geom.area > 60_000]
    rng.shuffle(candidates)
    plan: dict[int, Polygon] = {}
    for i in candidates[: TARGETS["construction_sites"] * scale]:
        block = layout.blocks[i]
        c = block.geom.buffer(-20).representative_point()
        w, h = rng.uniform(80, 220), rng.uniform(70, 180)
        rect = affinity.rotate(
            box(c.x - w / 2, c.y - h / 2, c.x + w / 2, c.y + h / 2), rng.uniform(-4, 4)
        )
        site = rect.intersection(block.geom.buffer(-15))
        if isinstance(site, Polygon) and site.area > 2000:
            plan[i] = site
    return plan


def construction_sites(
    layout: Layout, ids: RegionIds, plan: dict[int, Polygon], seed: int, anchor: date
) -> Iterator[tuple]:
    for n, (block_index, site) in enumerate(sorted(plan.items()), start=1):
        rng = _rng(seed, "site", block_index)
        block = layout.blocks[block_index]
        status = rng.choices(["active", "planned", "suspended", "completed"], [6, 2, 1, 1])[0]
        start = anchor - timedelta(days=rng.randrange(30, 700))
        end = start + timedelta(days=rng.randrange(180, 900))
        entrance = site.exterior.interpolate(rng.random(), normalized=True)
        name = rng.choice(names.SITE_WORDS[0]) + rng.choice(names.SITE_WORDS[1])
        yield (
            f"{name}（{n}号地块）",
            f"320582{start.year}{n:04d}0101",
            f"张家港市{rng.choice(names.SITE_WORDS[0])}置业有限公司",
            f"{rng.choice(names.ENTERPRISE_WORDS['construction'][0])}建设工程有限公司",
            status,
            start,
            end if status != "planned" else None,
            ewkb(shapely.MultiPolygon([site])),
            ewkb(entrance),
            ids.grids[block.grid_index],
        )


# ------------------------------------------------------------------------ buildings


def buildings(
    layout: Layout, ids: RegionIds, sites: dict[int, Polygon], seed: int, scale: int
) -> Iterator[tuple]:
    items = detailed_blocks(layout)
    slots = [_slot_count(b) for _, b in items]
    weight = sum(n * _density(layout, b) for n, (_, b) in zip(slots, items, strict=True))
    k = TARGETS["buildings"] / weight  # expected count at scale 1 meets the target
    for block_index, block in items:
        yield from _block_buildings(
            layout,
            ids,
            block_index,
            block,
            sites.get(block_index),
            seed,
            min(1.0, k * scale * _density(layout, block)),
        )


def _slot_count(block: Block) -> int:
    return max(0, int(block.geom.area / (SLOT_M * SLOT_M)))


def _block_buildings(
    layout: Layout,
    ids: RegionIds,
    block_index: int,
    block: Block,
    site: Polygon | None,
    seed: int,
    p: float,
) -> Iterator[tuple]:
    inner = block.geom.buffer(-12)
    if inner.is_empty:
        return
    minx, miny, maxx, maxy = inner.bounds
    xs = np.arange(minx + SLOT_M / 2, maxx, SLOT_M)
    ys = np.arange(miny + SLOT_M / 2, maxy, SLOT_M)
    if not len(xs) or not len(ys):
        return
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    gen = _np_rng(seed, "buildings", block_index)
    # Every slot gets its draws whether built or not, so scale 1 ⊂ scale 20 geometrically.
    draw, widths, depths, turns = gen.random((4, len(gx)))
    chosen = draw < p
    if site is not None:
        chosen &= ~shapely.contains_xy(site.buffer(10), gx, gy)
    rng = _rng(seed, "building-attrs", block_index)
    industrial = _industrial(layout, block)
    density = _density(layout, block)
    compound = (
        f"{rng.choice(names.STREET_PREFIXES)}{rng.choice(['花园', '新村', '小区', '苑', '家园'])}"
    )
    number = 0
    for x, y, w, h, turn in zip(
        gx[chosen],
        gy[chosen],
        10 + 14 * widths[chosen],
        8 + 8 * depths[chosen],
        -3 + 6 * turns[chosen],
        strict=True,
    ):
        shape = affinity.rotate(box(x - w / 2, y - h / 2, x + w / 2, y + h / 2), turn)
        if not inner.contains(shape):
            continue
        number += 1
        use = _building_use(rng, industrial, density)
        floors = _floors(rng, use, density)
        name = (
            f"{compound}{number}幢"
            if use in ("residential", "mixed")
            else f"{rng.choice(block.street_names)}{use_label(use)}楼{number}号"
        )
        yield (
            name,
            f"张家港市{address(rng, block)}",
            floors,
            use,
            rng.randrange(1985, 2025),
            ewkb(shapely.MultiPolygon([shape])),
            ids.grids[block.grid_index],
        )


def use_label(use: str) -> str:
    return {"commercial": "商业", "industrial": "厂房", "public": "公建"}.get(use, "")


def _building_use(rng: random.Random, industrial: bool, density: float) -> str:
    if industrial:
        return rng.choices(["industrial", "commercial", "residential", "public"], [7, 1, 1, 1])[0]
    if density > 0.5:
        return rng.choices(["residential", "commercial", "mixed", "public"], [6, 2, 2, 1])[0]
    return rng.choices(["residential", "industrial", "commercial", "public"], [8, 2, 1, 1])[0]


def _floors(rng: random.Random, use: str, density: float) -> int:
    if use == "industrial":
        return rng.randint(1, 4)
    if density > 0.5:
        return rng.choice([6, 11, 18, 26, 33]) if rng.random() < 0.7 else rng.randint(2, 6)
    return rng.randint(1, 6)


# ---------------------------------------------------------------------- enterprises

CENTRE_MIX = {
    "catering": 8,
    "retail": 8,
    "accommodation": 2,
    "entertainment": 2,
    "healthcare": 2,
    "auto_repair": 1,
    "construction": 1,
    "manufacturing": 1,
}
INDUSTRIAL_MIX = {
    "manufacturing": 8,
    "hazardous_chemicals": 3,
    "logistics": 3,
    "construction": 2,
    "auto_repair": 1,
    "catering": 1,
    "retail": 1,
}
RURAL_MIX = {
    "manufacturing": 3,
    "retail": 3,
    "catering": 3,
    "auto_repair": 2,
    "logistics": 1,
    "construction": 1,
    "hazardous_chemicals": 1,
    "healthcare": 1,
}


def enterprises(layout: Layout, ids: RegionIds, seed: int, scale: int) -> Iterator[tuple]:
    for n, rng, block in scattered(layout, seed, "enterprises", TARGETS["enterprises"] * scale):
        mix = (
            INDUSTRIAL_MIX
            if _industrial(layout, block)
            else CENTRE_MIX
            if _density(layout, block) > 0.4
            else RURAL_MIX
        )
        category = rng.choices(list(mix), list(mix.values()))[0]
        first, second = names.ENTERPRISE_WORDS[category]
        name = f"张家港市{rng.choice(first)}{rng.choice(second)}"
        if category in ("catering", "retail", "auto_repair", "healthcare", "entertainment"):
            name = f"{rng.choice(first)}{rng.choice(second)}（{rng.choice(block.street_names)}店）"
        phone = mobile(rng) if rng.random() < 0.7 else f"0512-{rng.randrange(5000_0000, 5899_9999)}"
        yield (
            f"{name}{n:05d}" if scale > 1 else f"{name}",
            uscc(rng, n),
            category,
            f"张家港市{address(rng, block)}",
            person_name(rng),
            phone,
            rng.choices(["red", "white", "black"], [15, 75, 10])[0],
            ewkb(point_in_block(rng, block)),
            ids.grids[block.grid_index],
        )


def uscc(rng: random.Random, serial: int) -> str:
    """A check-digit-valid unified social credit code registered in 320582."""
    org8 = f"{serial * 104_729 % 10**8:08d}"  # a bijection on 8 digits: codes never repeat
    weights = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code check
    c9 = 11 - sum(int(ch) * w for ch, w in zip(org8, weights, strict=True)) % 11
    org9 = org8 + {10: "X", 11: "0"}.get(c9, str(c9))
    first17 = f"{rng.choice(['91', '92', '93'])}320582{org9}"
    return first17 + uscc_check_char(first17)


# --------------------------------------------------------------------------- events

CATEGORY_WEIGHTS = {
    "0101": 14,
    "0102": 5,
    "0103": 6,
    "0104": 2,
    "0105": 2,
    "0201": 8,
    "0202": 2,
    "0301": 3,
    "0302": 3,
    "0303": 3,
    "0304": 3,
    "0401": 10,
    "0402": 7,
    "0403": 5,
    "0404": 8,
    "0405": 2,
    "0406": 1,
    "0501": 3,
    "0502": 4,
    "0503": 3,
    "0504": 2,
    "0601": 3,
    "0602": 1,
    "0603": 1,
    "0701": 3,
    "0702": 1,
    "0703": 3,
    "0704": 1,
    "0801": 2,
    "0802": 3,
    "0803": 1,
}
SOURCES = {"grid_member": 60, "hotline": 18, "camera": 10, "public": 8, "patrol": 4}


def events(
    layout: Layout,
    ids: RegionIds,
    seed: int,
    scale: int,
    anchor: date,
    desks: Desks,
    staged: list[tuple],
) -> Iterator[tuple]:
    """Event rows with their work order's holders and deadline; each event's plan is
    appended to `staged` for the expansion into its history (data.demo.history)."""
    block_ids, p = block_weights(layout)
    gen = _np_rng(seed, "events", 0)
    total = TARGETS["events"] * scale
    picks = gen.choice(len(block_ids), size=total, p=p)
    day_offsets = np.sort(gen.integers(0, 365, size=total))[::-1]
    categories, cweights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    for n, (pick, days_ago) in enumerate(zip(picks.tolist(), day_offsets.tolist(), strict=True)):
        rng = _rng(seed, "event", n)
        block = layout.blocks[block_ids[pick]]
        day = anchor - timedelta(days=days_ago)
        reported = datetime.combine(day, datetime.min.time(), SHANGHAI) + timedelta(
            minutes=rng.randint(7 * 60 + 30, 20 * 60)
        )
        reported = min(reported, desks.anchor_end)
        category = rng.choices(categories, cweights)[0]
        street = rng.choice(block.street_names)
        event_no = f"SJ{day:%Y%m%d}{n:06d}"
        source = rng.choices(list(SOURCES), list(SOURCES.values()))[0]
        severity = rng.choices([1, 2, 3], [80, 17, 3])[0]
        urgency = rng.choices([1, 2, 3], [75, 20, 5])[0]
        where = f"张家港市{address(rng, block)}"
        reporter_name = person_name(rng)
        grid_id = ids.grids[block.grid_index]
        order = desks.work_order(
            rng, event_no=event_no, town_code=layout.towns[block.town_index].code,
            grid_id=grid_id, category=category, source=source, reported=reported,
            days_ago=days_ago,
        )  # fmt: skip
        staged.append(order.staged)
        if order.status is Status.REPORTED:
            # Claims take the most urgent first: what still waits in a pool is ordinary.
            urgency = 1
        yield (
            event_no,
            names.EVENT_TITLES[category].format(place=street),
            f"{street}附近，{names.EVENT_TITLES[category].format(place='现场')}，请尽快处置。",
            category,
            order.status.value,
            source,
            severity,
            urgency,
            where,
            order.reporter.name if order.reporter else reporter_name,
            reported,
            order.closed_at,
            ewkb(_near_street(rng, block)),
            grid_id,
            order.reporter.id if order.reporter else None,
            order.claimed_by_id,
            order.assignee_user_id,
            order.assignee_department_id,
            order.verifier_id,
            order.deadline,
        )


def _near_street(rng: random.Random, block: Block) -> Point:
    """Most events are seen from the street: a point just inside the block's edge."""
    ring = block.geom.exterior
    edge = ring.interpolate(rng.random(), normalized=True)
    c = block.geom.centroid
    d = math.hypot(c.x - edge.x, c.y - edge.y) or 1.0
    step = min(rng.uniform(4, 15), d / 2)
    p = Point(edge.x + (c.x - edge.x) / d * step, edge.y + (c.y - edge.y) / d * step)
    return p if block.geom.contains(p) else block.geom.representative_point()


# ------------------------------------------------------------- cameras, party sites


def cameras(layout: Layout, ids: RegionIds, seed: int, scale: int) -> Iterator[tuple]:
    for n, rng, block in scattered(layout, seed, "cameras", TARGETS["cameras"] * scale):
        corner = Point(rng.choice(list(block.geom.exterior.coords)[:-1]))
        c = block.geom.centroid
        d = math.hypot(c.x - corner.x, c.y - corner.y) or 1.0
        spot = Point(corner.x + (c.x - corner.x) / d * 6, corner.y + (c.y - corner.y) / d * 6)
        if not block.geom.contains(spot):
            spot = block.geom.representative_point()
        streets = block.street_names[:2]
        kind = rng.choices(["dome", "bullet", "high_point"], [5, 4, 1])[0]
        code = f"32058200{1 if kind == 'high_point' else 2}132{n:07d}"
        yield (
            f"{'与'.join(streets)}路口{'高点' if kind == 'high_point' else ''}监控",
            code,
            kind,
            f"rtsp://video.zjg.local:554/live/{code}",
            rng.random() > 0.05,
            ewkb(spot),
            ids.grids[block.grid_index],
        )


PARTY_KINDS = {"activity_room": 5, "practice_station": 3, "pioneer_post": 2}


def party_sites(layout: Layout, ids: RegionIds, seed: int, scale: int) -> Iterator[tuple]:
    for ci, community in enumerate(layout.communities):  # one service centre each
        rng = _rng(seed, "party-centre", ci)
        blocks = [b for b in layout.blocks if b.community_index == ci]
        block = max(blocks, key=lambda b: _density(layout, b))
        yield (
            f"{community.name}党群服务中心",
            f"中共张家港市{community.name}委员会",
            "service_centre",
            f"张家港市{address(rng, block)}",
            f"0512-{rng.randrange(5000_0000, 5899_9999)}",
            ewkb(point_in_block(rng, block)),
            ids.grids[block.grid_index],
        )
    extra = TARGETS["party_sites"] * scale - len(layout.communities)
    for n, rng, block in scattered(layout, seed, "party", extra, first=len(layout.communities) + 1):
        community = layout.communities[block.community_index].name
        kind = rng.choices(list(PARTY_KINDS), list(PARTY_KINDS.values()))[0]
        label = {
            "activity_room": "党员活动室",
            "practice_station": "新时代文明实践站",
            "pioneer_post": "党员先锋岗",
        }[kind]
        place = rng.choice(block.street_names)
        yield (
            f"{place}{label}" + (f"（{n}）" if scale > 1 else ""),
            f"中共张家港市{community}{rng.choice(block.street_names)}党支部",
            kind,
            f"张家港市{address(rng, block)}",
            mobile(rng),
            ewkb(point_in_block(rng, block)),
            ids.grids[block.grid_index],
        )


# ------------------------------------------------------------------ streets, routes


def streets(layout: Layout, ids: RegionIds) -> Iterator[tuple]:
    for s in layout.streets:
        yield (
            s.name,
            s.road_class,
            round(s.geom.length, 1),
            False,
            ewkb(s.geom),
            ids.towns[s.town_index],
        )


def patrol_routes(layout: Layout, ids: RegionIds, seed: int, scale: int) -> Iterator[tuple]:
    """Walks along the street network, a few per community, never revisiting a junction."""
    nodes: dict[tuple[float, float], list[int]] = {}
    for i, s in enumerate(layout.streets):
        for end in (s.geom.coords[0], s.geom.coords[-1]):
            nodes.setdefault(end, []).append(i)
    per_community = -(-TARGETS["patrol_routes"] * scale // len(layout.communities))
    for ci, community in enumerate(layout.communities):
        inside = [
            i
            for i, s in enumerate(layout.streets)
            if community.geom.contains(s.geom.interpolate(0.5, normalized=True))
        ]
        for k in range(per_community):
            rng = _rng(seed, "route", ci * 1000 + k)
            line = _walk(rng, layout, nodes, rng.choice(inside), rng.randint(12, 30))
            kind = "daily" if k % 3 else "special"
            yield (
                f"{community.name}{'日常' if kind == 'daily' else '专项'}巡查路线{k + 1}",
                kind,
                round(line.length, 1),
                ewkb(line),
                ids.communities[ci],
            )


def _walk(rng: random.Random, layout: Layout, nodes: dict, first: int, steps: int) -> LineString:  # noqa: E501
    seg = layout.streets[first].geom
    coords = list(seg.coords)
    visited = {coords[0], coords[-1]}
    for _ in range(steps):
        here = coords[-1]
        options = []
        for i in nodes[here]:
            g = list(layout.streets[i].geom.coords)
            if g[-1] == here:
                g.reverse()
            if g[-1] not in visited:
                options.append(g)
        if not options:
            break
        nxt = rng.choice(options)
        coords.extend(nxt[1:])
        visited.add(nxt[-1])
    return LineString(coords)
