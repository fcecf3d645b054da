// Drawing a polygon by clicking its corners: the points so far, the ring they close and
// the GeoJSON polygon that results. Enough for a new region's outline on the admin map.
import type { GeoJSONSource, Map as MlMap } from 'maplibre-gl'
import type { Feature, FeatureCollection, Geometry, Polygon, Position } from 'geojson'
import { zhCN } from '../i18n/zh-CN'

const DRAW = 'township-ui-draw'
const COLOUR = '#d4380d'

export function installDrawLayers(map: MlMap): void {
  if (!map.getSource(DRAW)) map.addSource(DRAW, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } })
  const add = (spec: Parameters<MlMap['addLayer']>[0]) => {
    if (!map.getLayer(spec.id)) map.addLayer(spec)
  }
  add({ id: `${DRAW}-fill`, type: 'fill', source: DRAW, filter: ['==', '$type', 'Polygon'],
    paint: { 'fill-color': COLOUR, 'fill-opacity': 0.15 } }) // prettier-ignore
  add({ id: `${DRAW}-line`, type: 'line', source: DRAW,
    paint: { 'line-color': COLOUR, 'line-width': 2, 'line-dasharray': [2, 1] } }) // prettier-ignore
  add({ id: `${DRAW}-vertex`, type: 'circle', source: DRAW, filter: ['==', '$type', 'Point'],
    paint: { 'circle-radius': 5, 'circle-color': '#fff', 'circle-stroke-color': COLOUR, 'circle-stroke-width': 2 } }) // prettier-ignore
}

/** The closed polygon of the clicked points, once there are at least three. */
export function polygonOf(points: Position[]): Polygon | null {
  if (points.length < 3) return null
  return { type: 'Polygon', coordinates: [[...points, points[0]!]] }
}

/** What the map shows: the clicked points, and the outline (or shape) they make. */
export function showDrawing(map: MlMap, points: Position[], extra: Geometry | null = null): void {
  const features: Feature[] = points.map((p) => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: p } }))
  const polygon = polygonOf(points)
  if (polygon) features.push({ type: 'Feature', properties: {}, geometry: polygon })
  else if (points.length === 2) features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: points } })
  if (extra) features.push({ type: 'Feature', properties: {}, geometry: extra })
  const data: FeatureCollection = { type: 'FeatureCollection', features }
  ;(map.getSource(DRAW) as GeoJSONSource | undefined)?.setData(data)
}

/** The (multi)polygon in an uploaded GeoJSON text: a geometry, a feature or the first
 * polygon feature of a collection. Throws with a reason a person can act on. */
export function polygonFromGeoJson(text: string): Geometry {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new Error(zhCN.regions.badGeoJson)
  }
  const found = findPolygon(parsed)
  if (!found) throw new Error(zhCN.regions.noPolygon)
  return found
}

function findPolygon(value: unknown): Geometry | null {
  if (!value || typeof value !== 'object') return null
  const obj = value as { type?: string; geometry?: unknown; features?: unknown[]; geometries?: unknown[] }
  if (obj.type === 'Polygon' || obj.type === 'MultiPolygon') return obj as Geometry
  if (obj.type === 'Feature') return findPolygon(obj.geometry)
  const list = obj.type === 'FeatureCollection' ? obj.features : obj.type === 'GeometryCollection' ? obj.geometries : null
  for (const item of list ?? []) {
    const found = findPolygon(item)
    if (found) return found
  }
  return null
}
