"""Reading the Japan Meteorological Agency's disaster XML (気象庁防災情報XML) and its Atom feed.

``parse(data)`` turns one message (bytes) into a ``Report``: control (title, time, status
通常/訓練/試験), head (title, report time, info type 発表/訂正/取消, headline) and, per area,
the kinds (警報 names and codes, with status and condition) and the level (the kinds in force,
or the seismic intensity ``1``–``7`` with ``5-``/``5+``/``6-``/``6+``). Every sample type of
the JMA (気象警報・注意報 VPWW53–55, 土砂災害警戒情報, 指定河川洪水予報, 記録的短時間大雨,
竜巻注意情報, 府県気象情報, 警報級の可能性, 震度速報, 震源・震度, 緊急地震速報, 津波,
噴火警報, 南海トラフ, 水位周知河川 …) is read by the same generic rules (``Item`` with
``Kind`` and ``Area``; ``Intensity`` by prefecture, area and city; texts); a message of a
title not in ``CATEGORIES`` is still read and its category is ``unknown`` (shown raw).

Parsing is done by ``defusedxml`` with DTDs forbidden: a document type declaration, entity
(billion laughs) or external reference raises ``JMAError`` — the JMA's messages never have one.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import asdict, dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as DET

JMX_NS = "http://xml.kishou.go.jp/jmaxml1/"
ATOM_NS = "http://www.w3.org/2005/Atom"

#: (prefix of Control/Title, category slug, label) — first match wins
CATEGORIES = [
    ("気象特別警報報知", "weather_warning", "気象警報・注意報"),
    ("気象特別警報・警報・注意報", "weather_warning", "気象警報・注意報"),
    ("気象警報・注意報", "weather_warning", "気象警報・注意報"),
    ("土砂災害警戒情報", "landslide", "土砂災害警戒情報"),
    ("指定河川洪水予報", "flood", "指定河川洪水予報"),
    ("水位周知河川", "flood", "水位周知河川に関する情報"),
    ("記録的短時間大雨情報", "record_rain", "記録的短時間大雨情報"),
    ("竜巻注意情報", "tornado", "竜巻注意情報"),
    ("府県気象情報", "weather_info", "気象情報"),
    ("全般気象情報", "weather_info", "気象情報"),
    ("地方気象情報", "weather_info", "気象情報"),
    ("警報級の可能性", "possibility", "警報級の可能性"),
    ("府県天気予報", "forecast", "天気予報"),
    ("震度速報", "intensity", "震度速報"),
    ("震源・震度に関する情報", "earthquake", "震源・震度情報"),
    ("震源に関する情報", "earthquake", "震源に関する情報"),
    ("緊急地震速報", "eew", "緊急地震速報"),
    ("津波警報・注意報・予報", "tsunami", "津波警報・注意報"),
    ("津波情報", "tsunami", "津波情報"),
    ("噴火警報・予報", "volcano", "噴火警報・予報"),
    ("噴火速報", "volcano", "噴火速報"),
    ("南海トラフ地震", "nankai", "南海トラフ地震に関連する情報"),
    ("北海道・三陸沖後発地震注意情報", "nankai", "後発地震注意情報"),
]
CATEGORY_LABELS = {slug: label for _, slug, label in CATEGORIES} | {"unknown": "その他（未対応の種類）"}

#: seismic intensity classes in order (``5-`` = 震度5弱, ``5+`` = 震度5強)
INTENSITIES = ["1", "2", "3", "4", "5-", "5+", "6-", "6+", "7"]
INTENSITY_LABELS = {"1": "震度1", "2": "震度2", "3": "震度3", "4": "震度4", "5-": "震度5弱", "5+": "震度5強",
                    "6-": "震度6弱", "6+": "震度6強", "7": "震度7"}
#: kind names and statuses that mean "nothing in force"
_NOTHING = {"なし", "解除", "発表警報・注意報はなし", "津波なし", ""}


class JMAError(Exception):
    """A message that cannot be read; ``reason`` is Japanese, for staff."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Kind:
    name: str
    code: str = ""
    status: str = ""
    condition: str = ""

    @property
    def active(self) -> bool:
        return self.name not in _NOTHING and self.status not in _NOTHING - {""}


