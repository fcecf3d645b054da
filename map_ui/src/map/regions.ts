import type { RegionNode } from '../api/types'

/** The layer that holds a region of this level (for its outline and its card). */
export const LEVEL_LAYER: Record<string, string> = {
  town: 'towns',
  community: 'communities',
  grid: 'grids',
}

/** The levels an offline HTML map can be exported for. */
export const EXPORTABLE_LEVELS = new Set(['community', 'grid'])

/** The picker starts at the towns: a district root is skipped. */
export function pickerRoots(tree: readonly RegionNode[]): RegionNode[] {
  return tree.flatMap((n) => (n.level === 'district' ? (n.children ?? []) : [n]))
}

export function indexRegions(tree: readonly RegionNode[]): Map<number, RegionNode> {
  const out = new Map<number, RegionNode>()
  const walk = (nodes: readonly RegionNode[]) => {
    for (const n of nodes) {
      out.set(n.id, n)
      if (n.children) walk(n.children)
    }
  }
  walk(tree)
  return out
}
