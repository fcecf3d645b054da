"""The two formats of GeoReport v2: JSON (lists of objects) and XML (a root element of
items, e.g. <service_requests><request>…). Nested lists take their singular element
names (<endpoints><endpoint>, <formats><format>); null is an empty element."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from lxml import etree

__all__ = ["Format", "errors", "render"]


class Format(StrEnum):
    JSON = "json"
    XML = "xml"

    @property
    def media_type(self) -> str:
        return (
            "application/json; charset=utf-8" if self is Format.JSON else "text/xml; charset=utf-8"
        )


SINGULAR = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# Root element → the element of each item (the spec's document shapes).
ITEMS = {"services": "service", "service_requests": "request", "errors": "error"}


def render(
    fmt: Format, root: str, content: Sequence[Mapping[str, Any]] | Mapping[str, Any]
) -> bytes:
    """A list answer (`root` names the XML root, its items are ITEMS[root]) or one object
    (`root` is its XML element: discovery, service_definition)."""
    if fmt is Format.JSON:
        return json.dumps(content, ensure_ascii=False).encode()
    element = etree.Element(root)
    if isinstance(content, Mapping):
        _fill(element, content)
    else:
        for item in content:
            _fill(etree.SubElement(element, ITEMS[root]), item)
    return bytes(etree.tostring(element, xml_declaration=True, encoding="UTF-8"))


def errors(fmt: Format, code: int, description: str) -> bytes:
    return render(fmt, "errors", [{"code": code, "description": description}])


# Control characters XML 1.0 cannot carry (a vertical tab pasted from a word processor would
# otherwise make the whole list unanswerable); JSON keeps them, escaped.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _fill(element: etree._Element, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        _append(element, name, value)


def _append(parent: etree._Element, name: str, value: Any) -> None:
    child = etree.SubElement(parent, name)
    if isinstance(value, Mapping):
        _fill(child, value)
    elif isinstance(value, list | tuple):
        for item in value:
            _append(child, SINGULAR.get(name, "item"), item)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = XML_ILLEGAL.sub("", str(value))
