// Calls of the registers screens (执法人员, 专家管理, 检查事项): /api/v1/inspection/…
import type { Geometry, MultiPolygon } from 'geojson'
import { ApiError, http } from '../../api/http'
import type { Page } from '../../api/admin'

const API = '/api/v1/inspection'

// ---- officers ---------------------------------------------------------------------------------
export interface OfficerType {
  code: string
  name: string
  sort_order: number
  officer_count: number
}

export interface Officer {
  id: number
  user_id: number
  username: string
  display_name: string
  region_id: number | null
  region_name: string | null
  department_id: number | null
  department_name: string | null
  squad_id: number | null
  squad_name: string | null
  officer_type: string
  officer_type_name: string
  certificate_no: string | null
  active: boolean
  area_source: 'drawn' | 'picked' | null
  area_m2: number | null
  conflict_count: number
  updated_at: string
}

export interface AreaRegion {
  id: number
  code: string
  name: string
  level: string
}

export interface OfficerConflict {
  enterprise_id: number
  enterprise_name: string
  address: string | null
  reason: string
  recorded_by: number | null
  recorded_by_name: string | null
  recorded_at: string
}

export interface OfficerDetail extends Officer {
  area: MultiPolygon | null
  area_regions: AreaRegion[]
  conflicts: OfficerConflict[]
}

export interface OfficerCandidate {
  user_id: number
  username: string
  display_name: string
  region_id: number
  region_name: string
  department_name: string | null
  squad_name: string | null
  officer_id: number | null
}

export interface EnterpriseOption {
  id: number
  name: string
  address: string | null
  uscc: string
}

export interface OfficerBody {
  officer_type: string
  certificate_no: string | null
  active: boolean
  area?: Geometry | null
  area_region_ids?: number[] | null
}

/** A refused area: the reason and the part outside, to draw in red. */
export interface AreaRefusal {
  detail: string
  area_m2: number | null
  geometry: Geometry | null
}

export function areaRefusalOf(error: unknown): AreaRefusal | null {
  if (!(error instanceof ApiError) || error.status !== 422) return null
  const body = error.body as Partial<AreaRefusal> | undefined
  return { detail: error.message, area_m2: body?.area_m2 ?? null, geometry: body?.geometry ?? null }
}

export interface OfficerFilters {
  keyword?: string
  officer_type?: string
  active?: string
  lon?: number | null
  lat?: number | null
  cursor?: string | null
  limit?: number
}

export const officerApi = {
  types: () => http.get<OfficerType[]>(`${API}/officer-types`),
  createType: (body: { code: string; name: string; sort_order: number }) =>
    http.post<OfficerType>(`${API}/officer-types`, body),
  updateType: (code: string, body: { name: string; sort_order: number }) =>
    http.put<OfficerType>(`${API}/officer-types/${encodeURIComponent(code)}`, body),
  deleteType: (code: string) => http.delete<void>(`${API}/officer-types/${encodeURIComponent(code)}`),
  list: (filters: OfficerFilters) => http.get<Page<Officer>>(`${API}/officers`, { ...filters }),
  get: (id: number) => http.get<OfficerDetail>(`${API}/officers/${id}`),
  create: (body: OfficerBody & { user_id: number }) => http.post<OfficerDetail>(`${API}/officers`, body),
  update: (id: number, body: OfficerBody) => http.put<OfficerDetail>(`${API}/officers/${id}`, body),
  remove: (id: number) => http.delete<void>(`${API}/officers/${id}`),
  candidates: (q: string) => http.get<OfficerCandidate[]>(`${API}/officer-candidates`, { q, limit: 20 }),
  preview: (regionIds: number[], userId: number | null) =>
    http.post<{ geometry: MultiPolygon; area_m2: number }>(`${API}/officers/area-preview`, {
      area_region_ids: regionIds,
      user_id: userId,
    }),
  conflictOptions: (id: number, q: string) =>
    http.get<EnterpriseOption[]>(`${API}/officers/${id}/conflict-candidates`, { q, limit: 20 }),
  addConflict: (id: number, body: { enterprise_id: number; reason: string }) =>
    http.post<OfficerConflict[]>(`${API}/officers/${id}/conflicts`, body),
  removeConflict: (id: number, enterpriseId: number) =>
    http.delete<void>(`${API}/officers/${id}/conflicts/${enterpriseId}`),
}

// ---- items ------------------------------------------------------------------------------------
export interface ItemCategory {
  id: number
  code: string
  name: string
  sort_order: number
  item_count: number
  active_item_count: number
}

export interface CheckContent {
  id: number
  seq: number
  content: string
  max_score: number
  critical: boolean
  in_use: boolean
}

export interface Item {
  id: number
  category_id: number
  category_name: string
  code: string
  name: string
  basis: string | null
  method: string | null
  sort_order: number
  active: boolean
  content_count: number
  max_score: number
  updated_at: string
}

export interface ItemDetail extends Item {
  contents: CheckContent[]
}

export interface ItemBody {
  category_id: number
  code: string
  name: string
  basis: string | null
  method: string | null
  sort_order: number
  active: boolean
  contents: { id: number | null; content: string; max_score: number; critical: boolean }[]
}

export const itemApi = {
  categories: () => http.get<ItemCategory[]>(`${API}/item-categories`),
  createCategory: (body: { code: string; name: string; sort_order: number }) =>
    http.post<ItemCategory>(`${API}/item-categories`, body),
  updateCategory: (id: number, body: { code: string; name: string; sort_order: number }) =>
    http.put<ItemCategory>(`${API}/item-categories/${id}`, body),
  deleteCategory: (id: number) => http.delete<void>(`${API}/item-categories/${id}`),
  list: (query: { category_id?: number | null; keyword?: string; cursor?: string | null; limit?: number }) =>
    http.get<Page<Item>>(`${API}/items`, { ...query }),
  get: (id: number) => http.get<ItemDetail>(`${API}/items/${id}`),
  create: (body: ItemBody) => http.post<ItemDetail>(`${API}/items`, body),
  update: (id: number, body: ItemBody) => http.put<ItemDetail>(`${API}/items/${id}`, body),
  remove: (id: number) => http.delete<void>(`${API}/items/${id}`),
}

// ---- experts ----------------------------------------------------------------------------------
export interface Expert {
  id: number
  name: string
  user_id: number | null
  username: string | null
  region_id: number | null
  region_name: string | null
  organisation: string | null
  title: string | null
  speciality: string | null
  mobile: string | null
  active: boolean
  items: { id: number; code: string; name: string; category_id: number }[]
  updated_at: string
}

export interface ExpertBody {
  name: string
  user_id: number | null
  region_id: number | null
  organisation: string | null
  title: string | null
  speciality: string | null
  mobile: string | null
  active: boolean
  item_ids: number[]
}

export const expertApi = {
  list: (query: {
    keyword?: string
    item_id?: number | null
    item_category_id?: number | null
    cursor?: string | null
    limit?: number
  }) => http.get<Page<Expert>>(`${API}/experts`, { ...query }),
  create: (body: ExpertBody) => http.post<Expert>(`${API}/experts`, body),
  update: (id: number, body: ExpertBody) => http.put<Expert>(`${API}/experts/${id}`, body),
  remove: (id: number) => http.delete<void>(`${API}/experts/${id}`),
}

/** Every item of the catalogue (the pickers), read page by page. */
export async function allItems(): Promise<Item[]> {
  const out: Item[] = []
  let cursor: string | null = null
  do {
    const page: Page<Item> = await itemApi.list({ cursor, limit: 200 })
    out.push(...page.items)
    cursor = page.next_cursor
  } while (cursor)
  return out
}
