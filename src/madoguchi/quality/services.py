"""Public API of the quality app: the quality report of a resource version, 5 stars, freshness.

* ``assess(...)`` — at ingestion: the facts that need the file or its cells (rules 1-2, 1-3, 1-4,
  1-7, 1-8, 1-10, 1-11, 1-12, completeness, duplicates), stored as ``ResourceVersion.report["quality"]``
  together with the rule results, ``score`` and ``grade`` of that moment.
* ``quality_report(version)`` — at view time: every rule again from the stored facts and the rest of
  the report (header row, blank rows, encoding, format, fixes), schema conformance, the 5-star level
  (licence can change) and the dataset's freshness.
* ``freshness(dataset, today=None)``, ``stale_datasets()`` — see ``quality.freshness``.
* ``dashboard(...)`` — the staff page's lists.

The rules and their sources are in ``quality.rules``; the 5-star rules in ``quality.stars``.
"""

from __future__ import annotations

import datetime as dt
import logging

from madoguchi.catalog import services as catalog

from . import checks
from .evaluation import evaluate_rules, score_of
from .freshness import GRACE_DAYS, PERIODS, freshness, stale_datasets  # noqa: F401 (public API)
from .stars import RDF_FORMATS, rdf_links, star_rating
from .xlsxscan import scan_xlsx

log = logging.getLogger("madoguchi.quality")

#: version of the stored facts' shape (``report["quality"]["schema_version"]``)
FACTS_VERSION = 1


def assess(*, fmt: str, data: bytes, file_name: str, reader_info: dict, typed, report: dict,
           row_numbers=None) -> dict:
    """The quality facts of a version, computed at ingestion and stored as ``report["quality"]``.

    Never raises: a check that fails with an error is logged and recorded under ``errors``
    (quality is advice; it must not block publishing).

    :param typed: the ``TypedTable`` (``None`` for a file that is not a table, e.g. a PDF)
    :param report: ``{fixes, standard, standard_suggestions, privacy, warnings}`` so far
    :param row_numbers: per data row its file row number (``RawTable.row_numbers``); without it rows
        are counted from the header row
    :returns: ``{"schema_version", "format", "tabular", "findings": {rule id: [finding]},
        "area": {code_columns, name_columns}, "xlsx": {...} | None, "rdf_links": bool,
        "completeness": [...], "duplicates": {...}, "duplicate_ids": [...], "errors": [...],
        "rules": [{id, result}], "score", "grade"}``
    """
    facts: dict = {"schema_version": FACTS_VERSION, "format": fmt, "tabular": typed is not None, "findings": {},
                   "area": None, "xlsx": None, "rdf_links": False, "completeness": [], "duplicates": None,
                   "duplicate_ids": [], "errors": []}

    def run(name, fn, *args):
        try:
            return fn(*args)
        except Exception as exc:  # advice only: record and go on
            log.exception("quality check %s failed on %s", name, file_name)
            facts["errors"].append({"check": name, "error": f"{type(exc).__name__}: {exc}"})
            return None

    if fmt == "xlsx":
        facts["xlsx"] = run("xlsx", scan_xlsx, data, reader_info.get("sheet"))
    if fmt in RDF_FORMATS:
        facts["rdf_links"] = bool(run("rdf_links", rdf_links, data))
    if typed is not None:
        if row_numbers is None:
            start = int(reader_info.get("header_row") or 0) + 1
            row_numbers = range(start, start + typed.num_rows)
        cols = run("columns", checks.columns_of, typed, row_numbers) or []
        f = facts["findings"]
        f["platform_dependent_characters"] = run("characters", checks.platform_dependent_characters, cols) or []
        f["one_value_per_cell"] = run("one_value", checks.one_value_per_cell, cols) or []
        f["numbers_without_text"] = run("units", checks.numbers_with_text, cols) or []
        f["western_calendar"] = run("era", checks.era_dates, cols) or []
        area = run("area", checks.area_codes, cols) or {"code_columns": [], "name_columns": [], "invalid": []}
        f["local_government_code"] = area.pop("invalid")
        facts["area"] = area
        split = run("not_split", checks.repeated_header_rows, cols)
        f["not_split"] = [split] if split else []
        facts["completeness"] = run("completeness", checks.completeness, cols) or []
        facts["duplicates"] = run("duplicates", checks.duplicate_rows, cols)
        facts["duplicate_ids"] = run("duplicate_ids", checks.duplicate_ids, cols) or []
    full = {**report, "format": fmt, "reader": reader_info, "columns": typed.columns if typed is not None else []}
    rules = evaluate_rules(facts, full)
    facts["rules"] = [{"id": r["id"], "result": r["result"]} for r in rules]
    facts.update(score_of(rules, full.get("standard")))
    return facts


