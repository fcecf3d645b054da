"""data.importer against the real PostGIS test database (each test rolled back)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from factories import RegionTree, box, make_region, make_region_tree, make_uscc
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy import text
from sqlalchemy.orm import Session

from data.importer import RULES, ImportRejected, import_file, main
from geo.core.coords import wgs84_to_gcj02
from geo.core.geometry import load_governed_area
from geo.layers import LAYERS

ROOT = Path(__file__).resolve().parents[2]

# Points in the factory tree (119.0-119.2E, 29.0-29.2N): grid 0 is the west half.
WEST = Point(119.05, 29.05)
EAST = Point(119.15, 29.15)


@pytest.fixture
def tree(db: Session) -> RegionTree:
    return make_region_tree(db)


def write_geojson(
    path: Path, features: Iterable[tuple[dict[str, Any], BaseGeometry | None]]
) -> Path:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": None if g is None else mapping(g)}
            for props, g in features
        ],
    }
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def enterprise(serial: int, **extra: Any) -> dict[str, Any]:
    return {"name": f"测试企业{serial}", "uscc": make_uscc(serial), "category": "catering", **extra}


def building(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "floors": 6, "use": "residential", **extra}


def count(db: Session, table: str) -> int:
    return int(db.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def rows_by_uscc(db: Session, usccs: Iterable[str]) -> dict[str, Any]:
    rows = db.execute(
        text(
            "SELECT uscc, name, region_id, risk_list, contact_phone, legal_representative, "
            "ST_X(geom) AS lon, ST_Y(geom) AS lat, ST_SRID(geom) AS srid "
            "FROM enterprise WHERE uscc = ANY(:u)"
        ),
        {"u": list(usccs)},
    ).all()
    return {row.uscc: row for row in rows}


def rejected(db: Session, **kwargs: Any) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        import_file(db, **kwargs)
    return caught.value


# ------------------------------------------------------------------------ good files


def test_good_geojson_of_enterprises_imports(db: Session, tree: RegionTree, tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "企业.geojson",
        [
            (enterprise(1, id=77, contact_phone="138 1234 5678"), WEST),
            (enterprise(2, uscc=make_uscc(2).lower(), risk_list="red"), EAST),
        ],
    )
    before = count(db, "enterprise")

    report = import_file(db, layer_id="enterprises", path=path, crs="cgcs2000")

    assert (report.layer, report.inserted, report.skipped, report.crs) == (
        "enterprises",
        2,
        0,
        "cgcs2000",
    )
    assert report.region_assigned == 2
    assert report.elapsed >= 0
    assert count(db, "enterprise") == before + 2
    rows = rows_by_uscc(db, [make_uscc(1), make_uscc(2)])
    west, east = rows[make_uscc(1)], rows[make_uscc(2)]  # the lower-case code was normalised
    assert west.region_id == tree.grids[0].id
    assert east.region_id == tree.grids[1].id
    assert west.contact_phone == "13812345678"
    assert (west.risk_list, east.risk_list) == ("white", "red")  # the column default applies
    assert (west.lon, west.lat, west.srid) == (119.05, 29.05, 4490)
    assert "已导入 2 个要素" in report.summary()


def test_feature_outside_every_grid_keeps_region_null(
    db: Session, tree: RegionTree, tmp_path: Path
) -> None:
    # A second district next door, governed but without any grid yet.
    make_region(db, level="district", code="990200000000", geom=box(119.2, 29.0, 119.4, 29.2))
    path = write_geojson(tmp_path / "e.geojson", [(enterprise(3), Point(119.3, 29.1))])

    report = import_file(db, layer_id="enterprises", path=path, crs="wgs84")

    assert (report.inserted, report.region_assigned) == (1, 0)
    assert rows_by_uscc(db, [make_uscc(3)])[make_uscc(3)].region_id is None
    assert "1 个未落在任何网格内" in report.summary()


# ------------------------------------------------------------------------- bad files


def test_bad_features_are_all_listed_and_nothing_is_written(
    db: Session, tree: RegionTree, tmp_path: Path
) -> None:
    bad_uscc = make_uscc(14)[:-1] + ("0" if make_uscc(14)[-1] != "0" else "1")
    path = write_geojson(
        tmp_path / "bad.geojson",
        [
            (enterprise(10), WEST),  # 0 good
            (enterprise(11), Point(29.05, 119.05)),  # 1 lat/lon swapped
            (enterprise(12), Point(105.0, 35.0)),  # 2 in China, outside the governed area
            (enterprise(13), LineString([(119.01, 29.01), (119.02, 29.02)])),  # 3 wrong type
            (enterprise(14, uscc=bad_uscc), EAST),  # 4 wrong check character
            (enterprise(15), EAST),  # 5 good
        ],
    )
    before = count(db, "enterprise")

    err = rejected(db, layer_id="enterprises", path=path, crs="cgcs2000")

    assert [e.index for e in err.errors] == [1, 2, 3, 4]
    reasons = dict(err.errors)
    assert "经纬度顺序颠倒" in reasons[1]
    assert "位置不在辖区范围内" in reasons[2]
    assert "几何类型错误" in reasons[3] and "线（LineString）" in reasons[3]
    assert "统一社会信用代码" in reasons[4] and bad_uscc in reasons[4]
    assert count(db, "enterprise") == before
    assert "要素 #3（第 4 个）" in str(err)


def test_invalid_buildings_are_rejected(db: Session, tree: RegionTree, tmp_path: Path) -> None:
    bow_tie = Polygon([(119.01, 29.01), (119.02, 29.02), (119.02, 29.01), (119.01, 29.02)])
    square = shapely.box(119.03, 29.03, 119.04, 29.04)
    path = write_geojson(
        tmp_path / "buildings.geojson",
        [
            (building("一号楼"), square),  # 0 good
            (building("二号楼"), bow_tie),  # 1 self-intersecting
            (building("三号楼", floors=0, built_year=10**10), square),  # 2 out of range
            (building("四号楼", use="villa", floors="六"), square),  # 3 two bad values
            ({"floors": 3, "use": "public"}, square),  # 4 no name
        ],
    )
    before = count(db, "building")

    err = rejected(db, layer_id="buildings", path=path, crs="cgcs2000")

    reasons = dict(err.errors)
    assert sorted(reasons) == [1, 2, 3, 4]
    assert "几何无效：自相交（Self-intersection）于 119.015 29.015" in reasons[1]
    assert "层数" in reasons[2] and "1 到 200" in reasons[2]
    assert "建成年份" in reasons[2] and "超出范围" in reasons[2]
    assert "villa" in reasons[3] and "residential" in reasons[3]
    assert "应为整数" in reasons[3]
    assert "缺少必填项" in reasons[4] and "name" in reasons[4]
    assert count(db, "building") == before


def test_duplicate_codes_in_file_and_database(
    db: Session, tree: RegionTree, tmp_path: Path
) -> None:
    first = write_geojson(tmp_path / "a.geojson", [(enterprise(20), WEST)])
    import_file(db, layer_id="enterprises", path=first, crs="cgcs2000")
    second = write_geojson(
        tmp_path / "b.geojson",
        [(enterprise(20), WEST), (enterprise(21), WEST), (enterprise(21), EAST)],
    )

    err = rejected(db, layer_id="enterprises", path=second, crs="cgcs2000")

    reasons = dict(err.errors)
    assert sorted(reasons) == [0, 2]
    assert "已存在" in reasons[0]
    assert "与要素 #1 重复" in reasons[2]


def test_bad_phone_and_enum_are_reported(db: Session, tree: RegionTree, tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "e.geojson",
        [(enterprise(30, contact_phone="12345", category="bakery"), WEST)],
    )
    (error,) = rejected(db, layer_id="enterprises", path=path, crs="cgcs2000").errors
    assert "无效的电话号码" in error.reason
    assert "bakery" in error.reason


def test_all_features_in_projected_metres_give_a_crs_hint(
    db: Session, tree: RegionTree, tmp_path: Path
) -> None:
    path = write_geojson(tmp_path / "m.geojson", [(enterprise(31), Point(40_495_000, 3_209_000))])
    err = rejected(db, layer_id="enterprises", path=path, crs="wgs84")
    assert "请确认 --crs" in str(err)
    assert "坐标不是经纬度" in err.errors[0].reason


# ------------------------------------------------------------------- other formats


def enterprise_frame(crs: int | str = 4490, **geoms: BaseGeometry) -> gpd.GeoDataFrame:
    serials = range(40, 40 + len(geoms))
    return gpd.GeoDataFrame(
        {
            "name": list(geoms),
            "uscc": [make_uscc(s) for s in serials],
            "category": ["retail"] * len(geoms),
            "legal_representative": ["张三"] * len(geoms),
            "contact_phone": ["0579-82345678"] * len(geoms),
        },
        geometry=list(geoms.values()),
        crs=crs,
    )


def assert_imported(db: Session, tree: RegionTree, frame: gpd.GeoDataFrame) -> None:
    rows = rows_by_uscc(db, frame["uscc"])
    assert len(rows) == len(frame)
    for uscc, name in zip(frame["uscc"], frame["name"], strict=True):
        row = rows[uscc]
        assert row.name == name
        assert row.legal_representative == "张三"
        assert row.contact_phone == "0579-82345678"
        assert row.region_id in {g.id for g in tree.grids}


SHAPEFILE_LAUNDERING = pytest.mark.filterwarnings(
    "ignore:Column names longer than 10:UserWarning", "ignore:Normalized/laundered:RuntimeWarning"
)


@SHAPEFILE_LAUNDERING
def test_shapefile_round_trip_maps_truncated_field_names(
    db: Session, tree: RegionTree, tmp_path: Path
) -> None:
    frame = enterprise_frame(甲=WEST, 乙=EAST)
    frame.to_file(tmp_path / "ents.shp", encoding="utf-8")  # legal_representative → legal_repr

    report = import_file(db, layer_id="enterprises", path=tmp_path / "ents.shp", crs="cgcs2000")

    assert report.inserted == 2
    assert not report.warnings
    assert_imported(db, tree, frame)


@SHAPEFILE_LAUNDERING
def test_zipped_shapefile_round_trip(db: Session, tree: RegionTree, tmp_path: Path) -> None:
    frame = enterprise_frame(甲=WEST)
    (tmp_path / "shp").mkdir()
    frame.to_file(tmp_path / "shp" / "ents.shp", encoding="utf-8")
    archive = tmp_path / "ents.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in (tmp_path / "shp").iterdir():
            zf.write(part, f"导出/{part.name}")  # in a folder, as people zip them

    report = import_file(db, layer_id="enterprises", path=archive, crs="cgcs2000")

    assert report.inserted == 1
    assert_imported(db, tree, frame)


def test_geopackage_round_trip_with_layer_choice(
    db: Session, tree: RegionTree, tmp_path: Path
) -> None:
    path = tmp_path / "data.gpkg"
    buildings = gpd.GeoDataFrame(
        {
            "name": ["一号楼", "二号楼"],
            "floors": [3, 18],
            "use": ["residential", "mixed"],
            "built_year": [1998, 2015],
        },
        geometry=[
            shapely.box(119.01, 29.01, 119.02, 29.02),
            shapely.box(119.11, 29.11, 119.12, 29.12),
        ],
        crs=4490,
    )
    buildings.to_file(path, layer="房屋")
    enterprise_frame(甲=WEST).to_file(path, layer="企业")

    with pytest.raises(ImportRejected, match="--layer"):
        import_file(db, layer_id="buildings", path=path, crs="cgcs2000")
    report = import_file(db, layer_id="buildings", path=path, crs="cgcs2000", source_layer="房屋")

    assert (report.inserted, report.region_assigned) == (2, 2)
    rows = db.execute(
        text(
            "SELECT name, floors, use, built_year, region_id, GeometryType(geom) AS kind "
            "FROM building WHERE name IN ('一号楼', '二号楼') AND region_id = ANY(:g) ORDER BY name"
        ),
        {"g": [g.id for g in tree.grids]},
    ).all()
    assert [(r.name, r.floors, r.use, r.built_year, r.kind) for r in rows] == [
        ("一号楼", 3, "residential", 1998, "MULTIPOLYGON"),
        ("二号楼", 18, "mixed", 2015, "MULTIPOLYGON"),
    ]
    assert [r.region_id for r in rows] == [tree.grids[0].id, tree.grids[1].id]


def test_kml_round_trip(db: Session, tree: RegionTree, tmp_path: Path) -> None:
    frame = enterprise_frame(甲=WEST, 乙=EAST)
    frame.to_file(tmp_path / "ents.kml", driver="KML")  # name becomes the Placemark <name>

    report = import_file(db, layer_id="enterprises", path=tmp_path / "ents.kml", crs="wgs84")

    assert report.inserted == 2
    assert not report.warnings  # KML styling fields are not reported as unknown
    assert_imported(db, tree, frame)


def test_hand_written_kml_with_data_and_multigeometry(
    db: Session, tree: RegionTree, tmp_path: Path
) -> None:
    path = tmp_path / "企业.kml"
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>企业点位</name>
  <Placemark><name>甲公司</name>
    <ExtendedData>
      <Data name="uscc"><value>{make_uscc(50)}</value></Data>
      <Data name="category"><value>logistics</value></Data>
    </ExtendedData>
    <Point><coordinates>119.05,29.05,12</coordinates></Point>
  </Placemark>
  <Placemark><name>乙公司</name>
    <ExtendedData>
      <Data name="uscc"><value>{make_uscc(51)}</value></Data>
      <Data name="category"><value>retail</value></Data>
    </ExtendedData>
    <MultiGeometry><Point><coordinates>119.15,29.15</coordinates></Point></MultiGeometry>
  </Placemark>
</Document></kml>""",
        encoding="utf-8",
    )

    report = import_file(db, layer_id="enterprises", path=path, crs="cgcs2000")

    assert report.inserted == 2
    rows = rows_by_uscc(db, [make_uscc(50), make_uscc(51)])
    assert rows[make_uscc(50)].name == "甲公司"
    assert rows[make_uscc(51)].region_id == tree.grids[1].id