@dataclass
class AreaEntry:
    """One area of a message: ``section`` is the part it came from (e.g. ``気象警報・注意報（市町村等）``,
    ``震度（観測）``); ``intensity`` one of ``INTENSITIES`` or ``""``; ``kinds`` in message order."""

    section: str
    code: str
    name: str
    kinds: list[Kind] = field(default_factory=list)
    intensity: str = ""

    @property
    def active_kinds(self) -> list[Kind]:
        return [k for k in self.kinds if k.active]

    @property
    def level(self) -> str:
        """What is in force there, for people: ``震度6弱``, ``大雨特別警報・洪水警報``, or ``""``."""
        parts = [INTENSITY_LABELS.get(self.intensity, self.intensity)] if self.intensity else []
        parts += list(dict.fromkeys(k.name for k in self.active_kinds))
        return "・".join(parts)


@dataclass
class Report:
    category: str
    control_title: str
    control_datetime: dt.datetime | None
    status: str  # 通常 / 訓練 / 試験
    editorial_office: str
    publishing_office: str
    title: str
    report_datetime: dt.datetime | None
    info_type: str  # 発表 / 訂正 / 取消 / 遅延
    info_kind: str
    event_id: str
    headline: str
    areas: list[AreaEntry] = field(default_factory=list)
    max_intensity: str = ""
    level: str = ""  # a message-wide level (南海トラフ 調査中, 噴火警戒レベル …) when there is one
    text: str = ""

    @property
    def known(self) -> bool:
        return self.category != "unknown"

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]

    def as_dict(self) -> dict:
        """JSON form (datetimes as ISO 8601 strings)."""
        out = asdict(self)
        for key in ("control_datetime", "report_datetime"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


def intensity_at_least(value: str, threshold: str) -> bool:
    """``True`` when intensity ``value`` is ``threshold`` or stronger (``"5+" >= "5-"``)."""
    if value not in INTENSITIES or threshold not in INTENSITIES:
        return False
    return INTENSITIES.index(value) >= INTENSITIES.index(threshold)


def category_of(control_title: str) -> str:
    title = unicodedata.normalize("NFKC", control_title or "")
    for prefix, slug, _ in CATEGORIES:
        if title.startswith(unicodedata.normalize("NFKC", prefix)):
            return slug
    return "unknown"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(el: Element | None, path: str = "") -> str:
    if el is None:
        return ""
    found = el.find(path) if path else el
    return " ".join((found.text or "").split()) if found is not None else ""


def _long_text(el: Element | None) -> str:
    if el is None:
        return ""
    return "\n".join(line.strip() for line in (el.text or "").strip().splitlines()).strip()


def _datetime(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _intensity(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "").strip()
    return value if value in INTENSITIES else ""


def fromstring(data: bytes) -> Element:
    """Parse XML safely (no DTD, no entities, no external references).

    :raises JMAError: with the reason (malformed, DTD/entity/external reference forbidden)
    """
    try:
        return DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise JMAError("文書型宣言 (DTD) を含む XML は受け付けません（安全のため）") from None
    except defusedxml.EntitiesForbidden:
        raise JMAError("実体宣言 (ENTITY) を含む XML は受け付けません（安全のため）") from None
    except defusedxml.DefusedXmlException as exc:
        raise JMAError(f"安全でない XML のため受け付けません（{type(exc).__name__}）") from None
    except ParseError as exc:
        raise JMAError(f"XML として読めません（{exc}）") from None
    except (ValueError, TypeError) as exc:
        raise JMAError(f"XML として読めません（{exc}）") from None


def _kinds(item: Element) -> list[Kind]:
    out = []
    for kind in [*item.findall("{*}Kind"), *item.findall("{*}Category/{*}Kind")]:
        name = _text(kind, "{*}Name")
        if not name:
            continue
        out.append(Kind(name=name, code=_text(kind, "{*}Code"), status=_text(kind, "{*}Status"),
                        condition=_text(kind, "{*}Condition")))
    return out


def _items(root: Element, default_section: str) -> list[AreaEntry]:
    parents = {child: parent for parent in root.iter() for child in parent}
    entries = []
    for item in root.iter():
        if _local(item.tag) != "Item":
            continue
        section, up = default_section, parents.get(item)
        while up is not None:
            if up.get("type"):
                section = up.get("type")
                break
            up = parents.get(up)
        kinds = _kinds(item)
        for area in [*item.findall("{*}Area"), *item.findall("{*}Areas/{*}Area")]:
            entries.append(AreaEntry(section=section, code=_text(area, "{*}Code"), name=_text(area, "{*}Name"),
                                     kinds=list(kinds)))
    return entries


def _intensity_areas(body: Element) -> list[AreaEntry]:
    entries = []
    for part, section in (("{*}Intensity/{*}Observation", "震度（観測）"), ("{*}Intensity/{*}Forecast", "震度（予想）")):
        block = body.find(part)
        if block is None:
            continue
        for pref in block.findall("{*}Pref"):
            for area in pref.findall("{*}Area"):
                value = _intensity(_text(area, "{*}MaxInt") or _text(area, "{*}ForecastInt/{*}From"))
                entries.append(AreaEntry(section=section, code=_text(area, "{*}Code"), name=_text(area, "{*}Name"),
                                         kinds=_kinds(area), intensity=value))
                for city in area.findall("{*}City"):
                    entries.append(AreaEntry(section=section + "・市町村", code=_text(city, "{*}Code"),
                                             name=_text(city, "{*}Name"),
                                             intensity=_intensity(_text(city, "{*}MaxInt"))))
    return entries


def parse(data: bytes) -> Report:
    """One JMA XML message → ``Report`` (see the module docstring).

    :raises JMAError: not XML, unsafe XML, or not a JMA ``Report`` (no ``Control``/``Head``)
    """
    root = fromstring(data)
    if root.tag != f"{{{JMX_NS}}}Report":
        raise JMAError(f"気象庁防災情報XMLではありません（ルート要素 {_local(root.tag)}）")
    control, head = root.find(f"{{{JMX_NS}}}Control"), root.find("{*}Head")
    if control is None or head is None:
        raise JMAError("気象庁防災情報XMLではありません（Control または Head がありません）")
    body = root.find("{*}Body")
    control_title = _text(control, "{*}Title")
    category = category_of(control_title)
    headline = _long_text(head.find("{*}Headline/{*}Text"))
    report = Report(
        category=category, control_title=control_title, control_datetime=_datetime(_text(control, "{*}DateTime")),
        status=_text(control, "{*}Status"), editorial_office=_text(control, "{*}EditorialOffice"),
        publishing_office=_text(control, "{*}PublishingOffice"), title=_text(head, "{*}Title"),
        report_datetime=_datetime(_text(head, "{*}ReportDateTime")), info_type=_text(head, "{*}InfoType"),
        info_kind=_text(head, "{*}InfoKind"), event_id=_text(head, "{*}EventID"), headline=headline)
    if body is not None:
        report.areas = _intensity_areas(body) + _items(body, control_title)
        report.max_intensity = _intensity(_text(body, "{*}Intensity/{*}Observation/{*}MaxInt")) or max(
            (a.intensity for a in report.areas if a.intensity), key=INTENSITIES.index, default="")
        texts = [_long_text(el) for el in body.iter() if _local(el.tag) in ("Text", "Notice")]
        report.text = "\n\n".join(dict.fromkeys(t for t in texts if t))[:20000]
        serial = body.find("{*}EarthquakeInfo/{*}InfoSerial/{*}Name")
        if serial is not None:
            report.level = _text(serial)
    if not report.areas:
        headline_el = head.find("{*}Headline")
        if headline_el is not None:
            report.areas = _items(headline_el, "見出し")
    return report


@dataclass
class FeedEntry:
    id: str
    title: str
    updated: dt.datetime | None
    author: str
    url: str
    content: str


def parse_feed(data: bytes) -> list[FeedEntry]:
    """The entries of a JMA Atom feed (``extra.xml``, ``eqvol.xml`` …), in feed order.

    :raises JMAError: malformed or unsafe XML, or not an Atom feed
    """
    root = fromstring(data)
    if root.tag != f"{{{ATOM_NS}}}feed":
        raise JMAError(f"Atom フィードではありません（ルート要素 {_local(root.tag)}）")
    entries = []
    for entry in root.findall(f"{{{ATOM_NS}}}entry"):
        link = entry.find(f"{{{ATOM_NS}}}link")
        url = (link.get("href") or "") if link is not None else ""
        entries.append(FeedEntry(
            id=_text(entry, f"{{{ATOM_NS}}}id") or url, title=_text(entry, f"{{{ATOM_NS}}}title"),
            updated=_datetime(_text(entry, f"{{{ATOM_NS}}}updated")),
            author=_text(entry, f"{{{ATOM_NS}}}author/{{{ATOM_NS}}}name"), url=url,
            content=_text(entry, f"{{{ATOM_NS}}}content")))
    return entries
