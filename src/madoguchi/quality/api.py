"""Quality endpoint of ``/api/v1/``: the quality report of a resource's published version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Path, Router
from ninja.errors import HttpError
from pydantic import Field

from madoguchi.catalog import services as catalog
from madoguchi.schemas import DB_INT_MAX, ERRORS, OutSchema

from . import services

router = Router(tags=["quality"])


class FindingOut(OutSchema):
    code: str | None = Field(None, description="Stable machine code of the finding, e.g. ``merged_cells``")
    message: str
    column: str | None = Field(None, description="Column name; null for the whole file")
    sheet: str | None = Field(None, description="Excel sheet name, where it matters")
    rows: list[int] = Field([], description="File row numbers (1-based), at most 20")
    count: int = Field(0, description="All cells/rows concerned (may exceed ``rows``)")
    cells: list[str] | None = Field(None, description="Excel cell references (``A1:C1``) or column letters")
    examples: list[Any] | None = Field(None, description="Example cell texts (at most 5)")
    characters: list[str] | None = Field(None, description="機種依存文字 found")
    repaired: bool | None = Field(None, description="The cause is gone from the published table (fixed at "
                                                    "ingestion); only on failed rules")


class RuleOut(OutSchema):
    id: str = Field(description="Official rule ID of 「行政データにおける機械可読性に関するルール」(2026), "
                                "``L1-01`` … ``L3-09``")
    level: int = Field(description="Level of the rule, 1–3")
    name: str = Field(description="Official rule name")
    text: str = Field(description="Official rule text (without figures)")
    cross_reference_2020: str = Field(description="Check number in 総務省「統計表における機械判読可能なデータの表記方法の"
                                                  "統一ルール」(2020) where the rule maps to one, e.g. ``1-4``; else empty")
    applies_to: str | None = Field(description="``xlsx`` for 【Excel】 rules, ``csv`` for 【CSV】 rules, null for all")
    severity: str = Field(description="FATAL, CRITICAL, MAJOR or MINOR (Digital Agency sample checker's table)")
    deduction: int | None = Field(description="Points taken off when failed; null for FATAL (score 0)")
    source: str
    result: str = Field(description="The original file: ``pass``, ``fail``, ``not_applicable``, ``not_assessed`` "
                                    "(could not be checked) or ``manual`` (要確認: the file cannot show it)")
    label: str = Field(description="〇 × 対象外 未評価 要確認")
    published: str = Field(description="The same for the published table (after the fixes made at ingestion)")
    published_label: str
    evidence: list[FindingOut]
    fixes: list[dict[str, Any]] = Field(description="Fixes applied at ingestion that concern this rule")
    note: str


class SummaryOut(OutSchema):
    level: int = Field(description="Level reached by the original file, 0–3: every rule of that level and the "
                                   "ones below is 〇, 対象外 or 要確認 (要確認 does not block; × and 未評価 do)")
    score: int | None = Field(description="0–100 by the Digital Agency sample checker's severity table: a failed "
                                          "FATAL rule gives 0, else 100 minus deductions; null if nothing was judged")
    published_level: int = Field(description="Level reached by the published table")
    published_score: int | None
    score_source: str = Field(description="Where the severity table comes from")
    passed: int
    failed: int
    manual: int
    not_applicable: int
    not_assessed: int
    blocking: list[str] = Field(description="Rules that stop the original file reaching the next level")


class FieldErrorsOut(OutSchema):
    field: str
    count: int
    errors: list[dict[str, Any]]


class SchemaOut(OutSchema):
    declared: bool = Field(description="The dataset declares a standard (自治体標準オープンデータセット)")
    standard: str | None
    title: str | None
    valid: bool | None
    error_count: int
    fields: list[FieldErrorsOut] = Field(description="Errors grouped by field")
    suggestions: list[dict[str, Any]] = Field(description="Closest standards when none is declared")


class CompletenessOut(OutSchema):
    column: str
    empty: int = Field(description="Empty cells")
    filled: int
    rows: int
    ratio: float = Field(description="filled / rows, 0–1")


class DuplicatesOut(OutSchema):
    count: int = Field(description="Rows equal in every column to an earlier row")
    groups: int = Field(description="Distinct rows that are repeated")
    rows: list[int] = Field(description="File rows of the repeats (at most 20)")
    examples: list[list[int]] = Field(description="File rows of the first repeated groups")


class StarOut(OutSchema):
    level: int
    met: bool
    reason: str


class FreshnessOut(OutSchema):
    frequency: str = Field(description="DCAT-AP frequency id: DAILY, WEEKLY, MONTHLY, QUARTERLY, ANNUAL, IRREG, NEVER")
    frequency_label: str
    last_updated: dt.date | None
    due: dt.date | None = Field(description="Next update expected by; null for IRREG and NEVER")
    grace_days: int
    stale: bool = Field(description="Past ``due`` plus ``grace_days``")
    days_overdue: int


class QualityOut(OutSchema):
    """Quality report of the published version of a resource; more keys may be added."""

    resource_id: int
    dataset: str = Field(description="Dataset slug")
    version: int = Field(description="Version number assessed (the published one)")
    format: str
    assessed: bool = Field(description="False for a version ingested before quality checks: cell checks are "
                                       "``not_assessed``")
    rules: list[RuleOut] = Field(description="The 30 official rules in order")
    summary: SummaryOut
    rules_source: str
    rules_source_url: str
    score_source_url: str
    schema_: SchemaOut = Field(alias="schema", serialization_alias="schema")
    completeness: list[CompletenessOut]
    duplicates: DuplicatesOut | None
    duplicate_ids: list[dict[str, Any]] = Field(description="Repeated values in ID/NO/番号 columns")
    fixes: list[dict[str, Any]] = Field(description="Every fix applied at ingestion")
    star_rating: int = Field(description="5-star open data level 0–5 (https://5stardata.info/)")
    stars: list[StarOut] = Field(description="Each star with the reason it is met or not")
    next_star: str = Field(description="What the next star needs; empty at 5")
    freshness: FreshnessOut


@router.get("/resources/{resource_id}/quality", response={200: QualityOut, **ERRORS}, url_name="quality",
            by_alias=True)
def get_quality(request, resource_id: int = Path(..., ge=1, examples=[1], description="Resource id")):
    """The quality report of a resource's published version.

    The 30 rules of デジタル庁「行政データにおける機械可読性に関するルール」(2026) by official ID (L1-01 …
    L3-09) with the result for the original file and for the published table, evidence (sheet, column,
    file rows ≤ 20, count, examples) and fixes; the level reached and the score; conformance to the
    declared standard by field; empty cells per column; duplicate rows and IDs; fixes applied at
    ingestion; the 5-star level (5stardata.info) with the reason for each star; the dataset's freshness.

    404 (``not_found``) if the resource is unknown, in a private dataset, or has no published version.
    """
    r = None
    if resource_id <= DB_INT_MAX:
        r = (catalog.visible_resources(request.user).select_related("dataset__organization")
             .filter(pk=resource_id).first())
    if r is None:
        raise HttpError(404, f"リソース {resource_id} はありません")
    if r.current_version is None:
        raise HttpError(404, "公開された版がありません")
    version = r.current_version
    version.resource = r
    return services.quality_report(version)
