"""The field app's addresses: /m/ and any screen under it answer the built page; the
service worker, manifest and icons answer by name with their media types; nothing else
of the disk is reachable through /m/."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api import ui

pytestmark = pytest.mark.skipif(
    not (ui.DIST / "index.html").exists(), reason="前端未构建：先运行 make ui"
)


def test_the_page_answers_under_m(anon_client: TestClient) -> None:
    for path in ("/m", "/m/", "/m/home", "/m/anything/deeper"):
        answer = anon_client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith("text/html")
        assert '<div id="app">' in answer.text


def test_worker_manifest_and_icons(anon_client: TestClient) -> None:
    worker = anon_client.get("/m/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "caches.open" in worker.text
    manifest = json.loads(anon_client.get("/m/manifest.webmanifest").text)
    assert (manifest["name"], manifest["start_url"], manifest["display"]) == (
        "乡镇综合指挥",
        "/m/",
        "standalone",
    )
    for icon in manifest["icons"]:
        answer = anon_client.get(icon["src"])
        assert answer.status_code == 200
        assert answer.headers["content-type"] == icon["type"]
    assert anon_client.get("/m/icon-192.png").content.startswith(b"\x89PNG")


def test_no_other_file_is_served(anon_client: TestClient) -> None:
    for path in ("/m/../api/ui.py", "/m/index.html/../../README.md", "/m/mobile/sw.js"):
        answer = anon_client.get(path)
        assert '<div id="app">' in answer.text or answer.status_code == 404, path
        assert "def mobile_page" not in answer.text
