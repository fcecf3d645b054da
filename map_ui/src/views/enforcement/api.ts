// The patrol, task-dispatch and case API as the 综合执法 screens use it.
import type { FeatureCollection } from 'geojson'
import { http } from '../../api/http'

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export type PlanKind = 'daily' | 'special'

export interface PlanInput {
  name: string
  kind: PlanKind
  start_date: string
  end_date: string
  weekdays: number[]
  officer_ids: number[]
  enterprise_category: string | null
  region_id: number | null
  route_id?: number | null
  note: string | null
}

export interface Plan {
  id: number
  name: string
  kind: PlanKind
  kind_label: string
  start_date: string
  end_date: string
  weekdays: number[]
  enterprise_category: string | null
  enterprise_category_label: string | null
  region_id: number | null
  region_name: string | null
  route_id: number | null
  route_name: string | null
  note: string | null
  active: boolean
  created_by_name: string
  created_at: string
  assignment_count: number
  done_count: number
  unmatched_count: number
  check_in_count: number
  officer_names: string[]
}

export interface Assignment {
  id: number
  plan_id: number
  officer_id: number | null
  officer_name: string | null
  enterprise_id: number | null
  enterprise_name: string | null
  enterprise_address: string | null
  lon: number | null
  lat: number | null
  unmatched_reason: string | null
  done_at: string | null
  check_in_count: number
}

export interface OfficerOption {
  id: number
  display_name: string
  region_name: string
  squad_name: string | null
  has_area: boolean
}

export interface TodayPatrol {
  kind: PlanKind
  plan_id: number
  plan_name: string
  assignment_id: number
  end_date: string
  route_name: string | null
  enterprise_id: number | null
  enterprise_name: string | null
  address: string | null
  lon: number | null
  lat: number | null
  check_ins_today: number
}

export interface MyPatrols {
  day: string
  weekday: number
  daily: TodayPatrol[]
  special: TodayPatrol[]
}

export interface CheckInInput {
  plan_id: number
  enterprise_id: number | null
  lon: number
  lat: number
  accuracy_m: number
  findings: string | null
  problem_found: boolean
}

export interface CheckIn {
  id: number
  plan_id: number
  plan_name: string
  officer_name: string
  enterprise_name: string | null
  at: string
  lon: number
  lat: number
  accuracy_m: number | null
  distance_m: number | null
  findings: string | null
  problem_found: boolean
  region_name: string | null
  photo_count: number
  assignment_done?: boolean
  notice?: string | null
}

export interface CheckInPhoto {
  id: number
  url: string
  at: string
}

export interface RouteOption {
  id: number
  name: string
  kind: PlanKind
  length_m: number
  region_name: string | null
}

export type TaskStatus = 'registered' | 'at_squad' | 'dispatched' | 'handling' | 'fed_back' | 'converted' | 'cancelled'
/** The colour of a task's status tag, on the desks and on the phone. */
export const TASK_TAG: Record<TaskStatus, 'primary' | 'success' | 'warning' | 'info' | 'danger'> = {
  registered: 'info', at_squad: 'warning', dispatched: 'warning', handling: 'primary',
  fed_back: 'success', converted: 'success', cancelled: 'info',
} // prettier-ignore
export type TaskView = 'registered_by_me' | 'my_squad' | 'mine' | 'all'

export interface TaskInput {
  title: string
  description: string
  source: string | null
  address: string | null
  lon: number
  lat: number
  deadline: string | null
}

export interface Task {
  id: number
  number: string
  title: string
  description: string
  source: string | null
  address: string | null
  deadline: string | null
  status: TaskStatus
  status_label: string
  is_open: boolean
  lon: number
  lat: number
  grid_name: string | null
  community_name: string | null
  town_name: string | null
  squad_id: number | null
  squad_name: string | null
  assignee_id: number | null
  assignee_name: string | null
  findings: string | null
  case_id: number | null
  case_number: string | null
  created_by_name: string
  created_at: string
  actions: string[]
}

export interface TaskHistory {
  id: number
  action: string
  action_label: string
  to_status_label: string
  actor_name: string
  note: string | null
  at: string
}

