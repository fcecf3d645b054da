"""The fixed geometry of the demo district: outline, towns, streets, blocks, regions.

Everything is drawn in metres (CGCS2000 3-degree Gauss-Krüger, central meridian 120°E)
and converted to lon/lat once at the end. Exact tiling comes from one noded line set:
district outline, town borders and streets are unioned (which nodes them) and
polygonized into blocks; every grid is a union of blocks, every community a union of its
grids' blocks, every town of its communities'. Neighbours therefore share identical edges.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon
from shapely.ops import polygonize, unary_union

from data.demo import names

GK_CRS = "EPSG:4549"  # CGCS2000 / 3-degree Gauss-Kruger CM 120E
_TO_GK = Transformer.from_crs("EPSG:4490", GK_CRS, always_xy=True)
_TO_LONLAT = Transformer.from_crs(GK_CRS, "EPSG:4490", always_xy=True)

ROAD_SPACING_M = 400.0  # between parallel streets; every 2nd is secondary, every 4th arterial


def to_gk(lon: float, lat: float) -> tuple[float, float]:
    return _TO_GK.transform(lon, lat)


def to_lonlat(geom):  # noqa: ANN001, ANN201 - any shapely geometry
    """Metres → lon/lat, rounded to 1e-7° (~1 cm) so shared vertices stay identical."""

    def tf(coords: np.ndarray) -> np.ndarray:
        x, y = _TO_LONLAT.transform(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([x, y]), 7)

    return shapely.transform(geom, tf)


@dataclass
class StreetSegment:
    geom: LineString  # metres
    name: str
    road_class: str
    town_index: int


@dataclass
class Block:
    geom: Polygon  # metres
    town_index: int
    community_index: int = -1  # index into Layout.communities, -1 outside detailed towns
    grid_index: int = -1
    street_names: list[str] = field(default_factory=list)


@dataclass
class RegionShape:
    code: str
    name: str
    geom: MultiPolygon  # metres
    parent_code: str | None


@dataclass
class Layout:
    outline: Polygon
    towns: list[RegionShape]
    communities: list[RegionShape]
    grids: list[RegionShape]
    streets: list[StreetSegment]
    blocks: list[Block]
    detailed_area: Polygon | MultiPolygon
    urban_centre: tuple[float, float]
    industrial_centre: tuple[float, float]


def _smooth_outline(rng: random.Random) -> Polygon:
    """The city outline with a little coastline-like wobble between the anchor points."""
    pts = [to_gk(lon, lat) for lon, lat in names.OUTLINE]
    wobbly: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
        nx, ny = -(y1 - y0), x1 - x0
        norm = math.hypot(nx, ny)
        phase = rng.uniform(0, math.tau)
        for k in range(12):
            t = k / 12
            offset = 350 * math.sin(math.pi * t) * math.sin(3 * math.pi * t + phase)
            wobbly.append(
                (x0 + t * (x1 - x0) + offset * nx / norm, y0 + t * (y1 - y0) + offset * ny / norm)
            )
    return Polygon(wobbly)


def _town_edges(outline: Polygon, seeds: list[tuple[float, float]]) -> shapely.Geometry:
    """Voronoi edges between town seats, each edge once (no near-duplicate borders)."""
    edges = shapely.voronoi_polygons(
        shapely.MultiPoint(seeds), only_edges=True, extend_to=outline.buffer(5000)
    )
    # GEOS may leave an edge a hair short of the vertex it should meet; a 2 m overshoot
    # turns every near miss into a crossing (the stubs are dangles polygonize ignores).
    return MultiLineString([_extend(e, 2.0) for e in edges.geoms]).intersection(outline.buffer(2.0))


def _extend(line: LineString, metres: float) -> LineString:
    coords = list(line.coords)

    def push(tip, towards):  # noqa: ANN001, ANN202
        dx, dy = tip[0] - towards[0], tip[1] - towards[1]
        n = math.hypot(dx, dy) or 1.0
        return (tip[0] + dx / n * metres, tip[1] + dy / n * metres)

    return LineString([push(coords[0], coords[1]), *coords, push(coords[-1], coords[-2])])


def _wavy_line(rng: random.Random, start, end, amplitude: float) -> LineString:  # noqa: ANN001
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    wavelength = rng.uniform(2500, 6000)
    phase = rng.uniform(0, math.tau)
    steps = max(2, int(length / 100))
    coords = []
    for k in range(steps + 1):
        t = k / steps
        d = amplitude * math.sin(math.tau * t * length / wavelength + phase)
        coords.append((x0 + t * (x1 - x0) + d * nx, y0 + t * (y1 - y0) + d * ny))
    return LineString(coords)


def _street_lines(rng: random.Random, area) -> list[tuple[LineString, str, str]]:  # noqa: ANN001
    """A slightly bent lattice of named streets over the detailed towns."""
    minx, miny, maxx, maxy = area.bounds
    pad = 200.0
    prefixes = list(names.STREET_PREFIXES)
    rng.shuffle(prefixes)
    used: set[str] = set()

    def name_for(i: int, arterials: list[str], axis: str) -> tuple[str, str]:
        if i % 4 == 0 and i // 4 < len(arterials):
            return arterials[i // 4], "arterial"
        road_class = "secondary" if i % 2 == 0 else "branch"
        suffixes = ("路", "街") if axis == "ew" else ("路", "巷", "街")
        while True:
            prefix = prefixes.pop() if prefixes else f"规划{len(used) + 1}"
            candidate = prefix + rng.choice(suffixes)
            if candidate not in used:
                used.add(candidate)
                return candidate, road_class

    lines = []
    ew_count = int((maxy - miny) / ROAD_SPACING_M) + 1
    for i in range(ew_count):
        y = miny + (i + 0.5) * ROAD_SPACING_M + rng.uniform(-60, 60)
        tilt = rng.uniform(-0.03, 0.03) * (maxx - minx)
        name, cls = name_for(i, names.ARTERIAL_EW, "ew")
        line = _wavy_line(rng, (minx - pad, y - tilt / 2), (maxx + pad, y + tilt / 2), 40)
        lines.append((line, name, cls))
    ns_count = int((maxx - minx) / ROAD_SPACING_M) + 1
    for i in range(ns_count):
        x = minx + (i + 0.5) * ROAD_SPACING_M + rng.uniform(-60, 60)
        tilt = rng.uniform(-0.03, 0.03) * (maxy - miny)
        name, cls = name_for(i, names.ARTERIAL_NS, "ns")
        line = _wavy_line(rng, (x - tilt / 2, miny - pad), (x + tilt / 2, maxy + pad), 40)
        lines.append((line, name, cls))
    return lines


def _largest_component(segments: list[LineString]) -> list[int]:
    """Indices of the segments in the biggest connected piece of the network."""
    parent: dict[tuple[float, float], tuple[float, float]] = {}

    def find(p):  # noqa: ANN001, ANN202
        while parent.setdefault(p, p) != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for seg in segments:
        a, b = seg.coords[0], seg.coords[-1]
        parent[find(a)] = find(b)
    sizes: dict[tuple[float, float], int] = {}
    for seg in segments:
        root = find(seg.coords[0])
        sizes[root] = sizes.get(root, 0) + 1
    best = max(sizes, key=lambda r: sizes[r])
    return [i for i, seg in enumerate(segments) if find(seg.coords[0]) == best]


def _nearest(points: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    d = ((points[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2)
    return d.argmin(axis=1)


def build_layout(seed: int) -> Layout:
    rng = random.Random(seed)
    outline = _smooth_outline(rng)
    town_seeds = [to_gk(lon, lat) for _, _, lon, lat, _ in names.TOWNS]
    town_borders = _town_edges(outline, town_seeds)
    detailed = [i for i, t in enumerate(names.TOWNS) if t[4]]

    # Approximate detailed area (the Voronoi cells of the detailed towns) to lay streets in.
    cells = shapely.voronoi_polygons(shapely.MultiPoint(town_seeds), extend_to=outline)
    approx_cells = [
        next(c for c in cells.geoms if c.contains(Point(s))).intersection(outline)
        for s in town_seeds
    ]
    detailed_approx = unary_union([approx_cells[i] for i in detailed])
    street_src = _street_lines(rng, detailed_approx)
    clip = detailed_approx.buffer(5.0)  # overshoot: dangles are dropped by polygonize
    clipped = [(line.intersection(clip), name, cls) for line, name, cls in street_src]

    linework = unary_union(
        [outline.exterior, town_borders] + [g for g, _, _ in clipped if not g.is_empty]
    )
    faces = list(polygonize(linework))
    seeds_arr = np.array(town_seeds)
    reps = np.array([f.representative_point().coords[0] for f in faces])
    face_town = _nearest(reps, seeds_arr)

    # Streets: the noded pieces inside the detailed towns, named after their source line.
    noded = [g for g in shapely.get_parts(linework) if isinstance(g, LineString)]
    src_tree = shapely.STRtree([g for g, _, _ in clipped])
    pieces = [
        s
        for s in noded
        if s.length > 1.0
        and detailed_approx.buffer(-1.0).contains(s.interpolate(0.5, normalized=True))
    ]
    mids = [s.interpolate(0.5, normalized=True) for s in pieces]
    src_idx = src_tree.nearest(mids)
    keep = _largest_component(pieces)
    streets = []
    for i in keep:
        seg = pieces[i]
        _, name, cls = clipped[src_idx[i]]
        town = int(_nearest(np.array([mids[i].coords[0]]), seeds_arr)[0])
        streets.append(StreetSegment(seg, name, cls, town))

    blocks = [Block(f, int(t)) for f, t in zip(faces, face_town, strict=True)]
    communities, grids = _divide_detailed_towns(rng, blocks, detailed)
    _name_block_streets(blocks, streets)

    towns = []
    for i, (code, name, *_rest) in enumerate(names.TOWNS):
        geom = unary_union([b.geom for b in blocks if b.town_index == i])
        towns.append(RegionShape(code, name, _multi(geom), names.DISTRICT[0]))
    detailed_area = unary_union([towns[i].geom for i in detailed])
    centre = to_gk(120.552, 31.875)
    industrial = to_gk(120.640, 31.845)
    return Layout(
        outline, towns, communities, grids, streets, blocks, detailed_area, centre, industrial
    )


def _multi(geom) -> MultiPolygon:  # noqa: ANN001
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    return MultiPolygon([g for g in geom.geoms if isinstance(g, Polygon)])


def _divide_detailed_towns(
    rng: random.Random, blocks: list[Block], detailed: list[int]
) -> tuple[list[RegionShape], list[RegionShape]]:
    """Communities are nearest-seed clusters of blocks; grids subdivide each community."""
    communities: list[RegionShape] = []
    grids: list[RegionShape] = []
    for town_index in detailed:
        town_code = names.TOWNS[town_index][0]
        town_blocks = [b for b in blocks if b.town_index == town_index]
        reps = np.array([b.geom.representative_point().coords[0] for b in town_blocks])
        community_names = names.COMMUNITIES[town_code]
        # Seeds spread out: farthest-point sampling from a random start.
        seeds = [reps[rng.randrange(len(reps))]]
        while len(seeds) < len(community_names):
            d = np.min([((reps - s) ** 2).sum(axis=1) for s in seeds], axis=0)
            seeds.append(reps[int(d.argmax())])
        # Two Lloyd steps even out community sizes.
        for _ in range(2):
            owner = _nearest(reps, np.array(seeds))
            seeds = [reps[owner == k].mean(axis=0) for k in range(len(seeds))]
        owner = _nearest(reps, np.array(seeds))
        for k, cname in enumerate(community_names):
            members = [b for b, o in zip(town_blocks, owner, strict=True) if o == k]
            ccode = f"{town_code[:9]}{k + 1:03d}"
            community_index = len(communities)
            for b in members:
                b.community_index = community_index
            communities.append(
                RegionShape(ccode, cname, _multi(unary_union([b.geom for b in members])), town_code)
            )
            grids.extend(_divide_community(rng, members, ccode, cname, len(grids)))
    return communities, grids


def _divide_community(
    rng: random.Random, members: list[Block], ccode: str, cname: str, first_index: int
) -> list[RegionShape]:
    reps = np.array([b.geom.representative_point().coords[0] for b in members])
    count = min(len(members), rng.randint(8, 12))
    picks = rng.sample(range(len(members)), count)
    seeds = reps[picks]
    for _ in range(3):
        owner = _nearest(reps, seeds)
        # Keep every seed on a block of its own so no grid ends up empty.
        seeds = np.array(
            [
                reps[owner == k].mean(axis=0) if (owner == k).any() else seeds[k]
                for k in range(count)
            ]
        )
    owner = _nearest(reps, seeds)
    used = sorted(set(owner.tolist()))
    shapes = []
    for serial, k in enumerate(used, start=1):
        members_k = [b for b, o in zip(members, owner, strict=True) if o == k]
        for b in members_k:
            b.grid_index = first_index + len(shapes)
        shapes.append(
            RegionShape(
                f"{ccode}{serial:03d}",
                f"{cname}第{serial:02d}网格",
                _multi(unary_union([b.geom for b in members_k])),
                ccode,
            )
        )
    return shapes


def _name_block_streets(blocks: list[Block], streets: list[StreetSegment]) -> None:
    """Remember the streets that bound each block: they make its addresses."""
    tree = shapely.STRtree([s.geom for s in streets])
    for b in blocks:
        if b.grid_index < 0:
            continue
        hits = tree.query(b.geom.boundary.buffer(2.0), predicate="intersects")
        b.street_names = sorted({streets[i].name for i in hits}) or ["无名路"]
