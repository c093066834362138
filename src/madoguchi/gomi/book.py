"""A city's garbage book: its sorting dictionary, categories and collection days,
read from the published datastore snapshots of the configured dataset.

Snapshots are immutable, so a book is cached per (source settings, version ids):
a new version of any resource, or an edit of the source, gives a new key.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from madoguchi.catalog import services as catalog
from madoguchi.datastore import services as datastore

from . import matching
from .errors import GarbageError
from .schedule import Schedule, parse

_BR = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
#: columns of a 5374 area_days table that are not categories
AREA_META_COLUMNS = {"_id", "地名", "センター", "マスター"}
CACHE_SIZE = 16


@dataclass
class Item:
    """One row of the sorting dictionary."""

    row: int
    name: str
    category: str
    notes: str
    keys: matching.Keys


@dataclass
class Category:
    label: str
    description: list[str] = field(default_factory=list)


@dataclass
class Area:
    """One 町名 of ``area_days``: ``label`` is unique (``川崎区 浅田`` where wards exist)."""

    label: str
    name: str
    group: str
    center: str
    schedules: dict[str, Schedule]


@dataclass
class Book:
    items: list[Item]
    categories: dict[str, Category]  # by matching.fold(label)
    areas: dict[str, Area]  # by label
    area_columns: list[str]
    suspensions: dict[str, list[tuple[dt.date, dt.date]]]
    versions: dict[str, int]  # resource name → version number
    index: matching.Index | None = None

    def __post_init__(self):
        if self.index is None:
            self.index = matching.Index([it.keys for it in self.items])

    def category(self, label: str) -> Category | None:
        return self.categories.get(matching.fold(label))

    def find_area(self, text: str) -> Area:
        """The area called *text*: its label (``高津区 梶ヶ谷``) or a 地名 that only one area has.

        :raises GarbageError: ``not_found`` (404, param ``area``) if unknown; ``invalid_parameter``
            (400) if several areas have that 地名
        """
        text = (text or "").strip()
        if text in self.areas:
            return self.areas[text]
        wanted = matching.fold(text)
        hits = [a for a in self.areas.values() if matching.fold(a.label) == wanted or matching.fold(a.name) == wanted]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise GarbageError("invalid_parameter", f"町名「{text}」は複数あります。次から選んでください: "
                               + "、".join(a.label for a in hits), param="area")
        raise GarbageError("not_found", f"町名「{text}」は収集日の一覧にありません", param="area", status=404)

    def schedule_for(self, area: Area, category: str) -> Schedule | None:
        """The schedule of *category* in *area*, or None if the table has no such column."""
        wanted = matching.fold(category)
        for column, schedule in area.schedules.items():
            if matching.fold(column) == wanted:
                return schedule
        return None


_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()




def _version(source, resources: dict, name: str, *, required: bool):
    if not name:
        return None
    resource = resources.get(name)
    version = resource.current_version if resource else None
    if version is None or not version.has_table:
        if required or resource is None:
            raise GarbageError("source_unavailable",
                               f"{source.title}: データセット「{source.dataset_slug}」に表のあるリソース「{name}」が"
                               "公開されていません (設定を確認してください)", param="city", status=503)
        return None
    return version


def _columns(source, version, wanted: list[str], resource: str) -> None:
    present = {c["name"] for c in version.columns}
    missing = [c for c in wanted if c and c not in present]
    if missing:
        raise GarbageError("source_unavailable",
                           f"{source.title}: リソース「{resource}」に列 {'、'.join(missing)} がありません "
                           f"(あるのは {'、'.join(sorted(present))})", param="city", status=503)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def load(source) -> Book:
    """The book of *source*, from the current versions of its resources (cached).

    :raises GarbageError: ``source_unavailable`` (503) if the dataset, a resource or
        a column named by the source is not published
    """
    resources = {r.name: r for r in catalog.visible_resources(None).filter(dataset__slug=source.dataset_slug)}
    names = {"items": source.items_resource, "categories": source.categories_resource,
             "areas": source.areas_resource, "groups": source.area_groups_resource,
             "centers": source.centers_resource}
    versions = {k: _version(source, resources, n, required=(k == "items")) for k, n in names.items()}
    key = (source.pk, source.updated, tuple((k, (v.pk, v.sha256) if v else None) for k, v in versions.items()))
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    book = _build(source, versions)
    with _lock:
        _cache[key] = book
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return book


def _build(source, versions: dict) -> Book:
    v = versions["items"]
    cols = [source.item_column, source.category_column, source.notes_column]
    _columns(source, v, cols, source.items_resource)
    items = []
    for rec in datastore.all_records(v, [c for c in cols if c]):
        name = _text(rec[source.item_column])
        if not name:
            continue
        items.append(Item(row=rec["_id"], name=name, category=_text(rec[source.category_column]),
                          notes=_text(rec.get(source.notes_column)) if source.notes_column else "",
                          keys=matching.item_keys(name)))
    categories: dict[str, Category] = {}
    if versions["categories"]:
        _columns(source, versions["categories"], ["label", "description"], source.categories_resource)
        for rec in datastore.all_records(versions["categories"], ["label", "description"]):
            label = _text(rec["label"])
            lines = [_TAG.sub("", line).strip() for line in _BR.split(_text(rec["description"]))]
            categories[matching.fold(label)] = Category(label, [ln for ln in lines if ln])
    for item in items:
        categories.setdefault(matching.fold(item.category), Category(item.category))
    groups: dict[str, str] = {}
    if versions["groups"]:
        _columns(source, versions["groups"], ["マスター", "区名"], source.area_groups_resource)
        groups = {_text(r["マスター"]): _text(r["区名"]) for r in datastore.all_records(versions["groups"], ["マスター", "区名"])}
    areas: dict[str, Area] = {}
    area_columns: list[str] = []
    if versions["areas"]:
        av = versions["areas"]
        _columns(source, av, ["地名"], source.areas_resource)
        present = [c["name"] for c in av.columns]
        area_columns = [c for c in present if c not in AREA_META_COLUMNS]
        meta = [c for c in ("マスター", "センター") if c in present]
        for rec in datastore.all_records(av, ["地名", *meta, *area_columns]):
            name = _text(rec["地名"])
            group = groups.get(_text(rec.get("マスター")), "")
            label = f"{group} {name}" if group else name
            areas[label] = Area(label=label, name=name, group=group, center=_text(rec.get("センター")),
                                schedules={c: parse(_text(rec.get(c))) for c in area_columns})
    suspensions: dict[str, list] = {}
    if versions["centers"]:
        cv = versions["centers"]
        _columns(source, cv, ["名称", "休止開始日", "休止終了日"], source.centers_resource)
        for rec in datastore.all_records(cv, ["名称", "休止開始日", "休止終了日"]):
            try:
                start, end = dt.date.fromisoformat(str(rec["休止開始日"])), dt.date.fromisoformat(str(rec["休止終了日"]))
            except ValueError:
                continue
            suspensions.setdefault(_text(rec["名称"]), []).append((start, end))
    return Book(items=items, categories=categories, areas=areas, area_columns=area_columns,
                suspensions=suspensions,
                versions={k: ver.number for k, ver in versions.items() if ver is not None})