export interface Attachment {
  id: number
  kind: 'matter' | 'feedback'
  kind_label: string
  filename: string
  media_type: string
  size: number
  uploaded_by_name: string
  at: string
  url: string
}

export interface TaskDetail extends Task {
  history: TaskHistory[]
  attachments: Attachment[]
}

export interface TaskTargets {
  officers: { id: number; display_name: string; region_name: string; squad_name: string | null }[]
  squads: { id: number; name: string; region_name: string; leader_name: string | null }[]
}

export interface CaseInput {
  procedure: 'simple' | 'general'
  source: string
  title: string
  facts: string
  party_name: string | null
}

export interface ActionInput {
  expected_status: TaskStatus
  user_id?: number | null
  squad_id?: number | null
  findings?: string | null
  reason?: string | null
  note?: string | null
  case?: CaseInput | null
}

export interface CaseRecord {
  id: number
  number: string
  procedure_label: string
  source_label: string
  status_label: string
  title: string
  facts: string
  party_name: string | null
  address: string | null
  region_name: string | null
  registered_by_name: string
  registered_at: string
  task_number: string | null
}

function files(list: File[], kind?: string): FormData {
  const form = new FormData()
  for (const f of list) form.append('files', f)
  if (kind) form.append('kind', kind)
  return form
}

export const patrols = {
  plans: (query: { kind?: PlanKind | null; q?: string; cursor?: string | null }) =>
    http.get<Page<Plan>>('/api/v1/patrol-plans', { ...query, limit: 50 }),
  create: (body: PlanInput) => http.post<Plan>('/api/v1/patrol-plans', body),
  officers: () => http.get<OfficerOption[]>('/api/v1/patrol-plans/officers'),
  routes: (q: string) => http.get<RouteOption[]>('/api/v1/patrol-plans/routes', { q, limit: 20 }),
  stop: (id: number) => http.post<Plan>(`/api/v1/patrol-plans/${id}/stop`),
  assignments: (id: number, cursor: string | null = null) =>
    http.get<Page<Assignment>>(`/api/v1/patrol-plans/${id}/assignments`, { cursor, limit: 1000 }),
  checkInMap: (query: { plan_id?: number; date_from: string; date_to: string }) =>
    http.get<FeatureCollection & { truncated: boolean }>('/api/v1/patrol-check-ins/map', query),
  checkIns: (query: { plan_id: number; cursor?: string | null }) =>
    http.get<Page<CheckIn>>('/api/v1/patrol-check-ins', { ...query, limit: 50 }),
  checkInDetail: (id: number) => http.get<CheckIn & { photos: CheckInPhoto[] }>(`/api/v1/patrol-check-ins/${id}`),
  today: () => http.get<MyPatrols>('/api/v1/patrols/today'),
  checkIn: (body: CheckInInput) => http.post<CheckIn>('/api/v1/patrol-check-ins', body),
  photos: (id: number, list: File[]) => http.upload<unknown[]>(`/api/v1/patrol-check-ins/${id}/photos`, files(list)),
}

export const tasks = {
  list: (query: { view: TaskView; status?: TaskStatus | null; q?: string; cursor?: string | null }) =>
    http.get<Page<Task>>('/api/v1/enforcement-tasks', { ...query, limit: 50 }),
  register: (body: TaskInput) => http.post<TaskDetail>('/api/v1/enforcement-tasks', body),
  get: (id: number) => http.get<TaskDetail>(`/api/v1/enforcement-tasks/${id}`),
  targets: (id: number) => http.get<TaskTargets>(`/api/v1/enforcement-tasks/${id}/targets`),
  act: (id: number, action: string, body: ActionInput) =>
    http.post<TaskDetail>(`/api/v1/enforcement-tasks/${id}/${action}`, body),
  attach: (id: number, kind: 'matter' | 'feedback', list: File[]) =>
    http.upload<Attachment[]>(`/api/v1/enforcement-tasks/${id}/attachments`, files(list, kind)),
  case: (id: number) => http.get<CaseRecord>(`/api/v1/cases/${id}`),
}

/** yyyy-mm-dd of a date in the browser's zone (the screens show local days). */
export function isoDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}
