// The inspection task and red / white / black list API (DR-6, DR-8), as the screens use it.
import { http, type Query } from '../../api/http'
import type { Page } from '../../api/admin'

export type AssignmentStatus = 'to_confirm' | 'confirmed' | 'submitted'
export type AssignmentAction = 'confirm' | 'save' | 'submit'
export type RiskList = 'red' | 'white' | 'black'
export type MineView = 'open' | 'completed' | 'all'

export interface TeamMember {
  user_id: number
  display_name: string
  is_leader: boolean
}

export interface AssignmentRow {
  id: number
  task_id: number
  task_name: string
  start_date: string
  end_date: string
  enterprise_id: number
  enterprise_name: string
  address: string | null
  risk_list: RiskList
  status: AssignmentStatus
  status_label: string
  leader_id: number
  leader_name: string
  team: TeamMember[]
  score: number | null
  max_score: number | null
  passed: boolean | null
  submitted_at: string | null
}

export interface CheckLine {
  content_id: number
  seq: number
  content: string
  max_score: number
  critical: boolean
  score: number | null
  passed: boolean | null
  remark: string | null
}

export interface CheckItem {
  item_id: number
  code: string
  name: string
  basis: string | null
  method: string | null
  lines: CheckLine[]
}

export interface ObjectCard {
  id: number
  name: string
  uscc: string
  category: string
  address: string | null
  legal_representative: string | null
  contact_phone: string | null
  region_name: string | null
  risk_list: RiskList
  risk_list_label: string
  draw_weight: number
  pass_streak: number
  fail_streak: number
  lon: number
  lat: number
}

export interface AssignmentPhoto {
  id: number
  sha256: string
  media_type: string
  size: number
  uploaded_by_name: string
  at: string
  url: string
}

export interface AssignmentDetail {
  id: number
  task_id: number
  task_name: string
  start_date: string
  end_date: string
  item_category_name: string
  status: AssignmentStatus
  status_label: string
  object: ObjectCard
  team: TeamMember[]
  leader_name: string
  on_team: boolean
  note: string | null
  score: number | null
  max_score: number | null
  passed: boolean | null
  confirmed_at: string | null
  submitted_at: string | null
  submitted_by_name: string | null
  check_list: CheckItem[]
  photos: AssignmentPhoto[]
  actions: AssignmentAction[]
}

export interface ResultLine {
  content_id: number
  score: number
  passed: boolean
  remark: string | null
}

export interface ResultsBody {
  expected_status: AssignmentStatus
  results: ResultLine[]
  note: string | null
}

export interface ListChange {
  enterprise_id: number
  kind: 'manual' | 'automatic' | 'weight'
  from_list: RiskList
  to_list: RiskList
  from_weight: number
  to_weight: number
  pass_streak: number
  fail_streak: number
  moved: boolean
  reason: string
}

export interface SubmitOutcome {
  assignment: AssignmentDetail
  passed: boolean
  score: number
  max_score: number
  pass_score: number
  critical_failed: string[]
  list_change: ListChange
}

export interface TaskRow {
  id: number
  name: string
  item_category_name: string
  start_date: string
  end_date: string
  region_name: string | null
  created_by_name: string
  created_at: string
  total: number
  to_confirm: number
  confirmed: number
  submitted: number
  passed: number
  failed: number
}

export interface TaskDetail {
  task: TaskRow
  assignments: AssignmentRow[]
}

export interface ListedObject {
  id: number
  name: string
  uscc: string
  category: string
  address: string | null
  region_name: string | null
  risk_list: RiskList
  risk_list_label: string
  draw_weight: number
  pass_streak: number
  fail_streak: number
}

export interface MoveRow {
  id: number
  enterprise_id: number
  enterprise_name: string
  kind: ListChange['kind']
  kind_label: string
  from_list: RiskList
  from_list_label: string
  to_list: RiskList
  to_list_label: string
  from_weight: number
  to_weight: number
  reason: string
  assignment_id: number | null
  moved_by_name: string | null
  at: string
}

export interface Rule {
  key: string
  label: string
  value: number
  default: number
  unit: string
  source: string
}

export interface Rules {
  region_id: number
  rules: Rule[]
  weight_floor: number
  weight_cap: number
}

const BASE = '/api/v1/inspection'

export const inspectionTasks = {
  mine: (query: Query) => http.get<Page<AssignmentRow>>(`${BASE}/tasks/mine`, query),
  tasks: (query: Query) => http.get<Page<TaskRow>>(`${BASE}/tasks`, query),
  task: (id: number) => http.get<TaskDetail>(`${BASE}/tasks/${id}`),
  assignment: (id: number) => http.get<AssignmentDetail>(`${BASE}/assignments/${id}`),
  confirm: (id: number, expected: AssignmentStatus) =>
    http.post<AssignmentDetail>(`${BASE}/assignments/${id}/confirm`, { expected_status: expected }),
  save: (id: number, body: ResultsBody) => http.put<AssignmentDetail>(`${BASE}/assignments/${id}/results`, body),
  submit: (id: number, body: ResultsBody) => http.post<SubmitOutcome>(`${BASE}/assignments/${id}/submit`, body),
  uploadPhotos: (id: number, files: File[]) => {
    const form = new FormData()
    for (const file of files) form.append('files', file)
    return http.upload<AssignmentPhoto[]>(`${BASE}/assignments/${id}/photos`, form)
  },
}

export const riskLists = {
  objects: (query: Query) => http.get<Page<ListedObject>>(`${BASE}/lists`, query),
  counts: () => http.get<Record<RiskList, number>>(`${BASE}/lists/counts`),
  moves: (query: Query) => http.get<Page<MoveRow>>(`${BASE}/lists/moves`, query),
  move: (body: { enterprise_id: number; to_list: RiskList; expected_list: RiskList; reason: string }) =>
    http.post<ListChange>(`${BASE}/lists/moves`, body),
  rules: () => http.get<Rules>(`${BASE}/lists/rules`),
}

/** Element Plus tag types of the lists: red 红库, white 白库, black 黑库. */
export const LIST_TAG: Record<RiskList, 'danger' | 'info' | 'primary'> = {
  red: 'danger',
  white: 'info',
  black: 'primary',
}

export const STATUS_TAG: Record<AssignmentStatus, 'warning' | 'primary' | 'success'> = {
  to_confirm: 'warning',
  confirmed: 'primary',
  submitted: 'success',
}
