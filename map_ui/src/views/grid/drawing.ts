// Drawing and editing grid outlines with @mapbox/mapbox-gl-draw on a MapLibre map, plus
// the grid screen's own layers: the community's grids with labels, the refused area in
// red and an old boundary version dashed.
import MapboxDraw from '@mapbox/mapbox-gl-draw'
import '@mapbox/mapbox-gl-draw/dist/mapbox-gl-draw.css'
import type { GeoJSONSource, IControl, Map as MlMap } from 'maplibre-gl'
import type { FeatureCollection, Geometry, MultiPolygon, Polygon } from 'geojson'
import { zhCN as t } from '../../i18n/zh-CN'

// MapLibre names its classes maplibregl-*: the drawing library must look for those.
Object.assign(MapboxDraw.constants.classes, {
  CANVAS: 'maplibregl-canvas',
  CONTROL_BASE: 'maplibregl-ctrl',
  CONTROL_PREFIX: 'maplibregl-ctrl-',
  CONTROL_GROUP: 'maplibregl-ctrl-group',
  ATTRIBUTION: 'maplibregl-ctrl-attrib',
})

const ORANGE = '#fa8c16'
const BLUE = '#1677ff'
// Plain styles (no data-driven dash arrays, which MapLibre does not accept).
const DRAW_STYLES = [
  { id: 'gl-draw-polygon-fill', type: 'fill', filter: ['all', ['==', '$type', 'Polygon']],
    paint: { 'fill-color': ORANGE, 'fill-opacity': 0.2 } },
  { id: 'gl-draw-polygon-stroke', type: 'line', filter: ['all', ['==', '$type', 'Polygon']],
    layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': ORANGE, 'line-width': 2 } },
  { id: 'gl-draw-line', type: 'line', filter: ['all', ['==', '$type', 'LineString']],
    paint: { 'line-color': ORANGE, 'line-width': 2, 'line-dasharray': [2, 2] } },
  { id: 'gl-draw-midpoint', type: 'circle', filter: ['all', ['==', 'meta', 'midpoint']],
    paint: { 'circle-radius': 3, 'circle-color': ORANGE } },
  { id: 'gl-draw-vertex-halo', type: 'circle', filter: ['all', ['==', 'meta', 'vertex']],
    paint: { 'circle-radius': 6, 'circle-color': '#fff' } },
  { id: 'gl-draw-vertex', type: 'circle', filter: ['all', ['==', 'meta', 'vertex']],
    paint: { 'circle-radius': 4, 'circle-color': ORANGE } },
] // prettier-ignore

export const GRIDS = 'grid-admin-grids'
export const REFUSAL = 'grid-admin-refusal'
export const VERSION = 'grid-admin-version'
const empty: FeatureCollection = { type: 'FeatureCollection', features: [] }

export function createDraw(map: MlMap): MapboxDraw {
  const draw = new MapboxDraw({ displayControlsDefault: false, userProperties: true, styles: DRAW_STYLES })
  map.addControl(draw as unknown as IControl)
  return draw
}

export function installGridLayers(map: MlMap): void {
  for (const id of [GRIDS, REFUSAL, VERSION]) {
    if (!map.getSource(id)) map.addSource(id, { type: 'geojson', data: empty })
  }
  map.addLayer({ id: `${GRIDS}-fill`, type: 'fill', source: GRIDS,
    paint: { 'fill-color': ['case', ['boolean', ['feature-state', 'selected'], false], BLUE, '#52c41a'],
             'fill-opacity': 0.15 } }) // prettier-ignore
  map.addLayer({ id: `${GRIDS}-line`, type: 'line', source: GRIDS, paint: { 'line-color': '#389e0d', 'line-width': 1.5 } })
  map.addLayer({ id: `${GRIDS}-label`, type: 'symbol', source: GRIDS,
    layout: { 'text-field': ['format', ['get', 'name'], {}, '\n', {},
                             ['coalesce', ['get', 'responsible_member_name'], t.grids.noResponsible], { 'font-scale': 0.8 }],
              'text-size': 13, 'text-font': ['Noto Sans Regular'] },
    paint: { 'text-color': '#135200', 'text-halo-color': '#fff', 'text-halo-width': 1.5 } }) // prettier-ignore
  map.addLayer({ id: `${REFUSAL}-fill`, type: 'fill', source: REFUSAL, paint: { 'fill-color': '#f5222d', 'fill-opacity': 0.55 } })
  map.addLayer({ id: `${REFUSAL}-line`, type: 'line', source: REFUSAL, paint: { 'line-color': '#a8071a', 'line-width': 2 } })
  map.addLayer({ id: `${VERSION}-line`, type: 'line', source: VERSION,
    paint: { 'line-color': '#722ed1', 'line-width': 2.5, 'line-dasharray': [3, 2] } }) // prettier-ignore
}

export function setSource(map: MlMap, id: string, data: FeatureCollection | Geometry | null): void {
  const source = map.getSource(id) as GeoJSONSource | undefined
  if (!source) return
  if (!data) source.setData(empty)
  else if (data.type === 'FeatureCollection') source.setData(data)
  else source.setData({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: data, properties: {} }] })
}

/** The single polygon being drawn or edited, as one GeoJSON geometry (null: none yet). */
export function drawnGeometry(draw: MapboxDraw): Polygon | MultiPolygon | null {
  const polygons = draw
    .getAll()
    .features.map((f) => f.geometry)
    .filter((g): g is Polygon | MultiPolygon => g.type === 'Polygon' || g.type === 'MultiPolygon')
  if (polygons.length === 0) return null
  if (polygons.length === 1) return polygons[0]!
  return {
    type: 'MultiPolygon',
    coordinates: polygons.flatMap((g) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates)),
  }
}
