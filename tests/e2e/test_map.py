"""The map shell in a real browser: the page a dispatcher opens, clicked as they would.

Each test loads `/` from the live server (demo district in the test database), waits for
the map's first `idle`, and looks at what MapLibre rendered (`window.__map`) as well as at
the page. Screenshots go to test-output/ (git-ignored).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx

WAIT_IDLE = """() => new Promise((resolve) => {
  const m = window.__map
  m.once('idle', () => resolve(true))
  m.triggerRepaint()
})"""

# Rendered features of the style layers that draw catalogue layer `owner`.
RENDERED = """(owner) => {
  const m = window.__map
  const layers = m.getStyle().layers
    .filter((l) => l.metadata && l.metadata['township:layer'] === owner).map((l) => l.id)
  return layers.length ? m.queryRenderedFeatures({ layers }).length : -1
}"""

VISIBILITY_OF_GROUP = """(group) => {
  const m = window.__map
  return m.getStyle().layers
    .filter((l) => l.metadata && l.metadata['township:group'] === group)
    .map((l) => [
      l.id, l.metadata['township:layer'], m.getLayoutProperty(l.id, 'visibility') ?? 'visible',
    ])
}"""

# A feature of one of `targets` that is the topmost clickable thing at its own screen point,
# away from the panel and the edges: where a person would click to get its card.
CLICK_TARGET = """(targets) => {
  const m = window.__map
  const owner = (l) => (l.metadata ? l.metadata['township:layer'] : undefined)
  const all = m.getStyle().layers
  const clickable = all
    .filter((l) => owner(l) && owner(l) !== 'basemap' && l.type !== 'background').map((l) => l.id)
  const canvas = m.getCanvas().getBoundingClientRect()
  const panel = document.querySelector('[data-testid="side-panel"]')
  const left = panel ? panel.parentElement.getBoundingClientRect().right + 20 : 20
  const middle = (g) => {
    if (g.type === 'Point') return g.coordinates
    const ring = g.type === 'Polygon' ? g.coordinates[0] : g.coordinates[0][0]
    const n = ring.length - 1
    let x = 0, y = 0
    for (let i = 0; i < n; i++) { x += ring[i][0]; y += ring[i][1] }
    return [x / n, y / n]
  }
  for (const target of targets) {
    const layers = all.filter((l) => owner(l) === target).map((l) => l.id)
    for (const f of m.queryRenderedFeatures({ layers })) {
      if (f.id == null || Number(f.properties.point_count ?? 1) > 1) continue
      if (!['Point', 'Polygon', 'MultiPolygon'].includes(f.geometry.type)) continue
      const p = m.project(middle(f.geometry))
      if (p.x < left || p.x > canvas.width - 80 || p.y < 40 || p.y > canvas.height - 80) continue
      const box = [[p.x - 4, p.y - 4], [p.x + 4, p.y + 4]]
      const top = m.queryRenderedFeatures(box, { layers: clickable })[0]
      const exact = m.queryRenderedFeatures([p.x, p.y], { layers: clickable })
      if (!top || owner(top.layer) !== target || top.id !== f.id) continue
      if (!exact.some((e) => e.id === f.id && owner(e.layer) === target)) continue
      const name = f.properties.name
      return { layer: target, id: f.id, name, x: p.x + canvas.left, y: p.y + canvas.top }
    }
  }
  return null
}"""

COUNT_COLOURS = """async (b64) => {
  const img = new Image()
  img.src = 'data:image/png;base64,' + b64
  await img.decode()
  const c = document.createElement('canvas')
  c.width = img.width
  c.height = img.height
  const ctx = c.getContext('2d')
  ctx.drawImage(img, 0, 0)
  const d = ctx.getImageData(0, 0, c.width, c.height).data
  const seen = new Set()
  for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2])
  return seen.size
}"""


NARROW_GEOMETRY = """() => {
  const rect = (el) => (el ? el.getBoundingClientRect().toJSON() : null)
  return {
    width: window.innerWidth,
    height: window.innerHeight,
    scrollWidth: document.documentElement.scrollWidth,
    bodyScrollWidth: document.body.scrollWidth,
    panel: rect(document.querySelector('[data-testid="side-panel"]')?.parentElement),
    nav: rect(document.querySelector('.maplibregl-ctrl-top-right .maplibregl-ctrl-group')),
    status: rect(document.querySelector('[data-testid="status-bar"]')),
    scale: rect(document.querySelector('.maplibregl-ctrl-scale')),
  }
}"""


def wait_idle(page: Any) -> None:
    page.evaluate(WAIT_IDLE)


def catalogue(base: str, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    layers = httpx.get(f"{base}/api/v1/layers", headers=headers).json()
    return {layer["id"]: layer for layer in layers}


def first_town_community_grid(
    base: str, headers: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    tree = httpx.get(f"{base}/api/v1/regions", headers=headers).json()
    towns = [c for n in tree for c in n["children"]] if tree[0]["level"] == "district" else tree
    for town in towns:
        for community in town.get("children") or []:
            for grid in community.get("children") or []:
                return town, community, grid
    raise AssertionError("the demo district has no grid")


def pick_region(page: Any, path: list[str]) -> None:
    """Choose a region in the cascader by typing its name, as a person would."""
    picker = page.get_by_test_id("region-picker")
    picker.click()
    picker.locator("input").first.fill(path[-1])
    page.locator(".el-cascader__suggestion-item", has_text=" / ".join(path)).first.click()


def map_colours(page: Any, path: Path) -> int:
    panel = page.get_by_test_id("side-panel").locator("..").bounding_box()
    size = page.viewport_size
    left = int(panel["x"] + panel["width"]) + 10 if panel else 0
    clip = {"x": left, "y": 0, "width": size["width"] - left, "height": size["height"]}
    png = page.screenshot(path=str(path), clip=clip)
    return int(page.evaluate(COUNT_COLOURS, base64.b64encode(png).decode()))


def test_map_renders_and_cards_and_layer_groups(
    open_page: Any, live_server: str, live_headers: dict[str, str], output_dir: Path
) -> None:
    page, watch = open_page(1400, 900)
    layers = catalogue(live_server, live_headers)
    assert page.get_by_test_id("map-error").count() == 0

    # The first view: the towns, drawn from our own tiles (the base map included).
    page.screenshot(path=str(output_dir / "map-initial.png"))
    assert map_colours(page, output_dir / "map-initial-canvas.png") > 50
    assert page.evaluate(RENDERED, "towns") > 0
    style_owners = page.evaluate(
        "() => window.__map.getStyle().layers.map((l) => l.metadata?.['township:layer'])"
    )
    assert "basemap" in style_owners

    # 镇街 → 社区: zoom to the community, outline it, offer its offline export.
    town, community, _ = first_town_community_grid(live_server, live_headers)
    pick_region(page, [town["name"], community["name"]])
    export = page.get_by_test_id("export-html")
    assert export.get_attribute("href") == f"/api/v1/maps/export.html?region_id={community['id']}"
    assert "离线地图" in export.inner_text()
    wait_idle(page)
    assert page.evaluate(RENDERED, "grids") > 0
    assert page.evaluate(RENDERED, "streets") > 0
    outline = "() => window.__map.queryRenderedFeatures({ layers: ['township-ui-region-line'] })"
    assert page.evaluate(f"{outline}.length") > 0
    page.screenshot(path=str(output_dir / "map-community.png"))

    # Close enough for single enterprises and buildings, centred on one enterprise of the
    # community (from the OGC API); click where it is drawn.
    box = ",".join(str(v) for v in community["bbox"])
    items = httpx.get(
        f"{live_server}/collections/enterprises/items",
        params={"bbox": box, "limit": 1},
        headers=live_headers,
    ).json()["features"]
    assert items, "the demo community has no enterprise"
    page.evaluate(
        "(c) => window.__map.jumpTo({ center: c, zoom: 16.5 })",
        items[0]["geometry"]["coordinates"],
    )
    wait_idle(page)
    target = page.evaluate(CLICK_TARGET, ["enterprises", "buildings"])
    assert target, "no enterprise or building drawn where a click can reach it"
    page.mouse.move(target["x"], target["y"])
    wait_idle(page)
    assert page.evaluate("() => window.__map.getCanvas().style.cursor") == "pointer"
    assert page.get_by_test_id("lon").inner_text().count(".") == 1
    assert len(page.get_by_test_id("lon").inner_text().split(".")[1]) == 6
    page.mouse.click(target["x"], target["y"])

    card = page.get_by_test_id("feature-card")
    card.wait_for()
    title = page.get_by_test_id("card-title")
    page.wait_for_function(
        "(name) => document.querySelector('[data-testid=card-title]')?.textContent.trim() === name",
        arg=target["name"],
    )
    assert title.inner_text().strip() == target["name"]
    text = card.inner_text()
    labels = [p["label"] for p in layers[target["layer"]]["properties"]]
    for label in labels:
        assert label in text, f"card lacks the label {label!r}"
    assert text.index("创建时间") > text.index(labels[0])  # timestamps last
    region_cell = card.locator('[data-prop="region_id"]').inner_text()
    assert "网格" in region_cell, "the grid is shown by its name"
    coded = {"enterprises": "risk_list", "buildings": "use"}[target["layer"]]
    value = card.locator(f'[data-prop="{coded}"]').inner_text()
    assert value and not value.isascii(), f"{coded} shown as {value!r}, not in Chinese"
    wait_idle(page)
    highlighted = page.evaluate(
        "() => window.__map.queryRenderedFeatures({ layers: "
        "['township-ui-feature-point', 'township-ui-feature-fill'] }).length"
    )
    assert highlighted > 0, "the chosen feature is highlighted"
    page.screenshot(path=str(output_dir / "map-card.png"))

    # Esc closes the card.
    title.focus()
    page.keyboard.press("Escape")
    card.wait_for(state="detached")

    # The group off: every style layer of the group hidden, its features gone.
    group = layers[target["layer"]]["group"]
    assert page.evaluate(RENDERED, target["layer"]) > 0
    page.get_by_test_id(f"group-{group}").click()
    states = page.evaluate(VISIBILITY_OF_GROUP, group)
    assert states and all(v == "none" for _, _, v in states), states
    wait_idle(page)
    for owner in {o for _, o, _ in states}:
        assert page.evaluate(RENDERED, owner) == 0
        assert not page.get_by_test_id(f"layer-{owner}").locator("input").is_checked()
    page.screenshot(path=str(output_dir / "map-group-off.png"))

    # And on again.
    page.get_by_test_id(f"group-{group}").click()
    wait_idle(page)
    assert all(v == "visible" for _, _, v in page.evaluate(VISIBILITY_OF_GROUP, group))
    assert page.evaluate(RENDERED, target["layer"]) > 0

    assert watch.errors == []
    assert watch.outside == [], "the page reached outside this machine"


def test_search_flies_to_result_and_opens_card(
    open_page: Any, live_server: str, live_headers: dict[str, str], output_dir: Path
) -> None:
    page, watch = open_page(1400, 900)
    town, community, _ = first_town_community_grid(live_server, live_headers)
    query = community["name"][:2]
    expected = httpx.get(
        f"{live_server}/api/v1/search", params={"q": query}, headers=live_headers
    ).json()["results"]
    assert expected, f"the demo has nothing named like {query!r}"

    zoom_before = page.evaluate("() => window.__map.getZoom()")
    page.get_by_label("按名称或地址搜索要素").fill(query)
    page.keyboard.press("Enter")
    results = page.get_by_test_id("search-results").locator("button")
    results.first.wait_for()
    assert results.count() == len(expected)
    first = expected[0]
    assert first["name"] in results.first.inner_text()
    results.first.click()

    page.wait_for_function(
        "(name) => document.querySelector('[data-testid=card-title]')?.textContent.trim() === name",
        arg=first["name"],
    )
    wait_idle(page)
    assert page.evaluate("() => window.__map.getZoom()") > zoom_before
    page.screenshot(path=str(output_dir / "map-search.png"))
    assert watch.errors == []
    assert watch.outside == []


def test_export_link_downloads_offline_map(
    open_page: Any, live_server: str, live_headers: dict[str, str]
) -> None:
    page, _ = open_page(1400, 900)
    town, community, grid = first_town_community_grid(live_server, live_headers)
    pick_region(page, [town["name"], community["name"], grid["name"]])
    with page.expect_download() as info:
        page.get_by_test_id("export-html").click()
    download = info.value
    body = Path(download.path()).read_text(encoding="utf-8")
    assert body.lstrip().lower().startswith("<!doctype html")
    assert grid["name"] in body
    assert download.suggested_filename.endswith(".html")


def test_narrow_viewport_does_not_overflow(open_page: Any, output_dir: Path) -> None:
    page, watch = open_page(375, 740)
    panel = page.get_by_test_id("side-panel")
    toggle = page.get_by_test_id("panel-toggle")
    # On a phone the map comes first: the panel starts folded, one tap away.
    assert not panel.is_visible()
    page.screenshot(path=str(output_dir / "map-narrow-folded.png"))
    toggle.click()
    assert panel.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.screenshot(path=str(output_dir / "map-narrow.png"))
    geometry = page.evaluate(NARROW_GEOMETRY)
    width, height = geometry["width"], geometry["height"]
    assert geometry["scrollWidth"] <= width and geometry["bodyScrollWidth"] <= width
    for name in ("panel", "nav", "status", "scale"):
        box = geometry[name]
        assert box, f"{name} missing"
        assert box["left"] >= 0 and box["right"] <= width, f"{name} overflows: {box}"
        assert box["top"] >= 0 and box["bottom"] <= height, f"{name} overflows: {box}"
    assert geometry["panel"]["right"] <= geometry["nav"]["left"], "panel covers the zoom buttons"
    status, scale = geometry["status"], geometry["scale"]
    assert status["bottom"] <= scale["top"] or status["right"] <= scale["left"], (
        "coordinates cover the scale bar"
    )
    toggle.click()
    assert not panel.is_visible()
    assert watch.errors == []
