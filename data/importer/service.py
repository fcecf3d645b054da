"""The use case: check every feature of a file, then insert them all into a layer, or none."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from data.importer.checks import check_references, check_unique, resolve_parents
from data.importer.errors import ImportRejected
from data.importer.reading import Source, map_fields, read_source
from data.importer.rules import layer_spec
from data.importer.validation import Checked, check_feature
from data.importer.writing import assign_regions, insert_features
from geo.core.crs import SourceCRS, UnknownCRSError, parse_source_crs
from geo.core.geometry import load_governed_area
from geo.core.srid import STORAGE_SRID
from geo.layers import LAYERS, get_layer

__all__ = ["ImportRejected", "ImportReport", "import_file"]

_LONLAT_EPSG = {STORAGE_SRID, 4326}
_COORDINATE_CODES = {"not_lonlat", "swapped_lonlat"}  # geometry errors a wrong --crs causes


@dataclass(frozen=True)
class ImportReport:
    layer: str
    inserted: int
    crs: str  # canonical label of the source CRS, e.g. "gk3:40"
    elapsed: float  # seconds
    source: str
    region_assigned: int = 0  # rows whose region_id was set (region layers: 0)
    skipped: int = 0  # always 0: an import is all or nothing
    warnings: tuple[str, ...] = ()

    def summary(self, *, dry_run: bool = False) -> str:
        layer = LAYERS[self.layer]
        verb = "检查通过，可导入" if dry_run else "已导入"
        lines = [
            f"{verb} {self.inserted} 个要素到图层「{layer.title}」（{self.layer}），"
            f"源坐标系 {self.crs}，跳过 {self.skipped} 个，用时 {self.elapsed:.2f} 秒",
        ]
        if "region_id" in layer.table.c:
            unit = "镇街" if layer.geometry_type == "LineString" else "网格"
            lines.append(
                f"其中 {self.region_assigned} 个已归入{unit}，"
                f"{self.inserted - self.region_assigned} 个未落在任何{unit}内"
            )
        lines += [f"提示：{w}" for w in self.warnings]
        return "\n".join(lines)


def import_file(
    session: Session,
    *,
    layer_id: str,
    path: Path,
    crs: str,
    source_layer: str | None = None,
) -> ImportReport:
    """Check every feature of ``path`` and insert them all into ``layer_id``, or none.

    Runs in the caller's transaction (no commit). Raises ImportRejected for an unknown
    layer or CRS, an unreadable file, or when any feature is bad (``errors`` lists them).
    """
    started = time.perf_counter()
    layer = get_layer(layer_id)
    if layer is None:
        raise ImportRejected(f"未知图层「{layer_id}」；可用图层：{'、'.join(LAYERS)}")
    try:
        source_crs = parse_source_crs(crs)
    except UnknownCRSError as exc:
        raise ImportRejected(str(exc)) from exc
    path = Path(path)
    source = read_source(path, source_layer)
    if not source.records:
        raise ImportRejected(f"文件 {path.name} 中没有任何要素")
    spec = layer_spec(layer.id)
    records, notes = map_fields(spec, source)
    area = load_governed_area(session)
    if area is None:
        notes.append("尚未建立辖区（区县）范围，未检查要素是否在辖区内")
    crs_note = _crs_mismatch(source, source_crs)
    if crs_note:
        notes.append(crs_note)
    checked = [
        check_feature(spec, source_crs, props, geom, area)
        for props, geom in zip(records, source.geometries, strict=True)
    ]
    check_unique(session, spec, checked)
    check_references(session, spec, checked)
    resolve_parents(session, spec, checked)
    _reject_if_any_bad(checked, crs_note)
    ids = insert_features(session, spec, checked)
    assigned = assign_regions(session, layer, ids)
    return ImportReport(
        layer=layer.id,
        inserted=len(ids),
        crs=source_crs.label,
        elapsed=time.perf_counter() - started,
        source=str(path),
        region_assigned=assigned,
        warnings=tuple(notes),
    )


def _crs_mismatch(source: Source, declared: SourceCRS) -> str | None:
    if source.epsg is None or source.epsg == declared.epsg:
        return None
    if source.epsg in _LONLAT_EPSG and (declared.is_gcj02 or declared.epsg in _LONLAT_EPSG):
        return None  # GCJ-02 files call themselves WGS84; CGCS2000 ≈ WGS84
    return (
        f"文件自带的坐标系为 EPSG:{source.epsg}，与指定的 {declared.label} 不同；"
        f"已按指定的 {declared.label} 处理"
    )


def _reject_if_any_bad(checked: list[Checked], crs_note: str | None) -> None:
    errors = [(i, "；".join(item.reasons)) for i, item in enumerate(checked) if item.reasons]
    if not errors:
        return
    message = None
    codes = {item.geometry_code for item in checked}
    if codes <= _COORDINATE_CODES and len(errors) == len(checked):
        message = f"所有 {len(checked)} 个要素的坐标都不对，请确认 --crs 指定的坐标系与经纬度顺序"
        if crs_note:
            message += f"（{crs_note}）"
    raise ImportRejected(message, errors=errors)