# ------------------------------------------------------------ coordinate systems


def test_gauss_kruger_zone_40_lands_at_the_right_place(
    db: Session, tree: RegionTree, tmp_path: Path
) -> None:
    to_gk = Transformer.from_crs(4490, 4528, always_xy=True)
    x, y = to_gk.transform(119.05, 29.05)
    assert 40_000_000 < x < 41_000_000  # zone number in the false easting
    frame = enterprise_frame(crs=4528, 甲=Point(x, y))
    frame.to_file(tmp_path / "gk.gpkg")

    report = import_file(db, layer_id="enterprises", path=tmp_path / "gk.gpkg", crs="EPSG:4528")

    assert report.crs == "gk3:40"
    row = rows_by_uscc(db, frame["uscc"])[frame["uscc"][0]]
    assert row.lon == pytest.approx(119.05, abs=1e-6)
    assert row.lat == pytest.approx(29.05, abs=1e-6)
    assert row.region_id == tree.grids[0].id


def test_gcj02_is_converted_back(db: Session, tree: RegionTree, tmp_path: Path) -> None:
    gcj = wgs84_to_gcj02(119.15, 29.15)
    assert abs(gcj[0] - 119.15) > 1e-4  # the shift is real: the test fails if it is skipped
    path = write_geojson(tmp_path / "amap.geojson", [(enterprise(60), Point(*gcj))])

    report = import_file(db, layer_id="enterprises", path=path, crs="gcj02")

    assert report.crs == "gcj02"
    row = rows_by_uscc(db, [make_uscc(60)])[make_uscc(60)]
    assert row.lon == pytest.approx(119.15, abs=1e-5)
    assert row.lat == pytest.approx(29.15, abs=1e-5)


