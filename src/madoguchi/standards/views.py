"""Standard schema pages: the list, one standard's fields, its Table Schema as a download."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import services


def _standard(standard_id: str):
    try:
        return services.get_standard(standard_id)
    except services.UnknownStandard:
        raise Http404(_("標準データセット「%(id)s」はありません") % {"id": standard_id}) from None


@require_GET
def standard_list(request: HttpRequest) -> HttpResponse:
    counts = services.datasets_by_standard(include_private=request.user.is_staff)
    rows = [{"standard": s, "dataset_count": counts.get(s.id, 0)} for s in services.all_standards()]
    return render(request, "standards/list.html", {"rows": rows})


@require_GET
def standard_detail(request: HttpRequest, standard_id: str) -> HttpResponse:
    standard = _standard(standard_id)
    counts = services.datasets_by_standard(include_private=request.user.is_staff)
    fields = []
    for f in standard.fields:
        constraints = f.get("constraints", {})
        rules = []  # (label in the page's language, value from the schema: data, or "")
        if constraints.get("pattern"):
            rules.append((_("形式"), constraints["pattern"]))
        if constraints.get("enum"):
            rules.append((_("値:"), "／".join(constraints["enum"])))
        if "minimum" in constraints or "maximum" in constraints:
            rules.append((_("範囲"), f"{constraints.get('minimum')}〜{constraints.get('maximum')}"))
        if constraints.get("unique"):
            rules.append((_("重複不可"), ""))
        if f.get("format") == "uri":
            rules.append(("URL", ""))
        fields.append({"name": f["name"], "type": f["type"], "format": f.get("format"),
                       "required": f["name"] in standard.required_names,
                       "required_cell": bool(constraints.get("required")), "rules": rules,
                       "description": f.get("description", "")})
    return render(request, "standards/detail.html", {
        "standard": standard, "fields": fields, "dataset_count": counts.get(standard.id, 0),
        "source": standard.meta.get("source", {})})


@require_GET
def standard_schema(request: HttpRequest, standard_id: str) -> HttpResponse:
    standard = _standard(standard_id)
    body = json.dumps(standard.schema, ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{standard.id}.json"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
