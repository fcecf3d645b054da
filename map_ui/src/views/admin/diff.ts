// Before/after of an audit entry as rows a person can scan: every field of either side,
// and whether it changed.

export interface DiffRow {
  field: string
  before: string
  after: string
  changed: boolean
}

function text(value: unknown): string {
  if (value === undefined) return ''
  if (value === null) return 'null'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

function fields(value: unknown): Record<string, unknown> | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null
}

export function diffRows(before: unknown, after: unknown): DiffRow[] {
  const b = fields(before)
  const a = fields(after)
  if (!b && !a) {
    if (before == null && after == null) return []
    return [{ field: '', before: text(before), after: text(after), changed: text(before) !== text(after) }]
  }
  const keys = [...new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])]
  return keys.map((field) => {
    const old = text(b?.[field])
    const now = text(a?.[field])
    return { field, before: old, after: now, changed: old !== now }
  })
}
