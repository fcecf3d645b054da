// The command screen's map: the project's style with its base layers darkened, the
// existing tile layers it shows (cameras, party sites, construction sites, enterprises),
// and its own GeoJSON sources (grid load, open events clustered, members' positions).
import type { Map as MlMap } from 'maplibre-gl'
import type { FeatureCollection } from 'geojson'

const DARK: Record<string, Record<string, string>> = {
  background: { 'background-color': '#07111f' },
  'basemap-towns-fill': { 'fill-color': '#0d1b2e' },
  'basemap-buildings': { 'fill-color': '#15263d' },
  'basemap-streets-casing': { 'line-color': '#07111f' },
  'basemap-streets': { 'line-color': '#24405f' },
  'basemap-towns-line': { 'line-color': '#3a6ea5' },
  'basemap-street-labels': { 'text-color': '#6d86a6', 'text-halo-color': '#07111f' },
  'communities-line': { 'line-color': '#2f5d8a' },
  'communities-label': { 'text-color': '#8fb3d9', 'text-halo-color': '#07111f' },
  'towns-line': { 'line-color': '#4f8fd1' },
  'towns-label': { 'text-color': '#cfe3ff', 'text-halo-color': '#07111f' },
}
/** Tile layers the screen does not show: it draws grids and events from its own sources. */
const HIDDEN = [
  'streets-hit', 'patrol_routes-line', 'grids-fill', 'grids-line',
  'grids-label', 'events-cluster', 'events-cluster-count', 'events-point',
  'enterprises-cluster',
]
/** Key enterprises (重点企业): the black-listed and the hazardous-chemicals ones, the places
 * a leader watches; the others stay on the desks' maps. */
const KEY_ENTERPRISES = [
  'all',
  ['any', ['!', ['has', 'point_count']], ['==', ['get', 'point_count'], 1]],
  ['any', ['==', ['get', 'risk_list'], 'black'], ['==', ['get', 'category'], 'hazardous_chemicals']],
]
export const CLICKABLE = { cameras: 'cameras-point', members: 'cmd-members', buildings: 'buildings-fill' }

/** The layer groups a leader switches on and off (GM-14: one map of everything); 人房 (the
 * housing stock) starts off: it is dense and only drawn from zoom 14. */
export const LAYER_GROUPS: { key: string; layers: string[]; on: boolean }[] = [
  { key: 'events', layers: ['cmd-events-heat', 'cmd-events-cluster', 'cmd-events-count', 'cmd-events-point'], on: true },
  { key: 'grids', layers: ['cmd-grids-fill', 'cmd-grids-line'], on: true },
  { key: 'members', layers: ['cmd-members'], on: true },
  { key: 'cameras', layers: ['cameras-point'], on: true },
  { key: 'sites', layers: ['construction_sites-fill', 'construction_sites-line'], on: true },
  { key: 'enterprises', layers: ['enterprises-point'], on: true },
  { key: 'partySites', layers: ['party_sites-point'], on: true },
  { key: 'buildings', layers: ['buildings-fill'], on: false },
]
// Housing by use, in the screen's dark tones.
const BUILDING_COLOUR = [
  'match', ['get', 'use'],
  'residential', '#2f6ca3', 'commercial', '#a36b2f', 'industrial', '#7a5aa8',
  'public', '#2f9c7e', 'mixed', '#a3922f', '#4d6480',
]

export function showGroup(map: MlMap, layers: string[], shown: boolean): void {
  for (const id of layers) {
    if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', shown ? 'visible' : 'none')
  }
}

/** The zoom below which open events show as heat rather than clusters. */
export const HEAT_UNTIL = 10.5

const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] }
// Overdue first (red), then the stage of the work order.
const EVENT_COLOUR = [
  'case', ['get', 'overdue'], '#ff4d4f',
  ['match', ['get', 'status'],
    'reported', '#faad14', 'claimed', '#faad14', 'accepted', '#faad14',
    'dispatched', '#40a9ff', 'handling', '#40a9ff', 'rework', '#9254de',
    'to_close', '#52c41a', 'verifying', '#52c41a', '#13c2c2'],
]

export function darken(map: MlMap): void {
  for (const [id, paint] of Object.entries(DARK)) {
    if (!map.getLayer(id)) continue
    for (const [prop, value] of Object.entries(paint)) {
      map.setPaintProperty(id, prop as Parameters<MlMap['setPaintProperty']>[1], value)
    }
  }
  for (const id of HIDDEN) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', 'none')
  if (map.getLayer('buildings-fill')) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    map.setPaintProperty('buildings-fill', 'fill-color', BUILDING_COLOUR as any)
    map.setPaintProperty('buildings-fill', 'fill-outline-color', '#9fc3ea')
    map.setPaintProperty('buildings-fill', 'fill-opacity', 0.75)
  }
  if (map.getLayer('enterprises-point')) {
    map.setFilter('enterprises-point', KEY_ENTERPRISES as Parameters<MlMap['setFilter']>[1])
  }
}

