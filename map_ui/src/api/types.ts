// The backend's contract, as the map shell reads it.
import type { Geometry } from 'geojson'

export type BBox = [number, number, number, number]

export interface LayerPropertyInfo {
  name: string
  label: string
  /** Optional: Chinese labels of coded values (e.g. status `closed` → 已结案). */
  values?: Record<string, string>
}

export interface LegendEntry {
  label: string
  color: string
}

/** One entry of `GET /api/v1/layers`. */
export interface LayerInfo {
  id: string
  title: string
  group: string
  group_title: string
  geometry_type: string
  properties: LayerPropertyInfo[]
  legend: LegendEntry[]
}

/** One hit of `GET /api/v1/search`. */
export interface SearchResult {
  layer: string
  layer_title: string
  id: number | string
  name: string
  address: string | null
  lon: number
  lat: number
  bbox: BBox | null
}

/** A node of `GET /api/v1/regions` (town → community → grid). */
export interface RegionNode {
  id: number
  code: string
  name: string
  level: string
  bbox: BBox | null
  children?: RegionNode[]
}

export type FeatureProperties = Record<string, unknown>

/** A GeoJSON Feature from `GET /collections/{layer}/items/{id}`. */
export interface ApiFeature {
  type: 'Feature'
  id?: number | string
  geometry: Geometry | null
  properties: FeatureProperties | null
}

/** A group of layers as the switcher shows it, in catalogue order. */
export interface LayerGroup {
  id: string
  title: string
  layers: LayerInfo[]
}
