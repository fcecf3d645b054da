// The draw API (/api/v1/inspection/draws) and the public record (/public/inspection).
import { http } from '../../api/http'

export type RiskList = 'red' | 'white' | 'black'
export type DrawStatus = 'drawn' | 'submitted' | 'discarded'

export const LIST_COLOURS: Record<RiskList, string> = { red: '#d9363e', white: '#2f7de1', black: '#303133' }
export const UNMATCHED_COLOUR = '#a8abb2'

export interface Option {
  id: number
  name: string
  parent_id?: number | null
}
export interface CodeOption {
  code: string
  name: string
}
export interface OfficerOption {
  user_id: number
  name: string
  officer_type: string
  department_name: string | null
  squad_name: string | null
  region_name: string | null
}
export interface DrawOptions {
  item_categories: Option[]
  supervision_categories: Option[]
  enterprise_categories: CodeOption[]
  regions: Option[]
  departments: Option[]
  squads: Option[]
  officer_types: CodeOption[]
  officers: OfficerOption[]
  default_region_id: number
}

export interface DrawConditions {
  item_category_id: number | null
  supervision_category_ids: number[]
  enterprise_categories: string[]
  region_id: number | null
  count: number | null
  ratios: Partial<Record<RiskList, number>> | null
  officer_scope: { department_ids: number[]; squad_ids: number[]; user_ids: number[]; officer_types: string[] }
  team_size: number
  seed_source: 'system' | 'public'
  seed_note: string | null
}

export interface TeamMember {
  user_id: number
  name: string
}
export interface Pick {
  rank: number
  enterprise_id: number
  name: string
  uscc: string
  risk_list: RiskList
  risk_list_label: string
  weight: number
  address: string | null
  lon: number
  lat: number
  team: TeamMember[]
  leader_id: number | null
  leader_name: string | null
  eligible_count: number
  unmatched_reason: string | null
}
export interface ListCount {
  risk_list: RiskList
  label: string
  candidates: number
  picks: number
  quota: number | null
}
export interface DrawSummary {
  id: number
  number: string
  status: DrawStatus
  status_label: string
  item_category_name: string
  region_name: string | null
  team_size: number
  seed_source: 'system' | 'public'
  candidate_count: number
  pick_count: number
  unmatched_count: number
  drawn_by_name: string
  drawn_at: string
  published_at: string | null
  task_id: number | null
  task_name: string | null
}
export interface DrawDetail extends DrawSummary {
  conditions_text: string[]
  seed: string
  seed_source_label: string
  seed_note: string | null
  algorithm: string
  lists: ListCount[]
  picks: Pick[]
  task: { id: number; name: string; start_date: string; end_date: string; assignment_count: number } | null
}
export interface Page<T> {
  items: T[]
  next_cursor: string | null
}
export interface TaskRef {
  id: number
  name: string
  start_date: string
  end_date: string
  assignment_count: number
}

export interface PublicPick {
  rank: number
  name: string
  uscc: string
  risk_list: RiskList
  risk_list_label: string
  team: string[]
  leader_name: string | null
  unmatched_reason: string | null
}
export interface PublicDraw {
  number: string
  item_category_name: string
  region_name: string | null
  status_label: string
  candidate_count: number
  pick_count: number
  unmatched_count: number
  drawn_at: string
  published_at: string
  conditions_text: string[]
  team_size: number
  seed: string
  seed_source_label: string
  seed_note: string | null
  algorithm: string
  algorithm_description: string
  lists: ListCount[]
  picks: PublicPick[]
  task_name: string | null
}
export interface VerifyResult {
  number: string
  verified: boolean
  picks_match: boolean
  teams_match: boolean
  candidate_count: number
  recomputed_picks: number
  differences: string[]
}

const BASE = '/api/v1/inspection/draws'
const PUBLIC = '/public/inspection/draws'

export const draws = {
  options: () => http.get<DrawOptions>(`${BASE}/options`),
  list: (cursor?: string | null) => http.get<Page<DrawSummary>>(BASE, { cursor, limit: 50 }),
  create: (conditions: DrawConditions) => http.post<DrawDetail>(BASE, conditions),
  get: (id: number) => http.get<DrawDetail>(`${BASE}/${id}`),
  setLeader: (id: number, enterpriseId: number, leaderId: number) =>
    http.patch<DrawDetail>(`${BASE}/${id}/picks/${enterpriseId}`, { leader_id: leaderId }),
  discard: (id: number) => http.post<DrawDetail>(`${BASE}/${id}/discard`),
  submit: (id: number, body: { name: string; start_date: string; end_date: string }) =>
    http.post<TaskRef>(`${BASE}/${id}/submit`, body),
  publish: (id: number) => http.post<DrawDetail>(`${BASE}/${id}/publish`),
}

export const publicDraws = {
  get: (number: string) => http.get<PublicDraw>(`${PUBLIC}/${encodeURIComponent(number)}`),
  verify: (number: string) => http.get<VerifyResult>(`${PUBLIC}/${encodeURIComponent(number)}/verify`),
  csvUrl: (number: string) => `${PUBLIC}/${encodeURIComponent(number)}/candidates.csv`,
}

/** The public page of a draw (hash route, no sign-in). */
export function publicPageUrl(number: string): string {
  return `${location.origin}${location.pathname}#/public/draws/${encodeURIComponent(number)}`
}
