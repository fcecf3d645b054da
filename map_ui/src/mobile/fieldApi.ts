// The field app's reading API for officers: navigation, coordinate conversion, the
// enterprise / construction-site cards (OGC items and the map search) and the item catalogue.
import { http } from '../api/http'
import type { Page } from '../api/admin'

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
