// Style layers by the catalogue layer they draw: the style marks each one with
// `metadata: {"township:layer": id, "township:group": group}`.
import type { LayerSpecification, Map as MlMap } from 'maplibre-gl'

export const LAYER_KEY = 'township:layer'
export const GROUP_KEY = 'township:group'
/** The offline base map's own layers carry this layer id: drawn, never picked or switched. */
export const BASEMAP = 'basemap'

export function townshipLayerOf(layer: { metadata?: unknown }): string | null {
  const meta = layer.metadata
  if (meta && typeof meta === 'object' && LAYER_KEY in meta) {
    const value = (meta as Record<string, unknown>)[LAYER_KEY]
    return typeof value === 'string' ? value : null
  }
  return null
}

function styleLayers(map: MlMap): LayerSpecification[] {
  return map.getStyle()?.layers ?? []
}

/** Ids of the style layers that draw catalogue layer `layerId`, in drawing order. */
export function styleLayerIds(map: MlMap, layerId: string): string[] {
  return styleLayers(map)
    .filter((l) => townshipLayerOf(l) === layerId)
    .map((l) => l.id)
}

/** Every style layer that belongs to a catalogue layer (any, when `catalogueIds` is null):
 * what a click can pick. */
export function clickableLayerIds(
  map: MlMap,
  catalogueIds: ReadonlySet<string> | null,
): string[] {
  return styleLayers(map)
    .filter((l) => {
      const owner = townshipLayerOf(l)
      if (owner === null || owner === BASEMAP || l.type === 'background' || l.type === 'raster')
        return false
      return catalogueIds === null || catalogueIds.has(owner)
    })
    .map((l) => l.id)
}

export function isLayerVisible(map: MlMap, layerId: string): boolean {
  return styleLayerIds(map, layerId).some(
    (id) => map.getLayoutProperty(id, 'visibility') !== 'none',
  )
}

export function setLayerVisible(map: MlMap, layerId: string, visible: boolean): void {
  for (const id of styleLayerIds(map, layerId)) {
    map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none')
  }
}
