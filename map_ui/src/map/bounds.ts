import type { Geometry, Position } from 'geojson'
import type { BBox, RegionNode } from '../api/types'

export function unionBBox(boxes: ReadonlyArray<BBox | null | undefined>): BBox | null {
  let out: BBox | null = null
  for (const b of boxes) {
    if (!b) continue
    out = out
      ? [Math.min(out[0], b[0]), Math.min(out[1], b[1]), Math.max(out[2], b[2]), Math.max(out[3], b[3])]
      : [b[0], b[1], b[2], b[3]]
  }
  return out
}

/** The extent of the towns: the first level below the district, or the roots themselves. */
export function townsBBox(tree: readonly RegionNode[]): BBox | null {
  const towns = tree.flatMap((n) => (n.level === 'district' ? (n.children ?? []) : [n]))
  return unionBBox(towns.map((n) => n.bbox)) ?? unionBBox(tree.map((n) => n.bbox))
}

function positions(geometry: Geometry): Position[] {
  switch (geometry.type) {
    case 'Point':
      return [geometry.coordinates]
    case 'MultiPoint':
    case 'LineString':
      return geometry.coordinates
    case 'MultiLineString':
    case 'Polygon':
      return geometry.coordinates.flat()
    case 'MultiPolygon':
      return geometry.coordinates.flat(2)
    case 'GeometryCollection':
      return geometry.geometries.flatMap(positions)
  }
}

export function geometryBBox(geometry: Geometry): BBox | null {
  const pts = positions(geometry)
  if (pts.length === 0) return null
  return unionBBox(pts.map((p) => [p[0]!, p[1]!, p[0]!, p[1]!] as BBox))
}

export function isPointLike(box: BBox): boolean {
  return box[2] - box[0] < 1e-6 && box[3] - box[1] < 1e-6
}
