// Hand-off addresses that open a destination in the common Chinese map apps. The
// coordinates come already converted by the server (/api/v1/coords/convert): GCJ-02 for
// Amap and Tencent, BD-09 for Baidu. Only the addresses are built here.

export interface AppPoint {
  lon: number
  lat: number
}

export interface HandOffs {
  amap: string
  baidu: string
  baiduWeb: string
  tencent: string
}

const fixed = (value: number): string => value.toFixed(6)

/** 高德: a marker at the GCJ-02 point; callnative asks the page to open the app when installed. */
export function amapUrl(gcj: AppPoint, name: string): string {
  const n = encodeURIComponent(name)
  return `https://uri.amap.com/marker?position=${fixed(gcj.lon)},${fixed(gcj.lat)}&name=${n}&coordinate=gaode&callnative=1`
}

/** 百度 app scheme (latitude first, BD-09). */
export function baiduAppUrl(bd: AppPoint, name: string): string {
  const n = encodeURIComponent(name)
  return `baidumap://map/marker?location=${fixed(bd.lat)},${fixed(bd.lon)}&title=${n}&coord_type=bd09ll&src=township`
}

/** 百度 web page, for phones without the app. */
export function baiduWebUrl(bd: AppPoint, name: string): string {
  const n = encodeURIComponent(name)
  return (
    `https://api.map.baidu.com/marker?location=${fixed(bd.lat)},${fixed(bd.lon)}` +
    `&title=${n}&content=${n}&output=html&coord_type=bd09ll&src=township`
  )
}

/** 腾讯: latitude first, GCJ-02. The name goes inside the marker value, so ; and : are escaped too. */
export function tencentUrl(gcj: AppPoint, name: string): string {
  const n = encodeURIComponent(name)
  return `https://apis.map.qq.com/uri/v1/marker?marker=coord:${fixed(gcj.lat)},${fixed(gcj.lon)};title:${n}&referer=township`
}

export function handOffs(gcj: AppPoint, bd: AppPoint, name: string): HandOffs {
  return {
    amap: amapUrl(gcj, name),
    baidu: baiduAppUrl(bd, name),
    baiduWeb: baiduWebUrl(bd, name),
    tencent: tencentUrl(gcj, name),
  }
}
