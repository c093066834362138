"""Open311 GeoReport v2 documents (http://wiki.open311.org/GeoReport_v2), JSON and XML.

Keys, order and types follow what real servers return (tests compare with
``../shared/data/real/open311-fixtures``): services ``service_code, service_name, description, metadata,
type, keywords, group``; requests ``service_request_id, status, status_notes, service_name, service_code,
description, agency_responsible, service_notice, requested_datetime, updated_datetime, expected_datetime,
address, address_id, zipcode, lat, long, media_url``. Times are ISO 8601 with offset (Asia/Tokyo).
In XML ``None`` is an empty element and booleans are ``true``/``false``; every text is escaped.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone

#: root element → item element of each XML document
XML_ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
             "values": "value"}


def _time(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def service_doc(service) -> dict:
    """One entry of ``services.json``."""
    return {"service_code": service.code, "service_name": service.name, "description": service.description,
            "metadata": bool(service.attributes), "type": "realtime", "keywords": service.keywords,
            "group": service.group}


def definition_doc(service) -> dict:
    """``services/<code>.json``: the service definition with its attributes."""
    attributes = []
    for n, a in enumerate(service.attributes or [], 1):
        attributes.append({
            "variable": bool(a.get("variable", True)), "code": str(a.get("code", "")),
            "datatype": a.get("datatype", "string"), "required": bool(a.get("required", False)),
            "datatype_description": a.get("datatype_description", ""), "order": int(a.get("order", n)),
            "description": a.get("description", ""),
            "values": [{"key": str(v.get("key", "")), "name": str(v.get("name", ""))} for v in a.get("values", [])]})
    return {"service_code": service.code, "attributes": attributes}


def request_doc(report, media_url: str | None = None) -> dict:
    """One entry of ``requests.json`` (public data only: the moderated text, no contact)."""
    return {"service_request_id": str(report.pk), "status": report.open311_status,
            "status_notes": report.status_notes or None, "service_name": report.service.name,
            "service_code": report.service.code, "description": report.public_description,
            "agency_responsible": report.department or None, "service_notice": None,
            "requested_datetime": _time(report.requested_at), "updated_datetime": _time(report.updated_at),
            "expected_datetime": None, "address": report.address or None, "address_id": None,
            "zipcode": report.postal_code or None, "lat": report.lat, "long": report.lon,
            "media_url": media_url or ""}


def _xml_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def _xml(tag: str, value) -> str:
    if isinstance(value, list):
        item = XML_ITEMS.get(tag, "item")
        return f"<{tag}>" + "".join(_xml(item, v) for v in value) + f"</{tag}>"
    if isinstance(value, dict):
        return f"<{tag}>" + "".join(_xml(k, v) for k, v in value.items()) + f"</{tag}>"
    text = _xml_value(value)
    return f"<{tag}>{text}</{tag}>" if text else f"<{tag}/>"


def to_xml(root: str, items) -> str:
    """``<root>`` holding the list ``items`` (or one dict for ``service_definition``) as XML text."""
    body = _xml(root, items)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body


def respond(fmt: str, root: str, items, status: int = 200) -> HttpResponse:
    """The document as ``application/json`` (the list, or the dict) or ``text/xml``."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, items), status=status, content_type="text/xml; charset=utf-8")
    return HttpResponse(json.dumps(items, ensure_ascii=False), status=status,
                        content_type="application/json; charset=utf-8")


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """The GeoReport error document: ``[{"code": 400, "description": "…"}]`` / ``<errors><error>…``."""
    return respond(fmt, "errors", [{"code": status, "description": description}], status=status)
