// The command screen's calls: figures, grid load, members' positions, open events, live feed.
import type { FeatureCollection, Point, Polygon, MultiPolygon } from 'geojson'
import { http } from '../api/http'

export interface CountItem {
  key: string
  name: string
  count: number
}

export interface CommandSummary {
  generated_at: string
  today: {
    day: string
    reported: number
    dispatched: number
    closed: number
    open: number
    overdue: number
    closure_rate: number | null
    avg_handling_hours: number | null
  }
  trend: { day: string; reported: number; closed: number }[]
  top_categories: CountItem[]
  top_communities: CountItem[]
  attendance: { checked_in: number; expected: number }
}

/** One message of the live feed: an event reported or moved to another status. */
export interface LiveEvent {
  id: number
  op: string
  status: string
  status_label?: string
  event_no?: string
  title?: string
  category?: string
  reported_at?: string
  lon?: number | null
  lat?: number | null
}

const BASE = '/api/v1/command'
export const STREAM_URL = `${BASE}/stream`

export const command = {
  summary: () => http.get<CommandSummary>(`${BASE}/summary`),
  grids: () => http.get<FeatureCollection<Polygon | MultiPolygon>>(`${BASE}/grids`),
  members: () => http.get<FeatureCollection<Point>>(`${BASE}/members`),
  events: () => http.get<FeatureCollection<Point>>(`${BASE}/events`),
}