def test_file_crs_that_disagrees_is_mentioned(
    db: Session, tree: RegionTree, tmp_path: Path
) -> None:
    frame = enterprise_frame(crs=4528, 甲=WEST)  # lon/lat numbers, but the file says GK
    frame.to_file(tmp_path / "mislabelled.gpkg")
    report = import_file(
        db, layer_id="enterprises", path=tmp_path / "mislabelled.gpkg", crs="wgs84"
    )
    assert any("EPSG:4528" in w for w in report.warnings)


# -------------------------------------------------------------- file-level rejection


def test_unknown_crs_is_rejected(db: Session, tree: RegionTree, tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "e.geojson", [(enterprise(70), WEST)])
    err = rejected(db, layer_id="enterprises", path=path, crs="beijing54")
    assert "不支持的坐标系" in str(err)
    assert err.errors == []


def test_unknown_layer_is_rejected(db: Session, tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "e.geojson", [(enterprise(71), WEST)])
    assert "未知图层" in str(rejected(db, layer_id="shops", path=path, crs="wgs84"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.geojson", '{"type": "FeatureCollection", "features": [ {', "无法读取文件"),
        ("broken.kml", "<kml><Document><Placemark>", "无法读取文件"),
        ("broken.gpkg", "not a database", "无法读取文件"),
        ("broken.zip", "not a zip", "无法读取压缩包"),
        ("table.csv", "name,lon,lat\na,119,29\n", "不支持的文件类型"),
        ("empty.geojson", '{"type": "FeatureCollection", "features": []}', "没有任何要素"),
    ],
)
def test_malformed_files_are_rejected(
    db: Session, tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert message in str(rejected(db, layer_id="enterprises", path=path, crs="wgs84"))


def test_missing_file_is_rejected(db: Session, tmp_path: Path) -> None:
    err = rejected(db, layer_id="enterprises", path=tmp_path / "nope.geojson", crs="wgs84")
    assert "文件不存在" in str(err)


# ------------------------------------------------------------- other layer rules


def test_region_layer_sets_level_and_parent(db: Session, tree: RegionTree, tmp_path: Path) -> None:
    community = tree.community.code
    path = write_geojson(
        tmp_path / "grids.geojson",
        [
            (
                {"code": f"{community}101", "name": "新网格一"},
                shapely.box(119.0, 29.0, 119.05, 29.05),
            ),
            (
                {"code": f"{community}102", "name": "新网格二", "parent_code": community},
                shapely.box(119.05, 29.0, 119.1, 29.05),
            ),
        ],
    )

    report = import_file(db, layer_id="grids", path=path, crs="cgcs2000")

    assert report.inserted == 2
    rows = db.execute(
        text("SELECT code, level, parent_id, path::text AS path FROM region WHERE code LIKE :c"),
        {"c": f"{community}1%"},
    ).all()
    assert {(r.level, r.parent_id) for r in rows} == {("grid", tree.community.id)}
    assert {r.path.split(".")[-1] for r in rows} == {f"{community}101", f"{community}102"}


def test_region_layer_rules(db: Session, tree: RegionTree, tmp_path: Path) -> None:
    square = shapely.box(119.0, 29.0, 119.1, 29.1)
    town, district = tree.town.code, tree.district.code
    communities = [
        ("99010000100", town),  # 0: 11 digits
        ("990100001777", "990100999000"),  # 1: no such parent
        ("990100001778", district),  # 2: parent is not a town
        ("990100001779", None),  # 3: no parent given
        (tree.community.code, town),  # 4: code taken
    ]
    path = write_geojson(
        tmp_path / "communities.geojson",
        [({"code": c, "name": "社区", "parent_code": p}, square) for c, p in communities],
    )

    reasons = dict(rejected(db, layer_id="communities", path=path, crs="cgcs2000").errors)

    assert "应为 12 位数字" in reasons[0]
    assert "不存在" in reasons[1]
    assert "不是镇街" in reasons[2]
    assert "缺少必填项" in reasons[3] and "parent_code" in reasons[3]
    assert "已存在" in reasons[4]


def test_streets_get_length_and_town(db: Session, tree: RegionTree, tmp_path: Path) -> None:
    line = LineString([(119.01, 29.1), (119.19, 29.1)])
    path = write_geojson(
        tmp_path / "streets.geojson", [({"name": "测试路", "road_class": "branch"}, line)]
    )

    import_file(db, layer_id="streets", path=path, crs="cgcs2000")

    row = db.execute(
        text(
            "SELECT length_m, region_id, oneway, ST_Length(geom::geography) AS true_length "
            "FROM street WHERE name = '测试路' AND region_id = :t"
        ),
        {"t": tree.town.id},
    ).one()
    assert row.length_m == pytest.approx(row.true_length, rel=1e-3)  # ~17.5 km
    assert row.oneway is False


def test_construction_site_entrance_defaults_inside_the_site(
    db: Session, tree: RegionTree, tmp_path: Path
) -> None:
    site = MultiPolygon([shapely.box(119.12, 29.12, 119.13, 29.13)])
    path = write_geojson(
        tmp_path / "sites.geojson",
        [({"name": "测试工地", "status": "active", "start_date": "2024-03-01"}, site)],
    )

    import_file(db, layer_id="construction_sites", path=path, crs="cgcs2000")

    row = db.execute(
        text(
            "SELECT start_date::text AS start, ST_Covers(geom, entrance) AS inside, region_id "
            "FROM construction_site WHERE name = '测试工地'"
        )
    ).one()
    assert (row.start, row.inside, row.region_id) == ("2024-03-01", True, tree.grids[1].id)


def test_events_check_category_and_read_times_as_beijing(
    db: Session, tree: RegionTree, tmp_path: Path
) -> None:
    event = {
        "title": "占道经营",
        "status": "reported",
        "source": "hotline",
        "reported_at": "2024-05-01 08:30:00",
    }
    path = write_geojson(
        tmp_path / "events.geojson",
        [
            ({**event, "event_no": "T990100-0001", "category_code": "0401"}, WEST),
            ({**event, "event_no": "T990100-0002", "category_code": "9999"}, WEST),
        ],
    )
    err = rejected(db, layer_id="events", path=path, crs="cgcs2000")
    assert [e.index for e in err.errors] == [1]
    assert "9999" in err.errors[0].reason and "不存在" in err.errors[0].reason

    write_geojson(path, [({**event, "event_no": "T990100-0001", "category_code": "0401"}, WEST)])
    import_file(db, layer_id="events", path=path, crs="cgcs2000")
    reported = db.execute(
        text("SELECT reported_at FROM event WHERE event_no = 'T990100-0001'")
    ).scalar_one()
    assert reported == datetime(2024, 5, 1, 0, 30, tzinfo=UTC)


def test_governed_area_is_the_union_of_districts(db: Session, tree: RegionTree) -> None:
    area = load_governed_area(db)
    assert area is not None
    assert shapely.covers(area, Point(119.1, 29.1))
    assert not shapely.covers(area, Point(105.0, 35.0))


def test_value_rules_match_the_check_constraints() -> None:
    """The value table must say exactly what the database's CHECK constraints say."""
    checked = 0
    for table in {layer.table for layer in LAYERS.values()} - {LAYERS["towns"].table}:
        for constraint in table.constraints:
            sql = str(getattr(constraint, "sqltext", ""))
            if found := re.fullmatch(r"(\w+) IN \((.*)\)", sql):
                rule = RULES[table.name][found[1]]
                assert rule.choices is not None, sql
                assert {c.value for c in rule.choices} == set(re.findall(r"'([^']*)'", found[2]))
                checked += 1
            elif found := re.fullmatch(r"(\w+) BETWEEN (\d+) AND (\d+)", sql):
                rule = RULES[table.name][found[1]]
                assert rule.between == (int(found[2]), int(found[3])), sql
                checked += 1
    assert checked == 13  # 10 IN lists, 3 ranges


# --------------------------------------------------------------------------- the CLI


def test_cli_imports_and_dry_runs(
    db: Session, tree: RegionTree, tmp_path: Path, capsys: Any
) -> None:
    path = write_geojson(tmp_path / "e.geojson", [(enterprise(80), WEST)])
    args = ["enterprises", str(path), "--crs", "cgcs2000"]

    assert main([*args, "--dry-run"], session=db) == 0
    assert "试运行" in capsys.readouterr().out
    assert rows_by_uscc(db, [make_uscc(80)]) == {}

    assert main(args, session=db) == 0
    assert "已导入 1 个要素" in capsys.readouterr().out
    assert make_uscc(80) in rows_by_uscc(db, [make_uscc(80)])


def test_cli_rejections_and_usage(
    db: Session, tree: RegionTree, tmp_path: Path, capsys: Any
) -> None:
    bad = write_geojson(tmp_path / "bad.geojson", [(enterprise(81), Point(105.0, 35.0))])
    assert main(["enterprises", str(bad), "--crs", "cgcs2000"], session=db) == 1
    assert "要素 #0" in capsys.readouterr().err
    assert main(["enterprises", str(bad), "--crs", "nad27"], session=db) == 1
    assert main(["enterprises", str(bad)], session=db) == 2  # --crs missing
    assert "用法错误" in capsys.readouterr().err


def test_cli_as_a_program(tmp_path: Path) -> None:
    """`python -m data.importer` exit codes; no database writes happen on these paths."""
    path = write_geojson(tmp_path / "e.geojson", [(enterprise(90), WEST)])
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "data.importer", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
        )

    usage = run("enterprises")
    assert usage.returncode == 2
    assert "用法错误" in usage.stderr
    unknown = run("enterprises", str(path), "--crs", "beijing54")
    assert unknown.returncode == 1
    assert "不支持的坐标系" in unknown.stderr
    assert run("--help").returncode == 0
