// Feature properties as a card shows them: Chinese labels, Chinese values.
import type { FeatureProperties, LayerInfo, LayerPropertyInfo, RegionNode } from '../api/types'
import { zhCN as t } from '../i18n/zh-CN'

export interface CardRow {
  name: string
  label: string
  value: string
}

const LAST = new Set(['created_at', 'updated_at'])
const REGION_REFS = new Set(['region_id', 'parent_id'])
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

function formatDateTime(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}`
  )
}

export function formatValue(
  prop: LayerPropertyInfo,
  value: unknown,
  regions: ReadonlyMap<number, RegionNode>,
): string {
  if (value === null || value === undefined || value === '') return t.card.empty
  if (typeof value === 'boolean') return value ? t.card.yes : t.card.no
  if (REGION_REFS.has(prop.name) && typeof value === 'number') {
    const region = regions.get(value)
    if (region) return region.name
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100)
  }
  if (typeof value === 'string') {
    const coded = prop.values?.[value] ?? t.values[prop.name]?.[value]
    if (coded) return coded
    if (DATE_TIME.test(value)) return formatDateTime(value)
    return value
  }
  return JSON.stringify(value)
}

/** The card's rows: the catalogue's properties in its order, timestamps last. */
export function cardRows(
  layer: LayerInfo | null,
  properties: FeatureProperties,
  regions: ReadonlyMap<number, RegionNode>,
): CardRow[] {
  const props: LayerPropertyInfo[] = layer
    ? layer.properties
    : Object.keys(properties)
        .filter((k) => k !== 'id')
        .map((name) => ({ name, label: name }))
  const ordered = [
    ...props.filter((p) => !LAST.has(p.name)),
    ...props.filter((p) => LAST.has(p.name)),
  ]
  return ordered.map((p) => ({
    name: p.name,
    label: p.label,
    value: formatValue(p, properties[p.name], regions),
  }))
}

export function featureTitle(properties: FeatureProperties, fallback: string): string {
  const name = properties.name ?? properties.title
  return typeof name === 'string' && name ? name : fallback
}
