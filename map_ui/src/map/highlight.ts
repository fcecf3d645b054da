// The only paint the shell adds to the backend's style: the outline of the chosen region
// and the shape of the feature whose card is open. Drawn above everything else.
import type { GeoJSONSource, Map as MlMap } from 'maplibre-gl'
import type { Feature, FeatureCollection, Geometry } from 'geojson'

const REGION = 'township-ui-region'
const FEATURE = 'township-ui-feature'
const ACCENT = '#e6550d'
const REGION_COLOUR = '#1f6feb'

const empty: FeatureCollection = { type: 'FeatureCollection', features: [] }

export function installHighlightLayers(map: MlMap): void {
  if (!map.getSource(REGION)) map.addSource(REGION, { type: 'geojson', data: empty })
  if (!map.getSource(FEATURE)) map.addSource(FEATURE, { type: 'geojson', data: empty })
  const add = (spec: Parameters<MlMap['addLayer']>[0]) => {
    if (!map.getLayer(spec.id)) map.addLayer(spec)
  }
  add({
    id: `${REGION}-fill`,
    type: 'fill',
    source: REGION,
    paint: { 'fill-color': REGION_COLOUR, 'fill-opacity': 0.06 },
  })
  add({
    id: `${REGION}-casing`,
    type: 'line',
    source: REGION,
    paint: { 'line-color': '#ffffff', 'line-width': 6, 'line-opacity': 0.9 },
  })
  add({
    id: `${REGION}-line`,
    type: 'line',
    source: REGION,
    paint: { 'line-color': REGION_COLOUR, 'line-width': 3 },
  })
  add({
    id: `${FEATURE}-fill`,
    type: 'fill',
    source: FEATURE,
    paint: { 'fill-color': ACCENT, 'fill-opacity': 0.12 },
  })
  add({
    id: `${FEATURE}-line`,
    type: 'line',
    source: FEATURE,
    paint: { 'line-color': ACCENT, 'line-width': 4 },
  })
  add({
    id: `${FEATURE}-point`,
    type: 'circle',
    source: FEATURE,
    filter: ['in', ['geometry-type'], ['literal', ['Point', 'MultiPoint']]],
    paint: {
      'circle-radius': 10,
      'circle-color': 'rgba(0,0,0,0)',
      'circle-stroke-color': ACCENT,
      'circle-stroke-width': 3,
    },
  })
}

function setData(map: MlMap, sourceId: string, geometry: Geometry | null): void {
  const source = map.getSource<GeoJSONSource>(sourceId)
  if (!source) return
  const features: Feature[] = geometry ? [{ type: 'Feature', geometry, properties: {} }] : []
  source.setData({ type: 'FeatureCollection', features })
}

export function highlightRegion(map: MlMap, geometry: Geometry | null): void {
  setData(map, REGION, geometry)
}

export function highlightFeature(map: MlMap, geometry: Geometry | null): void {
  setData(map, FEATURE, geometry)
}
