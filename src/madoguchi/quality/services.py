"""Public API of the quality app: the quality report of a resource version, 5 stars, freshness.

The report judges the 30 rules of デジタル庁「行政データにおける機械可読性に関するルール」(2026,
``quality.rules``) by their official IDs (L1-01 … L3-09).

* ``assess(...)`` — at ingestion: the facts that need the file or its cells (findings by official rule
  id, area columns, the XLSX scan, completeness, duplicates), stored as ``ResourceVersion.report["quality"]``
  together with the rule results, level and score of that moment.
* ``quality_report(version)`` — at view time: every rule again from the stored facts and the rest of
  the report (header row, blank rows, encoding, format, fixes), L3-07 against the previous version,
  schema conformance, the 5-star level (licence can change) and the dataset's freshness.
* ``freshness(dataset, today=None)``, ``stale_datasets()`` — see ``quality.freshness``.
* ``dashboard(...)`` — the staff page's lists; ``level1_share()`` — the KPI metric
  ``quality.resources_level1_share`` (registered in ``apps.py``).

The rules and their sources are in ``quality.rules``; the 5-star rules in ``quality.stars``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from madoguchi.catalog import services as catalog

from . import checks, checks_2026
from .evaluation import evaluate_rules, with_format_change
from .scoring import summary_of
from .freshness import GRACE_DAYS, PERIODS, freshness, stale_datasets  # noqa: F401 (public API)
from .rules import (  # noqa: F401
    FAIL,
    LEVELS,
    RULES,
    RULES_BY_ID,
    SCORE_SOURCE,
    SCORE_SOURCE_URL,
    SOURCE,
    SOURCE_URL,
)
from .stars import RDF_FORMATS, rdf_links, star_rating
from .xlsxscan import scan_xlsx

log = logging.getLogger("madoguchi.quality")

#: version of the stored facts' shape (``report["quality"]["schema_version"]``): 2 = findings keyed by the
#: official 2026 rule ids; 1 = the 2020 rule keys (still evaluated, see ``evaluation._findings``)
FACTS_VERSION = 2


def assess(*, fmt: str, data: bytes, file_name: str, reader_info: dict, typed, report: dict,
           row_numbers=None) -> dict:
    """The quality facts of a version, computed at ingestion and stored as ``report["quality"]``.

    Never raises: a check that fails with an error is logged and recorded under ``errors``
    (quality is advice; it must not block publishing).

    :param typed: the ``TypedTable`` (``None`` for a file that is not a table, e.g. a PDF)
    :param report: ``{fixes, standard, standard_suggestions, privacy, warnings}`` so far
    :param row_numbers: per data row its file row number (``RawTable.row_numbers``); without it rows
        are counted from the header row
    :returns: ``{"schema_version", "format", "tabular", "findings": {official rule id: [finding]},
        "area": {code_columns, name_columns}, "xlsx": {...} | None, "rdf_links": bool,
        "completeness": [...], "duplicates": {...}, "duplicate_ids": [...], "errors": [...],
        "rules": [{id, level, result, published, deduction}], "level", "score", "published_level",
        "published_score"}`` (L3-07 is 未評価 here: it is judged against the previous version at view time)
    """
    facts: dict = {"schema_version": FACTS_VERSION, "format": fmt, "tabular": typed is not None, "findings": {},
                   "area": None, "xlsx": None, "rdf_links": False, "completeness": [], "duplicates": None,
                   "duplicate_ids": [], "errors": []}

    def run(name, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # advice only: record and go on
            log.exception("quality check %s failed on %s", name, file_name)
            facts["errors"].append({"check": name, "error": f"{type(exc).__name__}: {exc}"})
            return None

    if fmt == "xlsx":
        facts["xlsx"] = run("xlsx", scan_xlsx, data, reader_info.get("sheet"), reader_info.get("header_row"))
    if fmt in RDF_FORMATS:
        facts["rdf_links"] = bool(run("rdf_links", rdf_links, data))
    full = {**report, "format": fmt, "reader": reader_info, "columns": typed.columns if typed is not None else []}
    if typed is not None:
        if row_numbers is None:
            start = int(reader_info.get("header_row") or 0) + 1
            row_numbers = range(start, start + typed.num_rows)
        cols = run("columns", checks.columns_of, typed, row_numbers) or []
        f = facts["findings"]
        f["L1-08"] = run("characters", checks.platform_dependent_characters, cols) or []
        f["L1-07"] = run("one_value", checks.one_value_per_cell, cols) or []  # line breaks: L1-14 / L1-06
        f["L2-01"] = run("units", checks.numbers_with_text, cols) or []
        f["L3-05"] = run("era", checks.era_dates, cols) or []
        area = run("area", checks.area_codes, cols) or {"code_columns": [], "name_columns": [], "invalid": []}
        f["L3-06"] = area.pop("invalid")
        facts["area"] = area
        split = run("not_split", checks.repeated_header_rows, cols)
        f["L1-03"] = [split] if split else []
        more = run("more_findings", checks_2026.more_findings, cols, typed=typed, reader_info=reader_info, report=full)
        for rule_id, found in (more or {}).items():
            if rule_id in RULES_BY_ID:
                f[rule_id] = _merge(f.get(rule_id) or [], found or [])
        facts["completeness"] = run("completeness", checks.completeness, cols) or []
        facts["duplicates"] = run("duplicates", checks.duplicate_rows, cols)
        facts["duplicate_ids"] = run("duplicate_ids", checks.duplicate_ids, cols) or []
    rules = evaluate_rules(facts, full)
    facts["rules"] = _stored(rules)
    summary = summary_of(rules)
    facts.update({k: summary[k] for k in ("level", "score", "published_level", "published_score")})
    return facts


def _merge(mine: list[dict], more: list[dict]) -> list[dict]:
    seen = {(x.get("code"), x.get("column"), tuple(x.get("rows") or ())) for x in mine}
    return mine + [x for x in more if (x.get("code"), x.get("column"), tuple(x.get("rows") or ())) not in seen]


def _stored(rules: list[dict]) -> list[dict]:
    return [{k: r[k] for k in ("id", "level", "result", "published", "deduction")} for r in rules]


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
    from madoguchi.datastore.services import (
        TABULAR_FORMATS,
        normalize_table,
        read_bytes,
        read_table,
        type_table,
    )

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


def previous_version(version) -> dict | None:
    """The version of the same resource before ``version`` as ``{"number", "columns"}``; ``None`` for a first
    version (for rule L3-07)."""
    from madoguchi.datastore.models import ResourceVersion

    row = (ResourceVersion.objects.filter(resource_id=version.resource_id, number__lt=version.number)
           .order_by("-number").values("number", "columns").first())
    return row


def quality_report(version, *, today: dt.date | None = None, assess_missing: bool = True) -> dict:
    """The full quality report of one ``ResourceVersion`` (page and JSON).

    :param assess_missing: for a version ingested before quality checks (no ``report["quality"]``) or
        before the 2026 rules (facts of schema version 1), assess its original file now
        (``assess_stored_version``); otherwise old facts are mapped to the official ids and the rest is
        ``not_assessed``
    :returns: ``{"resource_id", "dataset", "version", "format", "assessed" (False: ingested before quality
        checks and not assessable now), "outdated" (True: only facts of the 2020 rules), "rules": [see evaluate_rules], "summary": see scoring.summary_of,
        "rules_source", "rules_source_url", "score_source_url",
        "schema": see schema_conformance, "completeness": [{column, empty, filled, rows, ratio}],
        "duplicates": {count, groups, rows, examples} | None, "duplicate_ids": [...], "fixes": [...],
        "star_rating": 0..5, "stars": [{level, met, reason}], "next_star": str,
        "freshness": see freshness()}``
    """
    resource = version.resource
    dataset = resource.dataset
    report = dict(version.report or {})
    report.setdefault("format", version.format)
    report.setdefault("columns", version.columns or [])
    facts = report.get("quality") or None
    if assess_missing and (facts is None or int(facts.get("schema_version") or 0) < FACTS_VERSION):
        facts = assess_stored_version(version) or facts
    rules = evaluate_rules(facts, report, previous=previous_version(version))
    stars = star_rating(license=dataset.license, fmt=version.format, has_table=version.has_table,
                        rdf_links=bool(facts and facts.get("rdf_links")))
    return {
        "resource_id": resource.pk, "dataset": dataset.slug, "version": version.number, "format": version.format,
        "assessed": facts is not None, "rules": rules, "summary": summary_of(rules),
        "outdated": facts is not None and int(facts.get("schema_version") or 0) < FACTS_VERSION,
        "rules_source": SOURCE, "rules_source_url": SOURCE_URL, "score_source_url": SCORE_SOURCE_URL,
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


def _stored_levels(resources: list[dict]) -> dict[int, dict]:
    """Per resource id (rows with ``pk``, ``current_version__number`` and the stored quality facts) its
    ``{"level", "score", "failed": [rule ids]}`` with L3-07 judged against the previous version now;
    ``level`` is ``None`` for a version whose facts predate the 2026 rules (未評価)."""
    from madoguchi.datastore.models import ResourceVersion

    by_resource: dict[int, list[dict]] = {}
    ids = [r["pk"] for r in resources]
    for v in (ResourceVersion.objects.filter(resource_id__in=ids).order_by("resource_id", "-number")
              .values("resource_id", "number", "columns")):
        by_resource.setdefault(v["resource_id"], []).append(v)
    out = {}
    for r in resources:
        facts = r["facts"] or {}
        stored = facts.get("rules") or []
        if int(facts.get("schema_version") or 0) < FACTS_VERSION or not stored:
            out[r["pk"]] = {"level": None, "score": None, "failed": []}
            continue
        versions = by_resource.get(r["pk"]) or []
        current = next((v for v in versions if v["number"] == r["number"]), None)
        previous = next((v for v in versions if v["number"] < r["number"]), None)
        rules = with_format_change(stored, (current or {}).get("columns") or [], previous)
        summary = summary_of(rules)
        out[r["pk"]] = {"level": summary["level"], "score": summary["score"],
                        "failed": [x["id"] for x in rules if x["result"] == FAIL]}
    return out


def _published_resources(*, staff: bool) -> list[dict]:
    """Resources with a published version in active datasets (private datasets too when ``staff``)."""
    from madoguchi.catalog.models import Resource

    prefix = "current_version__report__"
    rows = []
    for r in (Resource.objects.filter(**catalog.dataset_filter(True if staff else None, "dataset__"),
                                      current_version__isnull=False)
              .values("pk", "name", "dataset__slug", "dataset__title", "dataset__organization__title",
                      "current_version__number", f"{prefix}quality__schema_version", f"{prefix}quality__rules",
                      f"{prefix}standard", f"{prefix}privacy")):
        rows.append({"pk": r["pk"], "name": r["name"], "slug": r["dataset__slug"], "dataset": r["dataset__title"],
                     "organization": r["dataset__organization__title"], "number": r["current_version__number"],
                     "facts": {"schema_version": r[f"{prefix}quality__schema_version"],
                               "rules": r[f"{prefix}quality__rules"]}, "standard": r[f"{prefix}standard"],
                     "privacy": r[f"{prefix}privacy"]})
    return rows


def dashboard(*, today: dt.date | None = None, sort: str = "overdue", worst: int = 20) -> dict:
    """What the staff quality page lists.

    :param sort: ``overdue`` (most days overdue first) or ``organization`` (by 所管課, then overdue)
    :returns: ``{"stale": [Dataset with .freshness], "schema_errors": [row], "privacy_overrides": [row],
        "worst": [row] (lowest score first, ``worst`` rows), "levels": [{"organization", "counts": [n at level
        0, 1, 2, 3], "unassessed", "total"}] (by 所管課), "failing_rules": [{"id", "name", "level", "count"}]
        (rules failed by most resources first), "sort", "score_source"}``; a row is a dict with ``resource_id``,
        ``name``, ``slug``, ``dataset``, ``organization``, ``version``, ``level``, ``score``,
        ``schema_errors``, ``standard``, ``overrides`` (privacy findings published by override)
    """
    stale = stale_datasets(today)
    if sort == "organization":
        stale.sort(key=lambda d: (d.organization.title, -d.freshness["days_overdue"], d.title))
    resources = _published_resources(staff=True)
    levels = _stored_levels(resources)
    rows = []
    for r in resources:
        standard = r["standard"] or None
        overrides = [p for p in (r["privacy"] or []) if isinstance(p, dict) and p.get("override")]
        q = levels[r["pk"]]
        rows.append({"resource_id": r["pk"], "name": r["name"], "slug": r["slug"], "dataset": r["dataset"],
                     "organization": r["organization"], "version": r["number"], "level": q["level"],
                     "score": q["score"], "failed": q["failed"],
                     "standard": (standard or {}).get("title") or (standard or {}).get("standard"),
                     "schema_errors": int((standard or {}).get("error_count") or 0)
                     if standard and not standard.get("valid", True) else 0,
                     "overrides": overrides})
    by_org = (lambda x: (x["organization"], x["dataset"], x["name"])) if sort == "organization" else None
    schema_errors = sorted([x for x in rows if x["schema_errors"]],
                           key=by_org or (lambda x: (-x["schema_errors"], x["dataset"])))
    privacy = sorted([x for x in rows if x["overrides"]], key=by_org or (lambda x: (x["dataset"], x["name"])))
    scored = sorted([x for x in rows if x["score"] is not None],
                    key=lambda x: (x["level"], x["score"], x["dataset"]))[:worst]
    orgs: dict[str, dict] = {}
    for x in rows:
        entry = orgs.setdefault(x["organization"], {"organization": x["organization"], "counts": [0, 0, 0, 0],
                                                    "unassessed": 0, "total": 0})
        entry["total"] += 1
        if x["level"] is None:
            entry["unassessed"] += 1
        else:
            entry["counts"][x["level"]] += 1
    failing = Counter(rule_id for x in rows for rule_id in x["failed"])
    failing_rules = [{"id": rule_id, "name": RULES_BY_ID[rule_id].name, "level": RULES_BY_ID[rule_id].level,
                      "count": n} for rule_id, n in sorted(failing.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"stale": stale, "schema_errors": schema_errors, "privacy_overrides": privacy, "worst": scored,
            "levels": [orgs[k] for k in sorted(orgs)], "failing_rules": failing_rules, "sort": sort,
            "score_source": SCORE_SOURCE}


def level1_share(year: int, *, today: dt.date) -> Decimal | None:
    """KPI ``quality.resources_level1_share``: public resources (published version, public dataset) whose
    published version reaches level 1 or better of the machine-readability rules, as a percentage of all
    public resources (one decimal, half up). Versions not assessed on the 2026 rules count as below level 1.
    Measured now: the value for the fiscal year that contains ``today``; ``None`` for any other year (the
    levels of past years are not kept) and when there is no public resource."""
    from madoguchi.plans.services import fiscal_year_bounds

    first, last = fiscal_year_bounds(year)
    if not first <= today <= last:
        return None
    resources = _published_resources(staff=False)
    if not resources:
        return None
    levels = _stored_levels(resources)
    reached = sum(1 for r in resources if (levels[r["pk"]]["level"] or 0) >= 1)
    return (Decimal(100 * reached) / len(resources)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
