// Typed calls to the platform's HTTP API (same origin: the API serves this app).
import type { ApiFeature, LayerInfo, RegionNode, SearchResult } from './types'
import { http } from './http'

export { ApiError } from './http'

function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return http.get<T>(path, undefined, signal)
}

export const STYLE_URL = '/map/style.json'

export function fetchLayers(signal?: AbortSignal): Promise<LayerInfo[]> {
  return getJson<LayerInfo[]>('/api/v1/layers', signal)
}

export function fetchRegions(signal?: AbortSignal): Promise<RegionNode[]> {
  return getJson<RegionNode[]>('/api/v1/regions', signal)
}

export async function searchFeatures(
  q: string,
  limit = 20,
  signal?: AbortSignal,
): Promise<SearchResult[]> {
  const params = new URLSearchParams({ q, limit: String(limit) })
  const body = await getJson<{ results: SearchResult[] }>(`/api/v1/search?${params}`, signal)
  return body.results
}

export function fetchFeature(
  layer: string,
  id: number | string,
  signal?: AbortSignal,
): Promise<ApiFeature> {
  const path = `/collections/${encodeURIComponent(layer)}/items/${encodeURIComponent(String(id))}`
  return getJson<ApiFeature>(path, signal)
}

export function exportUrl(regionId: number): string {
  return `/api/v1/maps/export.html?${new URLSearchParams({ region_id: String(regionId) })}`
}
