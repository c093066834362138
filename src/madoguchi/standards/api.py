"""Standard schema endpoints of ``/api/v1/standards`` (標準データセット).

Errors are the API's one error body (``madoguchi.schemas.ErrorOut``): ``not_found``
(404) for an unknown standard id, ``invalid_parameter`` (400) for an id that is not
a slug.
"""

from __future__ import annotations

from django.urls import reverse
from ninja import Path, Router
from ninja.errors import HttpError
from pydantic import Field

from madoguchi.schemas import ERRORS, OutSchema

from . import services

router = Router(tags=["standards"])
ID_PATTERN = r"^[a-z0-9][-a-z0-9]*$"


class StandardSummaryOut(OutSchema):
    id: str = Field(description="Standard id: ASCII slug with generation, e.g. ``aed-v1``, ``event-2024``")
    title: str = Field(description="Japanese dataset name as in the standard, e.g. ``AED設置箇所一覧``")
    generation: str = Field(description="``v1`` (推奨データセット 基本編) or ``2024`` (自治体標準オープンデータセット)")
    generation_title: str
    reconstructed: bool = Field(description="True when reconstructed from published city files, not from the "
                                            "official definition (the 2024 layouts)")
    field_count: int
    required: list[str] = Field(description="Fields whose column must be present")
    dataset_count: int = Field(description="Public catalog datasets that declare this standard")
    url: str = Field(description="Path of the standard's HTML page")
    schema_url: str = Field(description="Path of the Frictionless Table Schema (JSON download)")
    datasets_url: str = Field(description="Path of the catalog filtered to datasets declaring this standard")


class StandardList(OutSchema):
    count: int
    results: list[StandardSummaryOut]


class StandardOut(StandardSummaryOut):
    table_schema: dict = Field(description="The Frictionless Table Schema (``fields``, ``missingValues``, "
                                           "``x-madoguchi`` with id, title, generation, source)")


def summary(standard, counts: dict[str, int]) -> dict:
    return {
        "id": standard.id, "title": standard.title, "generation": standard.generation,
        "generation_title": standard.generation_title, "reconstructed": standard.reconstructed,
        "field_count": len(standard.field_names), "required": standard.required_names,
        "dataset_count": counts.get(standard.id, 0),
        "url": reverse("standards:detail", args=[standard.id]),
        "schema_url": reverse("standards:schema", args=[standard.id]),
        "datasets_url": reverse("catalog:datasets") + f"?standard={standard.id}",
    }


@router.get("", response={200: StandardList}, url_name="standards")
def list_standards(request):
    """Every standard schema: v1 (推奨データセット 基本編 14種) in definition order, then the 2024 layouts.

    ``dataset_count`` counts public datasets declaring each standard.
    """
    counts = services.datasets_by_standard()
    results = [summary(s, counts) for s in services.all_standards()]
    return {"count": len(results), "results": results}


@router.get("/{standard_id}", response={200: StandardOut, **ERRORS}, url_name="standard")
def get_standard(request, standard_id: str = Path(..., pattern=ID_PATTERN, max_length=60, examples=["aed-v1"],
                                                  description="Standard id, e.g. ``aed-v1``")):
    """One standard with its Frictionless Table Schema (field names exactly as the standard spells them,
    types, ``constraints``: required, pattern, enum, minimum/maximum, unique).

    404 (``not_found``) for an unknown id.
    """
    try:
        standard = services.get_standard(standard_id)
    except services.UnknownStandard:
        raise HttpError(404, f"標準データセット「{standard_id}」はありません") from None
    return {**summary(standard, services.datasets_by_standard()), "table_schema": standard.schema}
