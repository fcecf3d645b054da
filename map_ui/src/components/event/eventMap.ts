// A work order on the map: its point and its responsible grid highlighted, the view
// brought to the grid (or the point, when the grid's outline cannot be read).
import type { Map as MlMap } from 'maplibre-gl'
import { fetchFeature } from '../../api/client'
import type { EventRow } from '../../api/events'
import { geometryBBox } from '../../map/bounds'
import { highlightFeature, highlightRegion } from '../../map/highlight'

export const EVENTS_LAYER = 'events'
const GRIDS_LAYER = 'grids'

export async function showEventOnMap(map: MlMap, event: EventRow | null, signal?: AbortSignal): Promise<void> {
  highlightRegion(map, null)
  if (!event) {
    highlightFeature(map, null)
    return
  }
  highlightFeature(map, { type: 'Point', coordinates: [event.lon, event.lat] })
  map.flyTo({ center: [event.lon, event.lat], zoom: Math.max(map.getZoom(), 15), essential: true })
  if (event.grid_id === null) return
  try {
    const grid = await fetchFeature(GRIDS_LAYER, event.grid_id, signal)
    if (signal?.aborted || !grid.geometry) return
    highlightRegion(map, grid.geometry)
    const box = geometryBBox(grid.geometry)
    if (box) map.fitBounds([[box[0], box[1]], [box[2], box[3]]], { padding: 48, maxZoom: 17 })
  } catch (e) {
    if ((e as Error).name !== 'AbortError') console.warn('责任网格轮廓加载失败', e)
  }
}
