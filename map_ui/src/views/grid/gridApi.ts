// The grid administration API (/api/v1/grids) as the grid screen uses it.
import type { Feature, FeatureCollection, Geometry, MultiPolygon } from 'geojson'
import { ApiError, http } from '../../api/http'

const API = '/api/v1/grids'

export interface GridRow {
  id: number
  code: string
  name: string
  community_id: number
  community_name: string
  town_id: number
  town_name: string
  version: number | null
  responsible_member_id: number | null
  responsible_member_name: string | null
  member_count: number
  area_m2: number
}

export interface GridMember {
  user_id: number
  display_name: string
  username: string
  phone: string | null
  is_responsible: boolean
  assigned_at: string
}

export interface GridVersion {
  id: number
  version: number
  valid_from: string
  valid_to: string | null
  changed_by: number | null
  changed_by_name: string | null
  reason: string | null
  area_m2: number
  event_count: number
}

export interface GridDetail extends GridRow {
  geometry: MultiPolygon
  members: GridMember[]
  versions: GridVersion[]
}

export interface GridSaved extends GridDetail {
  snapped: boolean
  notice: string | null
}

export interface Candidate {
  user_id: number
  display_name: string
  username: string
  region_name: string
  grid_count: number
}

/** An outline the server refused: the reason and the offending area to draw. */
export interface Refusal {
  detail: string
  area_m2: number | null
  geometry: Geometry | null
}

export type GridFeature = Feature<MultiPolygon, GridRow>

/** The refusal carried by a failed save, if the failure was one. */
export function refusalOf(error: unknown): Refusal | null {
  if (!(error instanceof ApiError) || error.status !== 422) return null
  const body = error.body as Partial<Refusal> | undefined
  return { detail: error.message, area_m2: body?.area_m2 ?? null, geometry: body?.geometry ?? null }
}

export const grids = {
  outlines: (communityId: number) =>
    http.get<FeatureCollection<MultiPolygon, GridRow>>(`${API}/outlines`, { community_id: communityId }),
  get: (id: number) => http.get<GridDetail>(`${API}/${id}`),
  create: (body: { community_id: number; name: string; geometry: Geometry }) => http.post<GridSaved>(API, body),
  redraw: (id: number, body: { geometry: Geometry; reason: string; expected_version: number }) =>
    http.put<GridSaved>(`${API}/${id}/geometry`, body),
  version: (id: number, version: number) =>
    http.get<GridVersion & { geometry: MultiPolygon }>(`${API}/${id}/versions/${version}`),
  candidates: (id: number) => http.get<Candidate[]>(`${API}/${id}/member-candidates`),
  setMembers: (id: number, members: { user_id: number; is_responsible: boolean }[]) =>
    http.put<GridDetail>(`${API}/${id}/members`, { members }),
}
