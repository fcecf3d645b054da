// A flat list with parent ids, as the nested rows a tree table or tree select shows.

export type Tree<T> = T & { children?: Tree<T>[] }

export function buildTree<T extends { id: number; parent_id: number | null }>(
  items: T[],
  order: (a: T, b: T) => number = () => 0,
): Tree<T>[] {
  const nodes = new Map<number, Tree<T>>(items.map((item) => [item.id, { ...item }]))
  const roots: Tree<T>[] = []
  for (const item of [...items].sort(order)) {
    const node = nodes.get(item.id)!
    const parent = item.parent_id === null ? undefined : nodes.get(item.parent_id)
    if (parent) (parent.children ??= []).push(node)
    else roots.push(node) // a parent outside the user's view: shown at the top
  }
  return roots
}

/** The ids of a node and everything below it (a department cannot move under these). */
export function subtreeIds<T extends { id: number; parent_id: number | null }>(items: T[], id: number): Set<number> {
  const out = new Set([id])
  let grew = true
  while (grew) {
    grew = false
    for (const item of items) {
      if (item.parent_id !== null && out.has(item.parent_id) && !out.has(item.id)) {
        out.add(item.id)
        grew = true
      }
    }
  }
  return out
}
