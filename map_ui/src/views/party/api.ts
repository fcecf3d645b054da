// 党建引领: the calls of the party organisations, members and activities screens.
import { http } from '../../api/http'

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export interface PartySite {
  id: number
  name: string
  kind: string
  organisation: string
  lon: number
  lat: number
}

export interface Organisation {
  id: number
  name: string
  kind: 'committee' | 'general_branch' | 'branch'
  parent_id: number | null
  region_id: number | null
  region_name: string | null
  secretary: string | null
  contact_phone: string | null
  founded_on: string | null
  site_id: number | null
  site_name: string | null
  lon: number | null
  lat: number | null
  members_full: number
  members_probationary: number
  activities_30d: number
  child_count: number
}

export interface OrganisationBody {
  name: string
  kind: string
  parent_id: number | null
  region_id: number | null
  secretary: string | null
  contact_phone: string | null
  founded_on: string | null
  site_id: number | null
  lon: number | null
  lat: number | null
}

export interface Member {
  id: number
  name: string
  gender: 'male' | 'female'
  organisation_id: number
  organisation_name: string
  joined_on: string | null
  status: 'full' | 'probationary'
  phone: string | null
  user_id: number | null
  username: string | null
  user_display_name: string | null
}

export interface MemberBody {
  name: string
  gender: string
  organisation_id: number
  joined_on: string | null
  status: string
  phone: string | null
  user_id: number | null
}

export interface Activity {
  id: number
  title: string
  kind: string
  organisation_id: number
  organisation_name: string
  held_at: string
  site_id: number | null
  site_name: string | null
  lon: number
  lat: number
  participants: number
  summary: string | null
}

export interface ActivityBody {
  title: string
  kind: string
  organisation_id: number
  held_at: string
  site_id: number | null
  lon: number | null
  lat: number | null
  participants: number
  summary: string | null
}

const BASE = '/api/v1/party'

export const partyApi = {
  sites: () => http.get<PartySite[]>(`${BASE}/sites`),
  organisations: () => http.get<Organisation[]>(`${BASE}/organisations`),
  createOrganisation: (body: OrganisationBody) => http.post<Organisation>(`${BASE}/organisations`, body),
  updateOrganisation: (id: number, body: OrganisationBody) => http.put<Organisation>(`${BASE}/organisations/${id}`, body),
  removeOrganisation: (id: number) => http.delete<void>(`${BASE}/organisations/${id}`),
  members: (query: { organisation_id?: number | null; name?: string; cursor?: string | null; limit?: number }) =>
    http.get<Page<Member>>(`${BASE}/members`, query),
  createMember: (body: MemberBody) => http.post<Member>(`${BASE}/members`, body),
  updateMember: (id: number, body: MemberBody) => http.put<Member>(`${BASE}/members/${id}`, body),
  removeMember: (id: number) => http.delete<void>(`${BASE}/members/${id}`),
  activities: (query: {
    organisation_id?: number | null
    date_from?: string | null
    date_to?: string | null
    cursor?: string | null
    limit?: number
  }) => http.get<Page<Activity>>(`${BASE}/activities`, query),
  createActivity: (body: ActivityBody) => http.post<Activity>(`${BASE}/activities`, body),
  updateActivity: (id: number, body: ActivityBody) => http.put<Activity>(`${BASE}/activities/${id}`, body),
  removeActivity: (id: number) => http.delete<void>(`${BASE}/activities/${id}`),
}
