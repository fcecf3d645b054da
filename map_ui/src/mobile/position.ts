// The phone's position, read once with high accuracy — what every field screen that needs
// "where am I" (report, check-in, patrol, navigation) shares.
import { ref } from 'vue'

export interface Fix {
  lon: number
  lat: number
  accuracy: number // metres
}

interface Options {
  noGps: string // what to tell the user when the position cannot be had
  maximumAge?: number // ms a cached fix may be old
  onFix?: (fix: Fix) => void
}

export function usePosition({ noGps, maximumAge = 0, onFix }: Options) {
  const fix = ref<Fix | null>(null)
  const locating = ref(false)
  const gpsError = ref<string | null>(null)

  function locate(): void {
    if (!('geolocation' in navigator)) {
      gpsError.value = noGps
      return
    }
    locating.value = true
    gpsError.value = null
    navigator.geolocation.getCurrentPosition(
      (p) => {
        locating.value = false
        fix.value = { lon: p.coords.longitude, lat: p.coords.latitude, accuracy: p.coords.accuracy }
        onFix?.(fix.value)
      },
      () => {
        locating.value = false
        gpsError.value = noGps
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge },
    )
  }

  return { fix, locating, gpsError, locate }
}
