// The identity and base-configuration API (SYS-1..SYS-11), typed as the screens read it.
import type { Geometry } from 'geojson'
import { http, request, type Query } from './http'

// ---- sign-in and the current user ----

export interface WindowRef {
  id: number
  name: string
  number: string
}

/** GET /api/v1/auth/me */
export interface Me {
  id: number
  username: string
  display_name: string
  region_id: number
  region_name: string
  region_level: string
  roles: string[]
  permissions: string[]
  superuser: boolean
  department_id: number | null
  squad_id: number | null
  window_id: number | null
  windows: WindowRef[]
  csrf_token: string | null
}

export const auth = {
  login: (username: string, password: string) =>
    request<Me>('POST', '/api/v1/auth/login', {
      body: { username, password, client: 'browser' },
      expireOn401: false,
    }),
  /** Without the expiry handler: on page load, "not signed in" is not "expired". */
  me: () => request<Me>('GET', '/api/v1/auth/me', { expireOn401: false }),
  logout: () => http.post<void>('/api/v1/auth/logout'),
  changePassword: (old_password: string, new_password: string) =>
    http.post<void>('/api/v1/auth/password', { old_password, new_password }),
  selectWindow: (window_id: number) => http.put<Me>('/api/v1/auth/window', { window_id }),
}

// ---- users, roles, departments, squads ----

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export interface UserRow {
  id: number
  username: string
  display_name: string
  phone: string | null
  id_number_masked: string | null
  region_id: number
  region_name: string
  department_id: number | null
  department_name: string | null
  squad_id: number | null
  squad_name: string | null
  roles: string[]
  is_active: boolean
  locked: boolean
  last_login_at: string | null
  has_certificate: boolean
}

/** A user as a picker shows it. */
export interface UserOption {
  id: number
  display_name: string
  username?: string
}

export interface UserFields {
  display_name: string
  phone: string | null
  id_number: string | null
  region_id: number
  department_id: number | null
  squad_id: number | null
  roles: string[]
}

export interface UserCreate extends UserFields {
  username: string
  password: string
}

export interface UserPatch extends Partial<UserFields> {
  is_active?: boolean
}

export interface PermissionInfo {
  code: string
  label: string
}

export interface PermissionModule {
  code: string
  label: string
  permissions: PermissionInfo[]
}

export interface Role {
  code: string
  name: string
  description: string | null
  is_builtin: boolean
  is_superuser: boolean
  permissions: string[]
  user_count: number
}

export interface Department {
  id: number
  name: string
  parent_id: number | null
  region_id: number
  region_name?: string | null
  is_window_department: boolean
  sort_order: number
  phone: string | null
}

export type DepartmentFields = Omit<Department, 'id' | 'region_name'>

export interface Squad {
  id: number
  name: string
  department_id: number
  region_id: number
  leader_id: number | null
  leader_name: string | null
  member_count: number
}

export interface SquadFields {
  name: string
  department_id: number
  leader_id: number | null
}

export const org = {
  users: (query: Query) => http.get<Page<UserRow>>('/api/v1/org/users', query),
  createUser: (body: UserCreate) => http.post<UserRow>('/api/v1/org/users', body),
  updateUser: (id: number, body: UserPatch) => http.patch<UserRow>(`/api/v1/org/users/${id}`, body),
  unlockUser: (id: number) => http.post<unknown>(`/api/v1/org/users/${id}/unlock`),
  resetPassword: (id: number, new_password: string) =>
    http.post<unknown>(`/api/v1/org/users/${id}/password`, { new_password }),

  permissions: () => http.get<{ modules: PermissionModule[] }>('/api/v1/org/permissions'),
  roles: () => http.get<Role[]>('/api/v1/org/roles'),
  createRole: (body: { code: string; name: string; description: string; permissions: string[] }) =>
    http.post<Role>('/api/v1/org/roles', body),
  updateRole: (code: string, body: { permissions?: string[]; name?: string; description?: string }) =>
    http.patch<Role>(`/api/v1/org/roles/${encodeURIComponent(code)}`, body),
  deleteRole: (code: string) => http.delete<void>(`/api/v1/org/roles/${encodeURIComponent(code)}`),

  departments: (region_id?: number | null) =>
    http.get<Department[]>('/api/v1/org/departments', { region_id }),
  createDepartment: (body: DepartmentFields) => http.post<Department>('/api/v1/org/departments', body),
  updateDepartment: (id: number, body: Partial<DepartmentFields>) =>
    http.patch<Department>(`/api/v1/org/departments/${id}`, body),
  deleteDepartment: (id: number) => http.delete<void>(`/api/v1/org/departments/${id}`),

  squads: (department_id?: number | null) => http.get<Squad[]>('/api/v1/org/squads', { department_id }),
  createSquad: (body: SquadFields) => http.post<Squad>('/api/v1/org/squads', body),
  updateSquad: (id: number, body: Partial<SquadFields>) => http.patch<Squad>(`/api/v1/org/squads/${id}`, body),
  deleteSquad: (id: number) => http.delete<void>(`/api/v1/org/squads/${id}`),
}