export function addCommandLayers(map: MlMap): void {
  map.addSource('cmd-grids', { type: 'geojson', data: EMPTY })
  map.addLayer({
    id: 'cmd-grids-fill', type: 'fill', source: 'cmd-grids',
    paint: {
      'fill-color': ['interpolate', ['linear'], ['get', 'open_events'],
        0, 'rgba(0,0,0,0)', 1, '#1d4e89', 5, '#d48806', 15, '#cf1322'],
      'fill-opacity': 0.45,
    },
  }, firstOverlay(map))
  map.addLayer({
    id: 'cmd-grids-line', type: 'line', source: 'cmd-grids',
    paint: { 'line-color': '#1f6fb2', 'line-width': 0.6, 'line-opacity': 0.7 },
  }, firstOverlay(map))
  // Zoomed out (the whole district) the open events are a heat map, overdue ones weighing
  // double; closer in, clusters and points take over.
  map.addSource('cmd-events-heat', { type: 'geojson', data: EMPTY })
  map.addLayer({
    id: 'cmd-events-heat', type: 'heatmap', source: 'cmd-events-heat', maxzoom: HEAT_UNTIL + 0.5,
    paint: {
      'heatmap-weight': ['case', ['get', 'overdue'], 2, 1],
      'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 8, 6, HEAT_UNTIL + 0.5, 16],
      'heatmap-intensity': 0.6,
      'heatmap-opacity': ['interpolate', ['linear'], ['zoom'], HEAT_UNTIL - 0.5, 0.8, HEAT_UNTIL + 0.5, 0],
      'heatmap-color': ['interpolate', ['linear'], ['heatmap-density'],
        0, 'rgba(0,0,0,0)', 0.2, '#1d4e89', 0.45, '#13c2c2', 0.7, '#fadb14', 1, '#f5222d'],
    },
  })
  map.addSource('cmd-events', {
    type: 'geojson', data: EMPTY, cluster: true, clusterMaxZoom: 14, clusterRadius: 40,
    clusterProperties: { overdue: ['+', ['case', ['get', 'overdue'], 1, 0]] },
  })
  map.addLayer({
    id: 'cmd-events-cluster', type: 'circle', minzoom: HEAT_UNTIL, source: 'cmd-events', filter: ['has', 'point_count'],
    paint: {
      'circle-color': ['case', ['>', ['get', 'overdue'], 0], '#a8071a', '#0958d9'],
      'circle-radius': ['step', ['get', 'point_count'], 14, 20, 18, 100, 24],
      'circle-opacity': 0.85, 'circle-stroke-color': '#91caff', 'circle-stroke-width': 1,
    },
  })
  map.addLayer({
    id: 'cmd-events-count', type: 'symbol', minzoom: HEAT_UNTIL, source: 'cmd-events', filter: ['has', 'point_count'],
    layout: { 'text-field': ['get', 'point_count_abbreviated'], 'text-size': 12 },
    paint: { 'text-color': '#ffffff' },
  })
  map.addLayer({
    id: 'cmd-events-point', type: 'circle', minzoom: HEAT_UNTIL, source: 'cmd-events',
    filter: ['!', ['has', 'point_count']],
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    paint: { 'circle-color': EVENT_COLOUR as any, 'circle-radius': 6,
      'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1 },
  })
  map.addSource('cmd-members', { type: 'geojson', data: EMPTY })
  map.addLayer({
    id: 'cmd-members', type: 'circle', source: 'cmd-members',
    paint: {
      'circle-color': ['match', ['get', 'verdict'], 'in_grid', '#73d13d', 'out_of_grid', '#ff7a45', '#bfbfbf'],
      // 党员网格员 (grid members who are party members): a red ring.
      'circle-radius': 5,
      'circle-stroke-color': ['case', ['==', ['get', 'party_member'], true], '#ff4d4f', '#07111f'],
      'circle-stroke-width': ['case', ['==', ['get', 'party_member'], true], 3, 2],
    },
  })
}

function firstOverlay(map: MlMap): string | undefined {
  return ['construction_sites-fill', 'enterprises-cluster'].find((id) => map.getLayer(id))
}
