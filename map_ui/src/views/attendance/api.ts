// The attendance API (/api/v1/attendance): check-ins, daily reports, the monthly summary.
import type { FeatureCollection, MultiPolygon, Point } from 'geojson'
import { download, http } from '../../api/http'
import type { Page } from '../../api/admin'

const BASE = '/api/v1/attendance'

export type DayStatus = 'pending' | 'approved' | 'rejected'
export type Verdict = 'in_grid' | 'out_of_grid' | 'low_accuracy'

export interface CheckIn {
  id: number
  day_id: number
  at: string
  lon: number
  lat: number
  accuracy_m: number
  note: string | null
  verdict: Verdict
  verdict_label: string
  grid_id: number
  grid_name: string
  distance_m: number
  allowance_m: number
}

export interface Day {
  id: number
  user_id: number
  user_name: string
  work_day: string
  grid_id: number
  grid_name: string
  community_name: string | null
  first_at: string
  last_at: string
  in_count: number
  out_count: number
  low_accuracy_count: number
  in_grid_rate: number | null
  status: DayStatus
  status_label: string
  reviewer_name: string | null
  reviewed_at: string | null
  opinion: string | null
  actions: Array<'approve' | 'reject'>
}

export interface DayDetail extends Day {
  check_ins: FeatureCollection<Point, Omit<CheckIn, 'lon' | 'lat'>>
  grids: FeatureCollection<MultiPolygon, { id: number; name: string }>
}

export interface MyDay {
  work_day: string
  day: Day | null
  check_ins: CheckIn[]
}

export interface SummaryRow {
  user_id: number
  user_name: string
  grid_names: string
  working_days: number
  due_days: number
  days_checked_in: number
  approved: number
  rejected: number
  pending: number
  absent: number
  in_count: number
  out_count: number
  in_grid_rate: number | null
}

export interface Summary {
  month: string
  working_days: number
  until: string
  rows: SummaryRow[]
}

export interface DayFilters {
  day?: string | null
  status?: DayStatus | null
  region_id?: number | null
  cursor?: string | null
  limit?: number
}

export const attendance = {
  checkIn: (body: { lon: number; lat: number; accuracy_m: number; note?: string | null; client_ref?: string }) =>
    http.post<CheckIn>(`${BASE}/check-ins`, body),
  myDay: (day?: string) => http.get<MyDay>(`${BASE}/check-ins`, { day }),
  days: (filters: DayFilters) => http.get<Page<Day>>(`${BASE}/days`, { ...filters }),
  day: (id: number) => http.get<DayDetail>(`${BASE}/days/${id}`),
  review: (id: number, action: 'approve' | 'reject', expected_status: DayStatus, opinion: string | null) =>
    http.post<DayDetail>(`${BASE}/days/${id}/${action}`, { expected_status, opinion }),
  summary: (month: string, region_id?: number | null) => http.get<Summary>(`${BASE}/summary`, { month, region_id }),
  downloadSummary: (month: string, region_id?: number | null) =>
    download(`${BASE}/summary.csv`, { month, region_id }, `attendance-${month}.csv`),
}

/** A rate as a percentage, or a dash. */
export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`
}

/** Today in Asia/Shanghai as YYYY-MM-DD (the platform's business day). */
export function shanghaiToday(offsetDays = 0): string {
  const now = new Date(Date.now() + offsetDays * 86_400_000)
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now)
}

const clock = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
})

/** The time of day of a moment in Asia/Shanghai (attendance days are Shanghai days). */
export function clockTime(value: string, seconds = false): string {
  const text = clock.format(new Date(value))
  return seconds ? text : text.slice(0, 5)
}

export const VERDICT_COLOURS: Record<Verdict, string> = {
  in_grid: '#2e9d4f',
  out_of_grid: '#d93025',
  low_accuracy: '#9aa0a6',
}
