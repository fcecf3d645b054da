// The part of @mapbox/mapbox-gl-draw the grid screen uses (the package ships no types).
declare module '@mapbox/mapbox-gl-draw' {
  import type { Feature, FeatureCollection, Geometry } from 'geojson'

  interface DrawOptions {
    displayControlsDefault?: boolean
    controls?: Record<string, boolean>
    userProperties?: boolean
    styles?: object[]
    defaultMode?: string
  }

  export default class MapboxDraw {
    static constants: { classes: Record<string, string> }
    constructor(options?: DrawOptions)
    onAdd(map: unknown): HTMLElement
    onRemove(map: unknown): void
    add(geojson: Feature | FeatureCollection | Geometry): string[]
    getAll(): FeatureCollection
    deleteAll(): this
    changeMode(mode: string, options?: object): this
    getMode(): string
  }
}