# ---------------------------------------------------------------- the report


def schema_conformance(standard: dict | None, suggestions: list | None = None) -> dict:
    """Conformance to the declared standard, errors grouped by field.

    :returns: ``{"declared": bool, "standard", "title", "valid", "error_count",
        "fields": [{"field", "count", "errors": [{code, message, rows, count}]}], "suggestions": [...]}``
    """
    if not standard:
        return {"declared": False, "standard": None, "title": None, "valid": None, "error_count": 0, "fields": [],
                "suggestions": suggestions or []}
    fields: dict[str, dict] = {}
    for e in standard.get("errors") or []:
        name = e.get("field") or "(表全体)"
        entry = fields.setdefault(name, {"field": name, "count": 0, "errors": []})
        entry["count"] += int(e.get("count") or 1)
        entry["errors"].append({k: e.get(k) for k in ("code", "message", "rows", "count")})
    return {"declared": True, "standard": standard.get("standard"), "title": standard.get("title"),
            "valid": bool(standard.get("valid")), "error_count": int(standard.get("error_count") or 0),
            "fields": list(fields.values()), "suggestions": []}


#: originals up to this size are assessed when a version ingested before quality checks is viewed
VIEW_ASSESS_MAX_BYTES = 5 * 1024 * 1024


def assess_stored_version(version) -> dict | None:
    """Quality facts for a version ingested before quality checks, from its kept original file.

    The original is read, normalized and typed again exactly as at ingestion (same reader options);
    files over ``VIEW_ASSESS_MAX_BYTES`` and files that no longer read are left unassessed (``None``).
    The result is not stored (a view never writes).
    """
    from madoguchi.datastore.services import TABULAR_FORMATS, normalize_table, read_bytes, read_table, type_table

    if not version.original_path or (version.original_bytes or 0) > VIEW_ASSESS_MAX_BYTES:
        return None
    try:
        data = read_bytes(version.original_path)
        report = version.report or {}
        raw = typed = None
        if version.format in TABULAR_FORMATS:
            raw = read_table(version.format, data, file=version.original_name, options=report.get("options") or {})
            normalize_table(raw)
            typed = type_table(raw, release=True)
        facts = assess(fmt=version.format, data=data, file_name=version.original_name,
                       reader_info=dict(raw.info) if raw else {}, typed=typed,
                       report={k: report.get(k) for k in ("fixes", "standard", "warnings")},
                       row_numbers=raw.row_numbers if raw else None)
    except Exception:  # an unreadable old file stays 未評価
        log.warning("quality: cannot assess version %s from its original", version.pk, exc_info=True)
        return None
    facts["assessed_at_view"] = True
    return facts


def quality_report(version, *, today: dt.date | None = None, assess_missing: bool = True) -> dict:
    """The full quality report of one ``ResourceVersion`` (page and JSON).

    :param assess_missing: for a version ingested before quality checks (no ``report["quality"]``),
        assess its original file now (``assess_stored_version``); otherwise its cell rules are ``not_assessed``
    :returns: ``{"resource_id", "dataset", "version", "format", "assessed" (False: ingested before quality
        checks and not assessable now), "rules": [see evaluate_rules], "summary": {score, grade, passed, failed},
        "schema": see schema_conformance, "completeness": [{column, empty, filled, rows, ratio}],
        "duplicates": {count, groups, rows, examples} | None, "duplicate_ids": [...], "fixes": [...],
        "star_rating": 0..5, "stars": [{level, met, reason}], "next_star": str,
        "freshness": see freshness()}``
    """
    resource = version.resource
    dataset = resource.dataset
    report = dict(version.report or {})
    report.setdefault("format", version.format)
    facts = report.get("quality") or None
    if facts is None and assess_missing:
        facts = assess_stored_version(version)
    rules = evaluate_rules(facts, report)
    stars = star_rating(license=dataset.license, fmt=version.format, has_table=version.has_table,
                        rdf_links=bool(facts and facts.get("rdf_links")))
    return {
        "resource_id": resource.pk, "dataset": dataset.slug, "version": version.number, "format": version.format,
        "assessed": facts is not None, "rules": rules, "summary": score_of(rules, report.get("standard")),
        "schema": schema_conformance(report.get("standard"), report.get("standard_suggestions")),
        "completeness": (facts or {}).get("completeness") or [],
        "duplicates": (facts or {}).get("duplicates"), "duplicate_ids": (facts or {}).get("duplicate_ids") or [],
        "fixes": report.get("fixes") or [],
        "star_rating": stars["star_rating"], "stars": stars["stars"], "next_star": stars["next"],
        "freshness": freshness(dataset, today),
    }


