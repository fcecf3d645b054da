// The calls of the grid-governance desks and the report form: work-order lists by tab,
// the category dictionary, where a point would be reported, reporting, the export of one
// work order, and the review of extension requests.
import { download, http, type Query } from './http'
import type { Page } from './admin'

export type TimeState = 'green' | 'yellow' | 'red'
export type WorkBox = 'todo' | 'done' | 'verifying' | 'reported'

/** One work order as the desks list it (GET /api/v1/events). */
export interface WorkOrderRow {
  id: number
  event_no: string
  title: string
  category_code: string
  category_name: string
  status: string
  status_label: string
  severity: number
  urgency: number
  reporter_name: string | null
  reported_at: string
  deadline: string | null
  grid_name: string | null
  community_name: string | null
  town_name: string | null
  remaining_hours: number | null
  time_state: TimeState | null
}

export interface CategoryNode {
  code: string
  name: string
  default_days: number | null
  children: CategoryNode[]
}

export interface PointLocation {
  lon: number
  lat: number
  reportable: boolean
  /** Reportable, but outside every grid: the report goes up to the district centre. */
  notice?: string | null
  reason: string | null
  grid_id: number | null
  grid_name: string | null
  community_name: string | null
  town_name: string | null
  responsible_user_id: number | null
  responsible_name: string | null
}

export interface EventReport {
  title: string
  description: string | null
  category_code: string
  lon: number
  lat: number
  address: string | null
  source: string
  severity: number
  urgency: number
  reporter_name: string | null
}

export interface ReportedEvent extends WorkOrderRow {
  duplicate_of_candidates: { id: number; event_no: string; title: string; distance_m: number }[]
}

export type ExtensionStatus = 'requested' | 'first_approved' | 'approved' | 'rejected'

export interface ExtensionRow {
  id: number
  event_id: number
  event_no: string
  event_title: string
  event_deadline: string | null
  days: number
  reason: string
  status: ExtensionStatus
  status_label: string
  requested_by_name: string
  requested_at: string
  first_reviewer_name: string | null
  first_opinion: string | null
}

const EVENTS = '/api/v1/events'

export const desks = {
  list: (query: Query) => http.get<Page<WorkOrderRow>>(EVENTS, query),
  downloadExport: (id: number) => download(`${EVENTS}/${id}/export`, undefined, `event-${id}.csv`),
  categories: () => http.get<CategoryNode[]>(`${EVENTS}/categories`),
  locate: (lon: number, lat: number, signal?: AbortSignal) =>
    http.get<PointLocation>(`${EVENTS}/locate`, { lon, lat }, signal),
  report: (body: EventReport) => http.post<ReportedEvent>(EVENTS, body),
  pendingExtensions: () => http.get<ExtensionRow[]>('/api/v1/extensions', { pending: true }),
  reviewExtension: (id: number, body: { approve: boolean; opinion: string | null; expected_status: ExtensionStatus }) =>
    http.post<ExtensionRow>(`/api/v1/extensions/${id}/review`, body),
}
