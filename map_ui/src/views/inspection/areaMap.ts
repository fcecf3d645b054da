// The map of the officer form: the enforcement area (picked regions merged by the server,
// or the saved area) in blue, the part a refused drawing has outside the officer's
// region in red. Drawing itself is the grid screen's drawing library setup.
import type { GeoJSONSource, Map as MlMap } from 'maplibre-gl'
import type { FeatureCollection, Geometry } from 'geojson'

export const AREA = 'officer-area'
export const OUTSIDE = 'officer-area-outside'
const empty: FeatureCollection = { type: 'FeatureCollection', features: [] }

export function installAreaLayers(map: MlMap): void {
  for (const id of [AREA, OUTSIDE]) {
    if (!map.getSource(id)) map.addSource(id, { type: 'geojson', data: empty })
  }
  map.addLayer({ id: `${AREA}-fill`, type: 'fill', source: AREA, paint: { 'fill-color': '#1677ff', 'fill-opacity': 0.18 } })
  map.addLayer({ id: `${AREA}-line`, type: 'line', source: AREA, paint: { 'line-color': '#0958d9', 'line-width': 2 } })
  map.addLayer({ id: `${OUTSIDE}-fill`, type: 'fill', source: OUTSIDE, paint: { 'fill-color': '#f5222d', 'fill-opacity': 0.55 } })
  map.addLayer({ id: `${OUTSIDE}-line`, type: 'line', source: OUTSIDE, paint: { 'line-color': '#a8071a', 'line-width': 2 } })
}

export function showOn(map: MlMap, id: string, geometry: Geometry | null): void {
  const source = map.getSource(id) as GeoJSONSource | undefined
  if (!source) return
  source.setData(geometry ? { type: 'FeatureCollection', features: [{ type: 'Feature', geometry, properties: {} }] } : empty)
}

/** Square metres as a clerk reads them: 平方公里 above one. */
export function formatArea(m2: number | null | undefined, none: string): string {
  if (m2 === null || m2 === undefined) return none
  return m2 >= 1e6 ? `${(m2 / 1e6).toFixed(2)} 平方公里` : `${Math.round(m2).toLocaleString('zh-CN')} 平方米`
}
