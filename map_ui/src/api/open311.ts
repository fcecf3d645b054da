// Keys of Open311 clients (/api/v1/admin/open311-keys), typed as the screen reads them.
import { http, type Query } from './http'
import type { Page } from './admin'

export interface Open311Key {
  id: number
  name: string
  region_id: number
  region_name: string
  created_by: number | null
  created_by_name: string | null
  created_at: string
  revoked_at: string | null
  last_used_at: string | null
  is_demo: boolean
  is_active: boolean
}

/** The answer to an issue: the only time the plain key is seen. */
export interface Open311KeyIssued extends Open311Key {
  key: string
}

const KEYS = '/api/v1/admin/open311-keys'

export const open311Keys = {
  list: (query: Query) => http.get<Page<Open311Key>>(KEYS, query),
  issue: (name: string, region_id: number) => http.post<Open311KeyIssued>(KEYS, { name, region_id }),
  revoke: (id: number) => http.post<Open311Key>(`${KEYS}/${id}/revoke`),
}
