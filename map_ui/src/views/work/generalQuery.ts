// The general query's calls (GET /api/v1/events/query …): one set of filters, sent the
// same way to the table, the count, the map and the export.
import type { Page } from '../../api/admin'
import { download, http } from '../../api/http'
import type { RegionNode } from '../../api/types'
import type { EventRow } from '../../api/events'

export interface QueryFilters {
  keyword: string
  status: string[]
  category: string[] // the cascader's path; its last code filters (sub-categories included)
  region_id: number | null
  severity: number[]
  urgency: number[]
  source: string[]
  reported: [string, string] | null // YYYY-MM-DD, both days included
  closed: [string, string] | null
  time_state: string
  department_id: number | null
  assignee_id: number | null
  reporter_id: number | null
}

export function emptyFilters(): QueryFilters {
  return {
    keyword: '', status: [], category: [], region_id: null, severity: [], urgency: [], source: [],
    reported: null, closed: null, time_state: '', department_id: null, assignee_id: null,
    reporter_id: null,
  } // prettier-ignore
}

/** A row of the result table: the work order as every list returns it. */
export type { EventRow }

export interface MapCell {
  lon: number
  lat: number
  count: number
  bbox: [number, number, number, number]
}

export interface MapPoint {
  id: number
  lon: number
  lat: number
  event_no: string
  title: string
  status: string
  overdue: boolean
}

export interface QueryMap {
  mode: 'cells' | 'points'
  cell_size: number | null
  cells: MapCell[]
  points: MapPoint[]
  total: number
  truncated: boolean
}

export interface Option {
  id: number
  name: string
}

export interface QueryOptions {
  categories: { code: string; name: string; parent_code: string | null }[]
  regions: RegionNode[]
  departments: Option[]
  users: Option[]
}

export interface ExportOptions {
  fields: { key: string; header: string; default: boolean }[]
  max_rows: number
}

/** The filters as query parameters (lists repeat their key, empty values are left out). */
export function filterParams(f: QueryFilters, extra: Record<string, string | number | null> = {}): URLSearchParams {
  const p = new URLSearchParams()
  const put = (key: string, value: string | number | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') p.append(key, String(value))
  }
  put('keyword', f.keyword.trim())
  f.status.forEach((s) => put('status', s))
  put('category', f.category.length ? f.category[f.category.length - 1] : null)
  put('region_id', f.region_id)
  f.severity.forEach((s) => put('severity', s))
  f.urgency.forEach((s) => put('urgency', s))
  f.source.forEach((s) => put('source', s))
  put('reported_from', f.reported?.[0])
  put('reported_to', f.reported?.[1])
  put('closed_from', f.closed?.[0])
  put('closed_to', f.closed?.[1])
  put('time_state', f.time_state)
  put('department_id', f.department_id)
  put('assignee_id', f.assignee_id)
  put('reporter_id', f.reporter_id)
  for (const [key, value] of Object.entries(extra)) put(key, value)
  return p
}

const BASE = '/api/v1/events'

function get<T>(path: string, params: URLSearchParams, signal?: AbortSignal): Promise<T> {
  const text = params.toString()
  return http.get<T>(text ? `${BASE}${path}?${text}` : `${BASE}${path}`, undefined, signal)
}

export const generalQuery = {
  page: (f: QueryFilters, sort: string, cursor: string | null, limit: number) =>
    get<Page<EventRow>>('/query', filterParams(f, { sort, cursor, limit })),
  count: (f: QueryFilters) => get<{ count: number }>('/query/count', filterParams(f)),
  map: (f: QueryFilters, view: [number, number, number, number], zoom: number, signal?: AbortSignal) =>
    get<QueryMap>('/query/map', filterParams(f, { view: view.join(','), zoom: Math.floor(zoom) }), signal),
  options: () => http.get<QueryOptions>(`${BASE}/query/options`),
  exportOptions: () => http.get<ExportOptions>(`${BASE}/export/options`),
  download: (f: QueryFilters, format: string, fields: string[], sort: string) =>
    download(`${BASE}/export?${filterParams(f, { format, fields: fields.join(','), sort })}`, undefined, `export.${format}`),
}
