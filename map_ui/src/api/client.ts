// Typed calls to the platform's HTTP API (same origin: the API serves this app).
import type { ApiFeature, LayerInfo, RegionNode, SearchResult } from './types'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, { headers: { Accept: 'application/json' }, signal })
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`
    try {
      const body = (await response.json()) as { detail?: unknown }
      if (typeof body.detail === 'string') detail = body.detail
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, detail)
  }
  return (await response.json()) as T
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
