// One MapLibre map on the backend's style, with the shell's controls.
import {
  Map as MlMap,
  NavigationControl,
  ScaleControl,
  setWorkerUrl,
  type LngLatBoundsLike,
} from 'maplibre-gl'
// The worker is its own file in MapLibre 6: ship it as an asset of this build.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url'
import { STYLE_URL } from '../api/client'
import { zhCN } from '../i18n/zh-CN'

setWorkerUrl(workerUrl)

/** Chinese characters are drawn from the machine's own fonts: no glyph download for CJK. */
export const LOCAL_CJK_FONTS = "'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"

export function createMap(container: HTMLElement, bounds?: LngLatBoundsLike): MlMap {
  const map = new MlMap({
    container,
    style: STYLE_URL,
    localIdeographFontFamily: LOCAL_CJK_FONTS,
    attributionControl: { compact: true },
    locale: { ...zhCN.maplibre, 'Map.Title': zhCN.app.mapLabel },
    ...(bounds ? { bounds, fitBoundsOptions: { padding: 24 } } : {}),
    dragRotate: true,
    keyboard: true,
    maxPitch: 60,
  })
  map.addControl(new NavigationControl({ visualizePitch: true }), 'top-right')
  map.addControl(new ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-right')
  return map
}

// The base style's thematic points (events, cameras …): a screen that draws points of its
// own (check-ins, drawn objects, an inspected object) hides them, or they would be taken
// for its own. Regions, streets and buildings stay as the basemap.
const THEMATIC_SOURCES = new Set(['events', 'patrol_routes', 'enterprises', 'construction_sites', 'cameras', 'party_sites'])

export function hideThematicLayers(map: MlMap): void {
  for (const layer of map.getStyle().layers) {
    if ('source' in layer && THEMATIC_SOURCES.has(String(layer.source))) map.setLayoutProperty(layer.id, 'visibility', 'none')
  }
}
