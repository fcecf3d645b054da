"""Files → features: read one layer of a GIS file with pyogrio, then map its fields.

Its bundled GDAL reads KML with the LIBKML driver (Placemark Point/LineString/Polygon/
MultiGeometry; ExtendedData SimpleData and Data become fields, <name>/<description>
arrive as Name/description).
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from data.importer.errors import ImportRejected
from data.importer.rules import DATABASE_OWNED, LayerSpec

SUPPORTED = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "Shapefile",
    ".zip": "Shapefile",  # a zip holding one .shp with its .dbf/.shx/.prj
    ".gpkg": "GeoPackage",
    ".kml": "KML",
    ".kmz": "KML",
}
SHAPEFILE_NAME_LIMIT = 10  # DBF field names are cut to 10 characters

# Fields LIBKML adds to every KML layer; they describe styling, not the feature.
_KML_STRUCTURAL = frozenset(
    {"id", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude"}
    | {"visibility", "drawOrder", "icon", "snippet"}
)
_KML_STANDARD = frozenset({"description"})  # a Placemark's own element, kept if a column

_READ_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
    OSError,
    ValueError,
)


@dataclass
class Source:
    kind: str  # GeoJSON, Shapefile, GeoPackage, KML
    records: list[dict[str, Any]]
    geometries: list[BaseGeometry | None]
    epsg: int | None  # the CRS the file itself declares, if any


def read_source(path: Path, source_layer: str | None = None) -> Source:
    """Read every feature of one layer of a file, in file order."""
    kind = _kind(path)
    gdal_path = str(path)
    if path.suffix.lower() == ".zip":  # --layer picks the .shp inside the archive
        gdal_path, source_layer = _zipped_shapefile(path, source_layer), None
    try:
        layer = _pick_layer(gdal_path, source_layer)
        with warnings.catch_warnings():  # e.g. mixed-type GeoJSON columns; we check values
            warnings.simplefilter("ignore", UserWarning)
            frame = pyogrio.read_dataframe(gdal_path, layer=layer, datetime_as_string=True)
    except _READ_ERRORS as exc:
        raise ImportRejected(f"无法读取文件 {path.name}：{exc}") from exc
    epsg = CRS.from_user_input(frame.crs).to_epsg() if frame.crs is not None else None
    geometries = list(frame.geometry.array)
    records = frame.drop(columns=frame.geometry.name).to_dict("records")
    if kind == "KML":
        records = [_kml_fields(r) for r in records]
    return Source(kind, records, geometries, epsg)


def _kind(path: Path) -> str:
    if not path.exists():
        raise ImportRejected(f"文件不存在：{path}")
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise ImportRejected(
            f"不支持的文件类型「{path.suffix or path.name}」：支持 GeoJSON（.geojson/.json）、"
            "Shapefile（.shp 或装有 .shp 的 .zip）、GeoPackage（.gpkg）、KML（.kml/.kmz）"
        )
    return kind


def _zipped_shapefile(path: Path, source_layer: str | None) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".shp")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRejected(f"无法读取压缩包 {path.name}：{exc}") from exc
    if source_layer is not None:
        members = [m for m in members if Path(m).stem == source_layer]
    if len(members) != 1:
        found = "没有找到 .shp 文件" if not members else f"有多个 .shp 文件：{'、'.join(members)}"
        hint = "" if not members else "，请用 --layer 指定其中一个（不含扩展名）"
        raise ImportRejected(f"压缩包 {path.name} 中{found}{hint}")
    return f"/vsizip/{path.resolve()}/{members[0]}"


def _pick_layer(gdal_path: str, source_layer: str | None) -> str:
    names = [str(name) for name, _ in pyogrio.list_layers(gdal_path)]
    if source_layer is not None:
        if source_layer not in names:
            raise ImportRejected(f"文件中没有图层「{source_layer}」；可用图层：{'、'.join(names)}")
        return source_layer
    if len(names) != 1:
        raise ImportRejected(
            f"文件包含 {len(names)} 个图层（{'、'.join(names) or '无'}），"
            "请用 --layer 指定要导入的图层"
        )
    return names[0]


def _kml_fields(record: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in record.items() if k not in _KML_STRUCTURAL and k != "Name"}
    if "name" not in out and "Name" in record:  # <name> of the Placemark
        out["name"] = record["Name"]
    return out


def map_fields(spec: LayerSpec, source: Source) -> tuple[list[dict[str, Any]], list[str]]:
    """Rename file fields to column names, cleaning values; ignore the rest (and say so)."""
    names = list(source.records[0])
    mapping: dict[str, str] = {}
    for name in names:
        if name in spec.fields:
            mapping[name] = name
        elif source.kind == "Shapefile" and len(name) == SHAPEFILE_NAME_LIMIT:
            longer = [f for f in spec.fields if len(f) > len(name) and f.startswith(name)]
            if len(longer) == 1:
                mapping[name] = longer[0]
    silent = DATABASE_OWNED | (_KML_STANDARD if source.kind == "KML" else frozenset())
    ignored = [n for n in names if n not in mapping and n not in silent]
    notes = [f"已忽略不属于该图层的字段：{'、'.join(ignored)}"] if ignored else []
    records = [
        {mapping[k]: _clean(v) for k, v in r.items() if k in mapping} for r in source.records
    ]
    return records, notes


def _clean(value: Any) -> Any:
    """Missing (None / NaN / NaT / "") → None; numpy scalars → Python; strings stripped."""
    if value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value))):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