def resource_star_rating(resource) -> int:
    """The 5-star level (0–5) of a resource's published version; 0 if none (for catalog cards and search)."""
    version = resource.current_version
    if version is None:
        return 0
    facts = (version.report or {}).get("quality") or {}
    return star_rating(license=resource.dataset.license, fmt=version.format, has_table=version.has_table,
                       rdf_links=bool(facts.get("rdf_links")))["star_rating"]


def dataset_star_rating(dataset) -> int:
    """The best 5-star level among the dataset's resources (0 if it has none published).

    One query (resources with their published version); pass a dataset with
    ``prefetch_related("resources__current_version")`` to make it none.
    """
    best = 0
    for resource in dataset.resources.all():
        resource.dataset = dataset
        best = max(best, resource_star_rating(resource))
    return best


# ---------------------------------------------------------------- staff dashboard

DASHBOARD_SORTS = ("overdue", "organization")


def dashboard(*, today: dt.date | None = None, sort: str = "overdue", worst: int = 20) -> dict:
    """What the staff quality page lists.

    :param sort: ``overdue`` (most days overdue first) or ``organization`` (by 所管課, then overdue)
    :returns: ``{"stale": [Dataset with .freshness], "schema_errors": [row], "privacy_overrides": [row],
        "worst": [row] (lowest score first, ``worst`` rows), "sort"}``; a row is a dict with ``resource_id``,
        ``name``, ``slug``, ``dataset``, ``organization``, ``version``, ``score``, ``grade``,
        ``schema_errors``, ``standard``, ``overrides`` (privacy findings published by override)
    """
    from madoguchi.catalog.models import Resource

    stale = stale_datasets(today)
    if sort == "organization":
        stale.sort(key=lambda d: (d.organization.title, -d.freshness["days_overdue"], d.title))
    prefix = "current_version__report__"
    rows = []
    for r in (Resource.objects.filter(**catalog.dataset_filter(True, "dataset__"), current_version__isnull=False)
              .values("pk", "name", "dataset__slug", "dataset__title", "dataset__organization__title",
                      "current_version__number", f"{prefix}quality__score", f"{prefix}quality__grade",
                      f"{prefix}standard", f"{prefix}privacy")):
        standard = r[f"{prefix}standard"] or None
        overrides = [p for p in (r[f"{prefix}privacy"] or []) if isinstance(p, dict) and p.get("override")]
        rows.append({"resource_id": r["pk"], "name": r["name"], "slug": r["dataset__slug"],
                     "dataset": r["dataset__title"], "organization": r["dataset__organization__title"],
                     "version": r["current_version__number"], "score": r[f"{prefix}quality__score"],
                     "grade": r[f"{prefix}quality__grade"],
                     "standard": (standard or {}).get("title") or (standard or {}).get("standard"),
                     "schema_errors": int((standard or {}).get("error_count") or 0)
                     if standard and not standard.get("valid", True) else 0,
                     "overrides": overrides})
    by_org = (lambda x: (x["organization"], x["dataset"], x["name"])) if sort == "organization" else None
    schema_errors = sorted([x for x in rows if x["schema_errors"]],
                           key=by_org or (lambda x: (-x["schema_errors"], x["dataset"])))
    privacy = sorted([x for x in rows if x["overrides"]], key=by_org or (lambda x: (x["dataset"], x["name"])))
    scored = sorted([x for x in rows if x["score"] is not None], key=lambda x: (x["score"], x["dataset"]))[:worst]
    return {"stale": stale, "schema_errors": schema_errors, "privacy_overrides": privacy, "worst": scored,
            "sort": sort}
