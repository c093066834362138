"""Schemas and parameter types shared by the apps' API routers.

Every 4xx of ``/api/v1/`` has the body ``ErrorOut``; ``ERRORS`` is the
``response=`` entry routers merge into their own to document it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

from madoguchi.errors import ERROR_CODES

#: Largest value of a database id (a signed 64-bit integer). Larger path ids are unknown (404), never sent
#: to the database.
DB_INT_MAX = 2**63 - 1


def _strip_nul(value: str) -> str:
    # A NUL character can never match anything, and PostgreSQL refuses text containing it (a 500 otherwise).
    return value.replace("\x00", "")


#: Free text from a query string; NUL characters are dropped.
Text = Annotated[str, AfterValidator(_strip_nul)]

#: Path parameter: the slug of a dataset (Django ``SlugField``).
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


class OutSchema(Schema):
    """Base of response bodies: fields with defaults are still listed as ``required`` (they are always sent)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class ErrorDetail(OutSchema):
    code: str = Field(description="Stable machine code: " + "; ".join(
        f"``{code}`` ({status}: {meaning})" for code, (status, meaning) in ERROR_CODES.items()))
    param: str | None = Field(description="The query or path parameter at fault, e.g. ``limit``; null if none")
    message: str = Field(description="What is wrong, for people (Japanese)")


class ErrorOut(OutSchema):
    """The one error body of the JSON API."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"ok": False, "error": {"code": "invalid_parameter", "param": "limit",
                                "message": "1000 以下で指定してください"}},
        {"ok": False, "error": {"code": "not_found", "param": None, "message": "リソース 999 はありません"}},
    ]})

    ok: Literal[False] = False
    error: ErrorDetail


#: ``response=`` entries for the errors every operation can return.
ERRORS = {400: ErrorOut, 404: ErrorOut}
