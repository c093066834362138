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
    code: str
    message: str
    column: str | None = Field(description="Column name; null for the whole file")
    rows: list[int] = Field(description="File row numbers (1-based), at most 20")
    count: int = Field(description="All cells/rows concerned (may exceed ``rows``)")
    cells: list[str] | None = Field(None, description="Excel cell references (``A1:C1``) for merged cells and "
                                                      "formulas")
    examples: list[Any] | None = Field(None, description="Example cell texts (at most 5)")
    characters: list[str] | None = Field(None, description="機種依存文字 found")


class RuleOut(OutSchema):
    id: str = Field(description="Stable id of the rule, e.g. ``merged_cells``")
    number: str = Field(description="Check number in 総務省「統計表における機械判読可能なデータ作成に関する表記方法」"
                                    "(2020), e.g. ``1-4``; empty for rules from other sources")
    text: str = Field(description="The rule as officially worded")
    source: str
    result: str = Field(description="``pass``, ``fail``, ``not_applicable``, ``not_assessed`` (version ingested "
                                    "before quality checks) or ``manual`` (needs a person)")
    label: str = Field(description="〇 × 対象外 未評価 要確認")
    evidence: list[FindingOut]
    fixes: list[dict[str, Any]] = Field(description="Fixes applied at ingestion that concern this rule")
    note: str


class SummaryOut(OutSchema):
    score: int | None = Field(description="Share of checked rules passed, 0–100 (10 less if the declared "
                                          "standard has errors); null if no rule could be checked")
    grade: str | None = Field(description="A (≥ 90), B (≥ 75), C (≥ 50), D")
    passed: int
    failed: int


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
    rules: list[RuleOut]
    summary: SummaryOut
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

    Machine-readability rules of 総務省「統計表における機械判読可能なデータ作成に関する表記方法」(2020)
    by check number with pass/fail and evidence (column, file rows ≤ 20, count); conformance to the
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
