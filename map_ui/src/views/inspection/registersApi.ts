// The registers of random inspections (DR-1, DR-2): supervision categories and
// supervised objects, typed as the screens read them.
import { http, type Query } from '../../api/http'
import type { Page } from '../../api/admin'

const BASE = '/api/v1/inspection'

export interface SupervisionCategory {
  id: number
  code: string
  name: string
  parent_id: number | null
  sort_order: number
  description: string | null
  child_count: number
  object_count: number
  updated_at: string
  children?: SupervisionCategory[]
}

export interface CategoryBody {
  code: string
  name: string
  parent_id: number | null
  sort_order: number
  description: string | null
}

export interface CategoryRef {
  id: number
  code: string
  name: string
}

export type RiskList = 'red' | 'white' | 'black'

export interface SupervisedObject {
  id: number
  name: string
  uscc: string
  category: string
  address: string | null
  legal_representative: string | null
  contact_phone: string | null
  risk_list: RiskList
  draw_weight: number
  lon: number
  lat: number
  region_id: number | null
  grid_name: string | null
  community_name: string | null
  town_name: string | null
  supervision_categories: CategoryRef[]
}

export interface Licence {
  id: number
  name: string
  number: string
  issuer: string | null
  valid_from: string | null
  valid_to: string | null
  scope: string | null
  expired: boolean
}

export type LicenceBody = Omit<Licence, 'id' | 'expired'>

export interface Person {
  id: number
  name: string
  duty: string | null
  mobile: string
}

export type PersonBody = Omit<Person, 'id'>

export interface ObjectDetail extends SupervisedObject {
  pass_streak: number
  fail_streak: number
  licences: Licence[]
  persons: Person[]
  created_at: string
  updated_at: string
}

export interface ObjectFacts {
  name: string
  uscc: string
  category: string
  address: string | null
  legal_representative: string | null
  contact_phone: string | null
  lon: number
  lat: number
}

export interface ObjectCreate extends ObjectFacts {
  supervision_category_ids: number[]
  licences: LicenceBody[]
  persons: PersonBody[]
}

export const registers = {
  categories: () => http.get<SupervisionCategory[]>(`${BASE}/supervision-categories`),
  createCategory: (body: CategoryBody) => http.post<SupervisionCategory>(`${BASE}/supervision-categories`, body),
  updateCategory: (id: number, body: Partial<CategoryBody>) =>
    http.patch<SupervisionCategory>(`${BASE}/supervision-categories/${id}`, body),
  deleteCategory: (id: number) => http.delete<void>(`${BASE}/supervision-categories/${id}`),

  objects: (query: Query) => http.get<Page<SupervisedObject>>(`${BASE}/objects`, query),
  object: (id: number) => http.get<ObjectDetail>(`${BASE}/objects/${id}`),
  createObject: (body: ObjectCreate) => http.post<ObjectDetail>(`${BASE}/objects`, body),
  updateObject: (id: number, body: Partial<ObjectFacts>) => http.patch<ObjectDetail>(`${BASE}/objects/${id}`, body),
  setCategories: (id: number, category_ids: number[]) =>
    http.put<ObjectDetail>(`${BASE}/objects/${id}/categories`, { category_ids }),
  addLicence: (id: number, body: LicenceBody) => http.post<Licence>(`${BASE}/objects/${id}/licences`, body),
  updateLicence: (id: number, licenceId: number, body: LicenceBody) =>
    http.patch<Licence>(`${BASE}/objects/${id}/licences/${licenceId}`, body),
  deleteLicence: (id: number, licenceId: number) => http.delete<void>(`${BASE}/objects/${id}/licences/${licenceId}`),
  addPerson: (id: number, body: PersonBody) => http.post<Person>(`${BASE}/objects/${id}/persons`, body),
  updatePerson: (id: number, personId: number, body: PersonBody) =>
    http.patch<Person>(`${BASE}/objects/${id}/persons/${personId}`, body),
  deletePerson: (id: number, personId: number) => http.delete<void>(`${BASE}/objects/${id}/persons/${personId}`),
}

/** A mainland mobile number, as the server checks it (a +86 prefix, spaces and hyphens allowed). */
export function isMobile(value: string): boolean {
  const digits = value.replace(/[\s\-()（）]/g, '').replace(/^(\+86|0086)/, '')
  return /^1[3-9]\d{9}$/.test(digits)
}

/** The ids of a category and of everything below it. */
export function subtreeOf(nodes: SupervisionCategory[], id: number): Set<number> {
  const out = new Set<number>()
  const visit = (list: SupervisionCategory[], inside: boolean): void => {
    for (const n of list) {
      const here = inside || n.id === id
      if (here) out.add(n.id)
      visit(n.children ?? [], here)
    }
  }
  visit(nodes, false)
  return out
}

/** Every category of the tree, depth first. */
export function flatten(nodes: SupervisionCategory[]): SupervisionCategory[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children ?? [])])
}
