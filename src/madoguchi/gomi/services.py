"""Public API of the garbage-sorting service (ごみ分別). Pages and API call only this.

* ``list_sources`` / ``get_source`` — the cities whose garbage data is searchable
* ``search`` — "how do I throw this away": matches, category, notes, collection days
* ``area_schedule`` — the collection days of one 町名, with next dates
* ``missed_queries`` — what people could not find (staff)
* ``synonyms`` / ``add_synonym`` — everyday words for dictionary words (staff-edited)
* ``install_default_sources`` — configure the bundled Kawasaki and Hachioji data
* ``install_english_sources`` — configure Kawasaki's English dictionary (``/en/garbage/``)

Matching rules are in ``gomi.matching``; schedule syntax in ``gomi.schedule``.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from madoguchi.text import to_nfc

from . import book as books
from . import matching
from .errors import GarbageError
from .models import GarbageSource, MissedQuery, Synonym

MAX_QUERY_CHARS = 100
MAX_RESULTS = 20
NEXT_DATES = 3

#: the bundled 5374-layout datasets (bundle/datasets.toml); see ``install_default_sources``
DEFAULT_SOURCES = [
    {"slug": "kawasaki", "title": "川崎市", "dataset_slug": "kawasaki-garbage-sorting", "order": 10,
     "items_resource": "分別辞典 target", "categories_resource": "分別区分 description",
     "areas_resource": "収集曜日 area_days", "area_groups_resource": "区 area_master",
     "centers_resource": "収集センター center"},
    {"slug": "hachioji", "title": "八王子市", "dataset_slug": "hachioji-garbage-sorting", "order": 20,
     "items_resource": "分別辞典 target", "categories_resource": "分別区分 description",
     "areas_resource": "収集曜日 area_days", "centers_resource": "収集センター center"},
    {"slug": "kameoka", "title": "亀岡市", "dataset_slug": "kameoka-garbage-sorting", "order": 30,
     "items_resource": "分別辞典 target", "categories_resource": "分別区分 description",
     "areas_resource": "収集曜日 area_days", "centers_resource": "収集センター center"},
]

#: the English versions of bundled cities (issue #18), ``install_english_sources``: Kawasaki's dictionary and
#: categories only, since ``gomi.book`` reads collection-day tables by their Japanese column names (地名, マスター, 名称)
ENGLISH_SOURCES = [
    {"slug": "kawasaki-en", "title": "Kawasaki", "dataset_slug": "kawasaki-garbage-sorting", "order": 11,
     "items_resource": "Sorting dictionary target (English)",
     "categories_resource": "Categories description (English)"},
]

#: a source whose slug is another's plus this suffix is that city's English version (``list_sources``)
ENGLISH_SUFFIX = "-en"


@dataclass
class Collection:
    """Collection days of one category in the chosen area."""

    category: str
    schedule: str
    description: str
    next_dates: list[dt.date]
    warnings: list[str] = field(default_factory=list)


@dataclass
class Match:
    """One dictionary item: ``score`` 0–100 (``matching``), ``collection`` if an area was given;
    ``via`` is the word searched instead of the query (a synonym's target or a name found
    inside the query, ``matching.rank``), ``""`` when found as typed."""

    name: str
    category: str
    notes: str
    category_description: list[str]
    score: float
    row: int
    collection: Collection | None = None
    via: str = ""


@dataclass
class SearchResult:
    """``found``: some item scored at least ``matching.FOUND_MIN_SCORE``; then ``matches``
    holds those items (best first), else ``candidates`` the closest items."""

    query: str
    normalized: str
    found: bool
    matches: list[Match]
    candidates: list[Match]
    area: books.Area | None
    on: dt.date


def today() -> dt.date:
    """Today in Asia/Tokyo."""
    return timezone.localdate()


def list_sources(language: str | None = None) -> list[GarbageSource]:
    """Enabled sources, in display order, one per city: English versions (slug ``<city>-en``,
    ``ENGLISH_SUFFIX``) are left out, except that for *language* ``"en"`` a city's enabled
    English version takes its place."""
    sources = list(GarbageSource.objects.filter(enabled=True))
    by_slug = {s.slug: s for s in sources}
    cities = [s for s in sources if not s.slug.endswith(ENGLISH_SUFFIX)]
    if language == "en":
        return [by_slug.get(s.slug + ENGLISH_SUFFIX, s) for s in cities]
    return cities


def all_sources() -> list[GarbageSource]:
    """Every source, enabled or not (staff pages)."""
    return list(GarbageSource.objects.all())


def get_source(slug: str | None, language: str | None = None) -> GarbageSource:
    """The enabled source *slug*, or the first one when *slug* is empty. With *language* (a page's),
    the city's version in that language where there is one: ``"en"`` turns ``kawasaki`` into
    ``kawasaki-en``, any other language turns ``kawasaki-en`` into ``kawasaki`` (``list_sources``).

    :raises GarbageError: ``not_found`` (404, param ``city``)
    """
    qs = GarbageSource.objects.filter(enabled=True)
    if language is not None and slug:
        city = slug.removesuffix(ENGLISH_SUFFIX)
        wanted = city + ENGLISH_SUFFIX if language == "en" else city
        source = qs.filter(slug=wanted).first()
        if source is not None:
            return source
    if not slug and language is not None:
        first = list_sources(language)
        source = first[0] if first else None
    else:
        source = qs.filter(slug=slug).first() if slug else qs.first()
    if source is None:
        raise GarbageError("not_found", f"ごみ分別のデータ「{slug or ''}」はありません", param="city", status=404)
    return source


def load_book(source: GarbageSource) -> books.Book:
    """The source's book (dictionary, categories, areas) from the published data (cached per version)."""
    return books.load(source)


def collection(book: books.Book, area: books.Area, category: str, on: dt.date) -> Collection | None:
    """Collection days of *category* in *area* from *on*, or None if the area table has no such column."""
    schedule = book.schedule_for(area, category)
    if schedule is None:
        return None
    return Collection(category=category, schedule=schedule.text, description=schedule.describe(),
                      next_dates=schedule.next_dates(on, NEXT_DATES, book.suspensions.get(area.center, [])),
                      warnings=list(schedule.warnings))


def _clean_query(q: str | None) -> str:
    q = to_nfc((q or "").strip())
    if not q:
        raise GarbageError("invalid_parameter", "品目名を入力してください (例 ペットボトル)", param="q")
    if len(q) > MAX_QUERY_CHARS:
        raise GarbageError("invalid_parameter", f"品目名は {MAX_QUERY_CHARS} 文字以内で入力してください", param="q")
    return q


def search(source: GarbageSource, q: str | None, *, area: str | None = None, on: dt.date | None = None,
           limit: int = MAX_RESULTS, log: bool = True) -> SearchResult:
    """Answer "how do I throw this away" for *q* in the city of *source*.

    Matching folds width, kana, long vowels and small kana, reads kanji with
    SudachiPy, and allows near misses (``gomi.matching``): ペットボトル,
    ぺっとぼとる, ﾍﾟｯﾄﾎﾞﾄﾙ and ペットボト give the same items in the same order.

    :param q: what the person typed (1–100 characters)
    :param area: 町名 label from the source's area list (``area_schedule``), optional
    :param on: date the next collection days are counted from (default today, Asia/Tokyo)
    :param limit: most matches / candidates returned (1–50)
    :param log: count a search without a match in ``MissedQuery`` (for staff)
    :returns: ``SearchResult``; ties keep the dictionary's row order. An item (same name and
        category) appears once: rows repeated in the dictionary are merged, keeping the best
        score and the row order of the first, with their distinct notes joined.
    A query without letters or digits (``・・・``) finds nothing and is not counted.
    Synonyms (``Synonym``, for the city and for every city) and item names inside a longer
    query (「使い終わった乾電池」) are searched too (``matching.rank``).

    :raises GarbageError: ``invalid_parameter`` (param ``q``, ``limit``, or an ``area`` several
        wards share); ``not_found`` (404) for an unknown ``area``; ``source_unavailable`` (503)
        if the configured data is not published
    """
    q = _clean_query(q)
    if not 1 <= limit <= 50:
        raise GarbageError("invalid_parameter", "1 以上 50 以下で指定してください", param="limit")
    book = load_book(source)
    chosen = book.find_area(area) if area else None
    on = on or today()
    qkeys = matching.query_keys(q)
    scores, via = matching.rank(book.index, q, _synonyms(source))
    ranked = sorted(zip(scores, book.items, via), key=lambda p: (-p[0], p[1].row))
    hits = _once([p for p in ranked if p[0] >= matching.FOUND_MIN_SCORE])[:limit]
    candidates = []
    if not hits:
        near = sorted(zip(book.index.similarities(qkeys), book.items, [""] * len(book.items)),
                      key=lambda p: (-p[0], p[1].row))
        candidates = _once([p for p in near[:50] if p[0] > 0])[:min(limit, 5)]
        if log and matching.fold(q):
            _record_miss(source, q)

    def as_match(s: float, it: books.Item, notes: str, word: str) -> Match:
        cat = book.category(it.category)
        return Match(name=it.name, category=it.category, notes=notes, row=it.row, via=word,
                     category_description=cat.description if cat else [], score=round(s, 1),
                     collection=collection(book, chosen, it.category, on) if chosen else None)

    return SearchResult(query=q, normalized=matching.fold(q), found=bool(hits), area=chosen, on=on,
                        matches=[as_match(*h) for h in hits], candidates=[as_match(*c) for c in candidates])


def _once(ranked: list[tuple[float, books.Item, str]]) -> list[tuple[float, books.Item, str, str]]:
    """*ranked* (best first) with each item (folded name and category) once: the first
    (best) row stays; notes of its repeats that differ are added, separated by 「／」.
    Returns (score, item, notes, via)."""
    out: dict[tuple[str, str], list] = {}
    for s, it, word in ranked:
        key = (matching.fold(it.name) or it.name, matching.fold(it.category))
        if key not in out:
            out[key] = [s, it, [it.notes] if it.notes else [], word]
        elif it.notes and it.notes not in out[key][2]:
            out[key][2].append(it.notes)
    return [(s, it, "／".join(notes), word) for s, it, notes, word in out.values()]


def _synonyms(source: GarbageSource) -> matching.Synonyms:
    """The synonyms of *source* and of every city (one query; staff edits apply at once)."""
    return matching.Synonyms(Synonym.objects.filter(Q(source=source) | Q(source__isnull=True))
                             .order_by("pk").values_list("word", "target"))


def synonyms(source: GarbageSource | None = None) -> QuerySet:
    """Synonyms, by word (those of *source* and of every city, or all when None)."""
    qs = Synonym.objects.select_related("source")
    return qs.filter(Q(source=source) | Q(source__isnull=True)) if source else qs


def add_synonym(source: GarbageSource | None, word: str | None, target: str | None) -> Synonym:
    """Record that *word* means *target* (for *source*, or every city when None); idempotent.

    :raises GarbageError: ``invalid_parameter`` (param ``word`` or ``target``) if empty, longer
        than 100 characters, or equal after folding (``matching.fold``)
    """
    word, target = to_nfc((word or "").strip()), to_nfc((target or "").strip())
    for name, value in (("word", word), ("target", target)):
        if not matching.fold(value):
            raise GarbageError("invalid_parameter", "言い換えと品目名を入力してください", param=name)
        if len(value) > MAX_QUERY_CHARS:
            raise GarbageError("invalid_parameter", f"{MAX_QUERY_CHARS} 文字以内で入力してください", param=name)
    if matching.fold(word) == matching.fold(target):
        raise GarbageError("invalid_parameter", "言い換えと品目名が同じです", param="target")
    return Synonym.objects.get_or_create(source=source, word=word, target=target)[0]


BUILTIN_SYNONYMS = Path(__file__).resolve().parent / "data" / "synonyms.csv"


def install_builtin_synonyms() -> int:
    """Make sure every built-in synonym (``gomi/data/synonyms.csv``, the project's own list) exists for
    every city, as migration 0004 installed them (a database emptied by a test flush, or restored from an
    old backup, gets them back); staff-edited rows are left alone. Returns how many were created."""
    with open(BUILTIN_SYNONYMS, encoding="utf-8", newline="") as fh:
        pairs = [(r["word"].strip(), r["target"].strip()) for r in csv.DictReader(fh) if r["word"].strip()]
    return sum(Synonym.objects.get_or_create(source=None, word=w, target=t, defaults={"builtin": True})[1]
               for w, t in pairs)


def areas(source: GarbageSource) -> list[books.Area]:
    """The source's 町名 (empty if it has no collection-day table), in table order."""
    return list(load_book(source).areas.values())


def area_schedule(source: GarbageSource, area: str, *,
                  on: dt.date | None = None) -> tuple[books.Area, list[Collection]]:
    """Collection days of every category in *area*, with the next dates from *on*.

    :raises GarbageError: ``not_found`` (404, param ``area``) if the 町名 is unknown,
        ``invalid_parameter`` if ambiguous
    """
    book = load_book(source)
    if not book.areas:
        raise GarbageError("not_found", f"{source.title}のデータには収集日がありません", param="area", status=404)
    chosen = book.find_area(area)
    on = on or today()
    return chosen, [collection(book, chosen, c, on) for c in book.area_columns]


def _record_miss(source: GarbageSource, q: str) -> None:
    normalized = matching.fold(q)[:100]
    updated = MissedQuery.objects.filter(source=source, normalized=normalized).update(
        count=F("count") + 1, text=q[:100], last_seen=timezone.now())
    if not updated:
        try:
            with transaction.atomic():
                MissedQuery.objects.create(source=source, normalized=normalized, text=q[:100], count=1)
        except IntegrityError:  # created by a concurrent request
            MissedQuery.objects.filter(source=source, normalized=normalized).update(count=F("count") + 1)


def missed_queries(source: GarbageSource | None = None) -> QuerySet:
    """Searches that found nothing, most frequent first (all cities unless *source*)."""
    qs = MissedQuery.objects.select_related("source")
    return qs.filter(source=source) if source else qs


@transaction.atomic
def install_default_sources() -> list[GarbageSource]:
    """Create the sources for the bundled Kawasaki and Hachioji datasets if missing (idempotent;
    existing rows, possibly edited by staff, are left as they are), and the built-in synonyms."""
    install_builtin_synonyms()
    return [GarbageSource.objects.get_or_create(slug=d["slug"], defaults=d)[0] for d in DEFAULT_SOURCES]


def install_english_sources() -> list[GarbageSource]:
    """Configure the English versions of the bundled cities (``ENGLISH_SOURCES``; rows created only if
    missing): ``/en/garbage/`` then searches them (``list_sources``)."""
    return [GarbageSource.objects.get_or_create(slug=d["slug"], defaults=d)[0] for d in ENGLISH_SOURCES]
