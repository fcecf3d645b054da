import type { LayerGroup, LayerInfo } from '../api/types'

/** The catalogue's layers by group, both in the catalogue's order. */
export function groupLayers(layers: readonly LayerInfo[]): LayerGroup[] {
  const groups = new Map<string, LayerGroup>()
  for (const layer of layers) {
    let group = groups.get(layer.group)
    if (!group) {
      group = { id: layer.group, title: layer.group_title, layers: [] }
      groups.set(layer.group, group)
    }
    group.layers.push(layer)
  }
  return [...groups.values()]
}
