// The command screen's 党建 layer group: party organisations at their positions and the
// activities of the last 30 days (one GeoJSON request each), shown with the 党建引领 toggle.
import type { FeatureCollection, Point } from 'geojson'
import type { Map as MlMap, GeoJSONSource } from 'maplibre-gl'
import { http } from '../api/http'
import type { CountItem } from './api'

export interface PartySummary {
  organisations: number
  members: number
  members_full: number
  members_probationary: number
  grid_members: number
  activities_month: number
  by_kind: CountItem[]
}

const BASE = '/api/v1/command/party'
export const partyCommand = {
  summary: () => http.get<PartySummary>(`${BASE}/summary`),
  organisations: () => http.get<FeatureCollection<Point>>(`${BASE}/organisations`),
  activities: () => http.get<FeatureCollection<Point>>(`${BASE}/activities`),
}

export const PARTY_LAYERS = { organisations: 'cmd-party-orgs', activities: 'cmd-party-activities' }
const LAYER_IDS = ['cmd-party-activities', 'cmd-party-orgs', 'cmd-party-orgs-label']
const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] }

export function addPartyLayers(map: MlMap): void {
  map.addSource('cmd-party-activities', { type: 'geojson', data: EMPTY })
  map.addLayer({
    id: 'cmd-party-activities', type: 'circle', source: 'cmd-party-activities',
    layout: { visibility: 'none' },
    paint: { 'circle-color': '#ffd666', 'circle-radius': 5, 'circle-stroke-color': '#cf1322', 'circle-stroke-width': 2 },
  })
  map.addSource('cmd-party-orgs', { type: 'geojson', data: EMPTY })
  map.addLayer({
    id: 'cmd-party-orgs', type: 'circle', source: 'cmd-party-orgs',
    layout: { visibility: 'none' },
    paint: {
      'circle-color': '#cf1322',
      'circle-radius': ['match', ['get', 'kind'], 'committee', 13, 'general_branch', 10, 8],
      'circle-stroke-color': '#ffd666', 'circle-stroke-width': 2,
    },
  })
  map.addLayer({
    id: 'cmd-party-orgs-label', type: 'symbol', source: 'cmd-party-orgs',
    layout: { visibility: 'none', 'text-field': '党', 'text-size': 11, 'text-allow-overlap': true },
    paint: { 'text-color': '#ffd666' },
  })
}

export async function loadPartyLayers(map: MlMap): Promise<void> {
  const [orgs, activities] = await Promise.all([partyCommand.organisations(), partyCommand.activities()])
  ;(map.getSource('cmd-party-orgs') as GeoJSONSource | undefined)?.setData(orgs)
  ;(map.getSource('cmd-party-activities') as GeoJSONSource | undefined)?.setData(activities)
}

export function showPartyLayers(map: MlMap, shown: boolean): void {
  for (const id of LAYER_IDS) {
    if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', shown ? 'visible' : 'none')
  }
}
