"""The GeoReport v2 document shapes and the date-range rules, without HTTP."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from lxml import etree

from geo.calendar.arithmetic import SHANGHAI
from geo.open311.errors import Open311BadRequest
from geo.open311.formats import Format, errors, render
from geo.open311.service import _range, _statuses

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI)


def test_a_list_becomes_root_and_item_elements() -> None:
    rows = [{"service_request_id": "SJ1", "status": "open", "media_url": None, "lat": 31.5}]
    root = etree.fromstring(render(Format.XML, "service_requests", rows))
    assert root.tag == "service_requests"
    assert [e.tag for e in root] == ["request"]
    assert root.findtext("request/service_request_id") == "SJ1"
    assert root.find("request/media_url") is not None and root.findtext("request/media_url") == ""
    assert json.loads(render(Format.JSON, "service_requests", rows)) == rows


def test_nested_lists_take_singular_names_and_booleans_are_words() -> None:
    doc = {"endpoints": [{"formats": ["application/json", "text/xml"]}], "metadata": False}
    root = etree.fromstring(render(Format.XML, "discovery", doc))
    assert root.xpath("endpoints/endpoint/formats/format/text()") == [
        "application/json",
        "text/xml",
    ]
    assert root.findtext("metadata") == "false"


def test_errors_in_both_formats() -> None:
    assert json.loads(errors(Format.JSON, 403, "api_key 无效")) == [
        {"code": 403, "description": "api_key 无效"}
    ]
    root = etree.fromstring(errors(Format.XML, 400, "缺少位置"))
    assert (root.tag, root.findtext("error/code"), root.findtext("error/description")) == (
        "errors", "400", "缺少位置",
    )  # fmt: skip


def test_the_default_range_is_the_last_ninety_days() -> None:
    assert _range({}, NOW) == (NOW - timedelta(days=90), None)


def test_one_bound_gives_ninety_days_on_its_side() -> None:
    start, end = _range({"start_date": "2026-10-01"}, NOW)
    assert start == datetime(2026, 10, 1, tzinfo=SHANGHAI) and end == start + timedelta(days=90)
    start, end = _range({"end_date": "2026-10-01T12:00:00Z"}, NOW)
    assert end is not None and end.utcoffset() == timedelta(0)
    assert start == end - timedelta(days=90)


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90 天"),
        ({"start_date": "2026-06-01", "end_date": "2026-01-01"}, "不能早于"),
        ({"start_date": "11/01/2026"}, "ISO 8601"),
    ],
)
def test_bad_ranges_are_refused(params: dict[str, str], reason: str) -> None:
    with pytest.raises(Open311BadRequest, match=reason):
        _range(params, NOW)


def test_status_filter() -> None:
    assert _statuses({}) is None
    assert "closed" in (_statuses({"status": "closed"}) or [])
    assert "reported" not in (_statuses({"status": "closed"}) or [])
    assert set(_statuses({"status": "open,closed"}) or []) >= {"reported", "closed", "cancelled"}
    with pytest.raises(Open311BadRequest):
        _statuses({"status": "pending"})
