// The field app's reading API for officers: navigation, coordinate conversion, the
// enterprise / construction-site cards (OGC items and the map search) and the item catalogue.
import { http } from '../api/http'
import type { Page } from '../api/admin'
import type { Task, TaskStatus, TaskView } from '../views/enforcement/api'

export type TravelMode = 'walk' | 'drive'
export type CoordSystem = 'wgs84' | 'gcj02' | 'bd09'
export type PlaceLayer = 'enterprises' | 'construction_sites'

export interface RouteFeature {
  type: 'Feature'
  geometry: { type: 'LineString'; coordinates: [number, number][] }
  properties: { length_m: number; duration_s: number; notes: string[]; start_snap_m?: number; end_snap_m?: number }
}

export interface Converted {
  lon: number
  lat: number
  system: CoordSystem
}

export interface PlaceFeature {
  type: 'Feature'
  id: number
  geometry: { type: string; coordinates: unknown }
  properties: Record<string, unknown>
}

export interface PlacePage {
  features: PlaceFeature[]
  links: { rel: string; href: string }[]
}

export interface SearchHit {
  layer: string
  id: number
  name: string
  address: string | null
  lon: number
  lat: number
}

export interface NearbyEnterprise {
  id: number
  name: string
  address: string | null
  lon: number
  lat: number
  distance_m: number
}

export interface ItemCategory {
  id: number
  code: string
  name: string
  active_item_count: number
}

export interface ItemRow {
  id: number
  code: string
  name: string
  basis: string | null
  method: string | null
  content_count: number
  max_score: number
  active: boolean
}

export interface CheckContent {
  id: number
  seq: number
  content: string
  max_score: number
  critical: boolean
}

export interface ItemDetail extends ItemRow {
  contents: CheckContent[]
}

const at = (lon: number, lat: number) => `${lon.toFixed(7)},${lat.toFixed(7)}`

export const field = {
  route: (from: [number, number], to: [number, number], mode: TravelMode) =>
    http.get<RouteFeature>('/api/v1/navigation/route', { from: at(...from), to: at(...to), mode }),
  convert: (lon: number, lat: number, to: CoordSystem) =>
    http.get<Converted>('/api/v1/coords/convert', { from: 'wgs84', to, lon, lat }),
  places: (layer: PlaceLayer, cursor: string | null) =>
    http.get<PlacePage>(`/collections/${layer}/items`, { limit: 20, cursor }),
  place: (layer: PlaceLayer, id: number) => http.get<PlaceFeature>(`/collections/${layer}/items/${id}`),
  search: (q: string) => http.get<{ results: SearchHit[] }>('/api/v1/search', { q, limit: 100 }),
  itemCategories: () => http.get<ItemCategory[]>('/api/v1/inspection/item-categories'),
  items: (categoryId: number, cursor: string | null) =>
    http.get<Page<ItemRow>>('/api/v1/inspection/items', { category_id: categoryId, cursor, limit: 50 }),
  item: (id: number) => http.get<ItemDetail>(`/api/v1/inspection/items/${id}`),
  nearbyEnterprises: (lon: number, lat: number) =>
    http.get<NearbyEnterprise[]>('/api/v1/patrols/nearby-enterprises', { lon: lon.toFixed(7), lat: lat.toFixed(7), limit: 20 }),
  /** The tasks of one list in some statuses (the API takes `status` repeated). */
  tasks: (view: TaskView, statuses: readonly TaskStatus[], cursor: string | null) => {
    const query = new URLSearchParams({ view, limit: '20' })
    for (const s of statuses) query.append('status', s)
    if (cursor) query.set('cursor', cursor)
    return http.get<Page<Task>>(`/api/v1/enforcement-tasks?${query.toString()}`)
  },
}

/** Metres between two lon/lat points on a sphere (for "how far" in a list). */
export function metresBetween(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180
  const dLat = (b[1] - a[1]) * rad
  const dLon = (b[0] - a[0]) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h))
}

/** The cursor of an OGC page's "next" link, if there is one. */
export function nextCursor(page: PlacePage): string | null {
  const next = page.links.find((l) => l.rel === 'next')
  return next ? new URL(next.href).searchParams.get('cursor') : null
}

/** A point to navigate to: the point itself, or the middle of a site's outline. */
export function anchor(feature: PlaceFeature): [number, number] | null {
  const g = feature.geometry
  if (g.type === 'Point') return g.coordinates as [number, number]
  const ring =
    g.type === 'Polygon'
      ? (g.coordinates as number[][][])[0]
      : g.type === 'MultiPolygon'
        ? (g.coordinates as number[][][][])[0]?.[0]
        : undefined
  if (!ring?.length) return null
  const xs = ring.map((p) => p[0]!)
  const ys = ring.map((p) => p[1]!)
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2]
}
