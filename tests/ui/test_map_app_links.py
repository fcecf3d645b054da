"""The field app's hand-off addresses (map_ui/src/mobile/mapApps.ts), run in Node.js: each
map app gets the coordinates it expects in the order it expects (Amap lon,lat; Baidu and
Tencent lat,lon), the system it is told (gaode, bd09ll) and a name that cannot break the
address (; : & # escaped)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "map_ui/src/mobile/mapApps.ts"
TYPESCRIPT = ROOT / "map_ui/node_modules/typescript/lib/typescript.js"

# Transpile the module (types only are dropped) and call handOffs with the arguments given.
RUNNER = """
const ts = require(process.argv[1]);
const fs = require('fs');
const source = fs.readFileSync(process.argv[2], 'utf8');
const js = ts.transpileModule(source, {
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
}).outputText;
const m = { exports: {} };
new Function('module', 'exports', js)(m, m.exports);
const [gcj, bd, name] = JSON.parse(process.argv[3]);
process.stdout.write(JSON.stringify(m.exports.handOffs(gcj, bd, name)));
"""


def _hand_offs(gcj: dict[str, float], bd: dict[str, float], name: str) -> dict[str, str]:
    node = shutil.which("node")
    if node is None or not TYPESCRIPT.exists():
        pytest.skip("需要 Node.js 与 map_ui 依赖（make ui）")
    args = json.dumps([gcj, bd, name], ensure_ascii=False)
    done = subprocess.run(
        [node, "-e", RUNNER, str(TYPESCRIPT), str(MODULE), args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(json.loads(done.stdout))


def _component(text: str) -> str:
    """What JavaScript's encodeURIComponent makes of the text."""
    return quote(text, safe="-_.!~*'()")


def test_each_app_gets_its_coordinates_in_its_order() -> None:
    gcj = {"lon": 120.5531234567, "lat": 31.8712345678}
    bd = {"lon": 120.5596, "lat": 31.87731}
    links = _hand_offs(gcj, bd, "泰山街")
    name = _component("泰山街")
    assert links == {
        "amap": "https://uri.amap.com/marker?position=120.553123,31.871235"
        f"&name={name}&coordinate=gaode&callnative=1",
        "baidu": "baidumap://map/marker?location=31.877310,120.559600"
        f"&title={name}&coord_type=bd09ll&src=township",
        "baiduWeb": "https://api.map.baidu.com/marker?location=31.877310,120.559600"
        f"&title={name}&content={name}&output=html&coord_type=bd09ll&src=township",
        "tencent": "https://apis.map.qq.com/uri/v1/marker?marker=coord:31.871235,120.553123"
        f";title:{name}&referer=township",
    }


def test_a_name_with_separators_stays_inside_its_parameter() -> None:
    point = {"lon": 120.5, "lat": 31.9}
    tricky = "张记;面馆:2号&店#1"
    links = _hand_offs(point, point, tricky)
    for url in links.values():
        assert tricky not in url
        assert _component(tricky) in url
    # The Tencent marker value has exactly the two separators of its own syntax.
    marker = links["tencent"].split("marker=", 1)[1].split("&referer=")[0]
    assert marker.count(";") == 1 and marker.count(":") == 2