// ---- regions ----

export interface AdminRegion {
  id: number
  code: string
  name: string
  level: string
  parent_id: number | null
  path: string
  child_count: number
  area_km2: number | null
  geometry?: Geometry | null
}

export const regions = {
  list: (parent_id?: number | null) => http.get<AdminRegion[]>('/api/v1/admin/regions', { parent_id }),
  get: (id: number) => http.get<AdminRegion>(`/api/v1/admin/regions/${id}`),
  create: (body: { code: string; name: string; level: string; parent_id: number; geometry: Geometry }) =>
    http.post<AdminRegion>('/api/v1/admin/regions', body),
  rename: (id: number, name: string) => http.patch<AdminRegion>(`/api/v1/admin/regions/${id}`, { name }),
}

// ---- service centres, halls, windows ----

export interface Centre {
  id: number
  name: string
  level: string
  region_id: number
  region_name?: string | null
  address: string | null
  phone: string | null
  level_label?: string
  hall_count?: number
  window_count?: number
}

export type CentreFields = Omit<Centre, 'id' | 'region_name' | 'level_label' | 'hall_count' | 'window_count'>

export interface Hall {
  id: number
  name: string
  window_count?: number
}

export interface ServiceWindow {
  id: number
  name: string
  number: string
  hall_id: number | null
  hall_name?: string | null
  department_id: number | null
  department_name?: string | null
  centre_id?: number
  staff?: { id: number; display_name: string }[]
  staff_ids?: number[]
}

export interface WindowFields {
  name: string
  number: string
  hall_id: number | null
  department_id: number
}

export const centres = {
  list: () => http.get<Centre[]>('/api/v1/centres'),
  create: (body: CentreFields) => http.post<Centre>('/api/v1/centres', body),
  update: (id: number, body: Partial<CentreFields>) => http.patch<Centre>(`/api/v1/centres/${id}`, body),
  remove: (id: number) => http.delete<void>(`/api/v1/centres/${id}`),
  halls: (centreId: number) => http.get<Hall[]>(`/api/v1/centres/${centreId}/halls`),
  createHall: (centreId: number, name: string) => http.post<Hall>(`/api/v1/centres/${centreId}/halls`, { name }),
  updateHall: (id: number, name: string) => http.patch<Hall>(`/api/v1/halls/${id}`, { name }),
  removeHall: (id: number) => http.delete<void>(`/api/v1/halls/${id}`),
  windows: (centreId: number) => http.get<ServiceWindow[]>(`/api/v1/centres/${centreId}/windows`),
  createWindow: (centreId: number, body: WindowFields) =>
    http.post<ServiceWindow>(`/api/v1/centres/${centreId}/windows`, body),
  updateWindow: (id: number, body: Partial<WindowFields>) =>
    http.patch<ServiceWindow>(`/api/v1/windows/${id}`, body),
  removeWindow: (id: number) => http.delete<void>(`/api/v1/windows/${id}`),
  setStaff: (id: number, user_ids: number[]) =>
    http.put<ServiceWindow>(`/api/v1/windows/${id}/staff`, { user_ids }),
}

// ---- parameters, calendar, audit ----

export type ParameterValue = number | boolean | string

export interface Parameter {
  key: string
  label: string
  type: string
  value: ParameterValue
  default: ParameterValue
  source: string
  source_region_id: number | null
  minimum: number | null
  maximum: number | null
  unit: string
  basis: string
}

export const parameters = {
  list: (region_id?: number | null) => http.get<Parameter[]>('/api/v1/parameters', { region_id }),
  set: (key: string, region_id: number | null, value: ParameterValue) =>
    http.put<Parameter>(`/api/v1/parameters/${encodeURIComponent(key)}`, { region_id, value }),
  clear: (key: string, region_id: number | null) =>
    http.delete<Parameter>(`/api/v1/parameters/${encodeURIComponent(key)}`, { region_id }),
}

export interface CalendarDay {
  date: string
  is_working: boolean
  kind: string
  name: string | null
}

export interface CalendarMonth {
  year: number
  month: number
  days: CalendarDay[]
}

export const calendar = {
  month: (year: number, month: number) => http.get<CalendarMonth>(`/api/v1/calendar/${year}/${month}`),
  setDay: (date: string, kind: string, name: string | null) =>
    http.put<CalendarDay>(`/api/v1/calendar/days/${date}`, { kind, name }),
  generateYear: (year: number) => http.post<unknown>('/api/v1/calendar/years', { year }),
}

export interface AuditEntry {
  id: number
  at: string
  actor_id: number | null
  actor_name: string | null
  action: string
  object_type: string | null
  object_id: string | number | null
  region_path: string | null
  before: unknown
  after: unknown
  detail: string | null
  ip: string | null
}

export const audit = {
  search: (query: Query) => http.get<Page<AuditEntry>>('/api/v1/audit', query),
}
