// The work-order API (GM-1 … GM-7) as the desks read it: lists, detail, the workflow
// actions, photos, supervision messages and extension requests.
import { ApiError, http } from './http'
import type { Page } from './admin'

export type TimeState = 'green' | 'yellow' | 'red'

/** One work order as the lists show it (EventRead). */
export interface EventRow {
  id: number
  event_no: string
  title: string
  description: string | null
  category_code: string
  category_name: string
  status: string
  status_label: string
  is_open: boolean
  source: string
  severity: number
  urgency: number
  address: string | null
  reporter_name: string | null
  reported_at: string
  closed_at: string | null
  deadline: string | null
  lon: number
  lat: number
  grid_id: number | null
  grid_name: string | null
  /** The grid's boundary version the report fell in (null: reported outside every grid). */
  grid_version: number | null
  /** The grid's responsible member when it was reported. */
  responsible_member_name: string | null
  community_name: string | null
  town_name: string | null
  claimed_by_id: number | null
  claimed_by_name: string | null
  assignee_user_id: number | null
  assignee_user_name: string | null
  assignee_department_id: number | null
  assignee_department_name: string | null
  verifier_id: number | null
  verifier_name: string | null
  /** What the reader may do now: the buttons of the detail panel. */
  actions: string[]
  remaining_hours: number | null
  time_state: TimeState | null
  suspected_duplicate: boolean
  merged_into_id: number | null
}

export interface HistoryEntry {
  id: number
  action: string
  action_label: string
  from_status: string | null
  to_status: string
  to_status_label: string
  actor_id: number | null
  actor_name: string
  at: string
  opinion: string | null
  target_user_id: number | null
  target_user_name: string | null
  target_department_id: number | null
  target_department_name: string | null
}

export interface DuplicateCandidate {
  id: number
  event_no: string
  title: string
  status: string
  reported_at: string
  distance_m: number
}

export interface EventDetail extends EventRow {
  history: HistoryEntry[]
  duplicate_of_candidates: DuplicateCandidate[]
  suggested_department_id: number | null
  suggested_department_name: string | null
}

export interface Photo {
  id: number
  sha256: string
  kind: 'report' | 'feedback' | 'verify'
  kind_label: string
  uploaded_by_name: string
  at: string
  event_action_id: number | null
  url: string
}

export interface TargetUser {
  id: number
  display_name: string
  username: string
  region_name: string
  department_name: string | null
  grid_role: string | null
}

export interface TargetDepartment {
  id: number
  name: string
  region_name: string
}

export interface EventTargets {
  users: TargetUser[]
  departments: TargetDepartment[]
  suggested_department_id: number | null
}

export interface ActionBody {
  opinion?: string | null
  user_id?: number | null
  department_id?: number | null
  expected_status: string
}

export interface Supervision {
  id: number
  event_id: number
  event_no: string
  event_title: string
  event_status: string
  sender_name: string
  message: string
  sent_at: string
  reply_deadline: string
  receiver_user_name: string | null
  receiver_department_name: string | null
  reply: string | null
  replied_at: string | null
  replied_by_name: string | null
  remaining_hours: number | null
  overdue: boolean
}

export interface EventFilter {
  status?: string[]
  mine?: boolean
  dispatched_by_me?: boolean
  cursor?: string | null
  limit?: number
}

const EVENTS = '/api/v1/events'

/** The list's query: `status` may repeat, which the plain query helper cannot say. */
function listPath(filter: EventFilter): string {
  const params = new URLSearchParams()
  for (const s of filter.status ?? []) params.append('status', s)
  if (filter.mine) params.set('mine', 'true')
  if (filter.dispatched_by_me) params.set('dispatched_by_me', 'true')
  if (filter.cursor) params.set('cursor', filter.cursor)
  params.set('limit', String(filter.limit ?? 50))
  return `${EVENTS}?${params}`
}


export const events = {
  list: (filter: EventFilter) => http.get<Page<EventRow>>(listPath(filter)),
  get: (id: number, signal?: AbortSignal) => http.get<EventDetail>(`${EVENTS}/${id}`, undefined, signal),
  pool: () => http.get<{ count: number }>(`${EVENTS}/pool`),
  claim: (count: number) => http.post<{ claimed: EventRow[]; pool_left: number }>(`${EVENTS}/claim`, { count }),
  act: (id: number, action: string, body: ActionBody) => http.post<EventDetail>(`${EVENTS}/${id}/${action}`, body),
  merge: (id: number, into_id: number, expected_status: string) =>
    http.post<EventDetail>(`${EVENTS}/${id}/merge`, { into_id, expected_status }),
  targets: (id: number) => http.get<EventTargets>(`${EVENTS}/${id}/targets`),
  photos: (id: number) => http.get<Photo[]>(`${EVENTS}/${id}/photos`),
  uploadPhotos: (id: number, kind: Photo['kind'], files: File[], eventActionId: number | null) => {
    const form = new FormData()
    for (const f of files) form.append('files', f)
    form.append('kind', kind)
    if (eventActionId !== null) form.append('event_action_id', String(eventActionId))
    return http.upload<Photo[]>(`${EVENTS}/${id}/photos`, form)
  },
  requestExtension: (id: number, days: number, reason: string) =>
    http.post<unknown>(`${EVENTS}/${id}/extensions`, { days, reason }),
  supervise: (id: number, message: string, reply_unit: 'hours' | 'days', reply_amount: number) =>
    http.post<Supervision>(`${EVENTS}/${id}/supervisions`, { message, reply_unit, reply_amount }),
  supervisions: () => http.get<Supervision[]>('/api/v1/supervisions', { box: 'received' }),
  replySupervision: (id: number, reply: string) =>
    http.post<Supervision>(`/api/v1/supervisions/${id}/reply`, { reply }),
}

export { ApiError }
