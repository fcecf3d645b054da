// What is under the pointer: the topmost catalogue feature that has a database id, or a
// cluster of points (which a click zooms into instead of opening a card).
import type { Map as MlMap, MapGeoJSONFeature, PointLike } from 'maplibre-gl'
import { townshipLayerOf } from './styleLayers'

export type Picked =
  | { kind: 'feature'; layer: string; id: number | string; name: string | null }
  | { kind: 'cluster'; layer: string; count: number; lngLat: [number, number] }

const TOLERANCE = 4 // px around the pointer, so thin lines and small points are hittable

/** The database id: the MVT feature id, or an `id` property. */
export function featureId(f: MapGeoJSONFeature): number | string | null {
  const id = f.properties?.id ?? f.id
  return typeof id === 'number' || typeof id === 'string' ? id : null
}

export function featureName(f: MapGeoJSONFeature): string | null {
  const p = f.properties ?? {}
  const name = p.name ?? p.title
  return typeof name === 'string' ? name : null
}

function clusterCount(f: MapGeoJSONFeature): number {
  const n = Number(f.properties?.point_count ?? 1)
  return Number.isFinite(n) ? n : 1
}

export function pickAt(
  map: MlMap,
  point: { x: number; y: number },
  layers: string[],
): Picked | null {
  if (layers.length === 0) return null
  const box: [PointLike, PointLike] = [
    [point.x - TOLERANCE, point.y - TOLERANCE],
    [point.x + TOLERANCE, point.y + TOLERANCE],
  ]
  const key = (f: MapGeoJSONFeature) => `${f.layer.id}|${String(featureId(f))}`
  let exact: Set<string> | null = null
  // Topmost first: a point on a building on a grid picks the point.
  for (const f of map.queryRenderedFeatures(box, { layers })) {
    const layer = townshipLayerOf(f.layer)
    if (layer === null) continue
    const count = clusterCount(f)
    if (count > 1) {
      const c = f.geometry.type === 'Point' ? f.geometry.coordinates : null
      const lngLat: [number, number] = c
        ? [c[0]!, c[1]!]
        : [map.unproject([point.x, point.y]).lng, map.unproject([point.x, point.y]).lat]
      return { kind: 'cluster', layer, count, lngLat }
    }
    const id = featureId(f)
    if (id === null) continue
    if (f.layer.type === 'fill' || f.layer.type === 'fill-extrusion') {
      // Areas only count under the pointer itself, not within the tolerance.
      exact ??= new Set(map.queryRenderedFeatures([point.x, point.y], { layers }).map(key))
      if (!exact.has(key(f))) continue
    }
    return { kind: 'feature', layer, id, name: featureName(f) }
  }
  return null
}
