"""The definition format of a form version: checking a definition and its JSON Schema (answers: ``answers``).

``definition = {"fields": [FieldDef, …], "attachments_note": str}``; a FieldDef::

    {"name": "a-z0-9_", "label": "ja", "label_en": "", "kind": KIND, "required": bool, "help": "",
     "choices": [...], "min": n, "max": n, "max_length": n, "pattern": "regex",
     "accept": [".pdf", ".jpg", ".png"], "max_size_mb": 5,
     "show_if": {"field": "name", "equals": "value"}, "step": "step title"}

A field whose ``show_if`` is not met is hidden: never required, ignored by ``validate`` and dropped
by ``clean_data`` (``answers``).
"""

from __future__ import annotations

import re

from django.utils.translation import get_language

from madoguchi import uploads

from .errors import FormError

KINDS = ("text", "textarea", "number", "date", "choice", "multichoice", "checkbox", "address", "postal_code",
         "phone", "email", "file")
#: file types a form may accept: extension → (media type, signature of the first bytes), from the project's one
#: table of uploads (``madoguchi.uploads``)
FILE_TYPES = {ext: uploads.FILE_TYPES[ext] for ext in (".pdf", ".jpg", ".jpeg", ".png")}
DEFAULT_ACCEPT = [".pdf", ".jpg", ".png"]
DEFAULT_MAX_SIZE_MB = 5
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
POSTAL_PATTERN = r"^[0-9]{3}-?[0-9]{4}$"
#: Japanese phone numbers once spaces, hyphens and brackets are gone (``+81`` is read as ``0``): 11 digits for
#: mobiles, IP phones and 0800 (070/080/090/060/050, 0800); 10 digits for fixed lines, 0120 and 0570
PHONE_PATTERN = r"^(0[5-9]0[0-9]{8}|0800[0-9]{7}|0[0-9]{9})$"
_TRUE = {"true", "on", "1", "yes", "はい"}
#: the longest answer a field without ``max_length`` takes (characters)
TEXT_LIMIT, TEXTAREA_LIMIT = 1000, 20000


def _label(field: dict) -> str:
    """The field's label in the active language: ``label_en`` on an English page when the form has one."""
    if field.get("label_en") and (get_language() or "").startswith("en"):
        return field["label_en"]
    return field["label"]


# ---------------------------------------------------------------- checking a definition

def check_definition(definition) -> dict:
    """A definition made tidy (defaults filled, choices stripped) or an error naming the field.

    :param definition: ``{"fields": [...], "attachments_note": ""}``
    :returns: a new dict in the same format
    :raises FormError: ``invalid_definition`` with ``param`` = the field's name (or None for the whole)
    """
    if not isinstance(definition, dict) or not isinstance(definition.get("fields"), list):
        raise FormError("invalid_definition", "定義には項目の一覧 (fields) が必要です")
    if not definition["fields"]:
        raise FormError("invalid_definition", "項目を1つ以上入れてください")
    fields, names = [], set()
    for i, raw in enumerate(definition["fields"], start=1):
        if not isinstance(raw, dict):
            raise FormError("invalid_definition", f"{i}番目の項目の形が正しくありません")
        name = str(raw.get("name") or "").strip()
        label = str(raw.get("label") or "").strip()
        who = f"{label or name or f'{i}番目の項目'}"
        if not _NAME.match(name):
            raise FormError("invalid_definition", f"{who}: 項目名は英小文字で始まる英小文字・数字・_ にしてください ({name!r})",
                            param=name or None)
        if name in names:
            raise FormError("invalid_definition", f"{who}: 項目名 {name} が重複しています", param=name)
        names.add(name)
        if not label:
            raise FormError("invalid_definition", f"{name}: 見出し (label) を入力してください", param=name)
        kind = raw.get("kind")
        if kind not in KINDS:
            raise FormError("invalid_definition", f"{label}: 種類 {kind!r} は使えません ({', '.join(KINDS)})", param=name)
        field = {"name": name, "label": label, "label_en": str(raw.get("label_en") or "").strip(), "kind": kind,
                 "required": bool(raw.get("required")), "help": str(raw.get("help") or "").strip()}
        if raw.get("step"):
            field["step"] = str(raw["step"]).strip()
        if kind in ("choice", "multichoice"):
            choices = [str(c).strip() for c in raw.get("choices") or [] if str(c).strip()]
            if not choices:
                raise FormError("invalid_definition", f"{label}: 選択肢を1つ以上入力してください", param=name)
            if len(set(choices)) != len(choices):
                raise FormError("invalid_definition", f"{label}: 選択肢が重複しています", param=name)
            field["choices"] = choices
        for key in ("min", "max", "max_length"):
            if raw.get(key) not in (None, ""):
                try:
                    value = float(raw[key])
                except (TypeError, ValueError):
                    raise FormError("invalid_definition", f"{label}: {key} は数で入力してください", param=name) from None
                field[key] = int(value) if value.is_integer() else value
        if "min" in field and "max" in field and field["min"] > field["max"]:
            raise FormError("invalid_definition", f"{label}: 最小値が最大値より大きくなっています", param=name)
        if raw.get("pattern"):
            try:
                re.compile(raw["pattern"])
            except re.error as exc:
                raise FormError("invalid_definition", f"{label}: 入力の形 (正規表現) が正しくありません: {exc}",
                                param=name) from None
            field["pattern"] = raw["pattern"]
        if kind == "file":
            accept = [a.strip().lower() if a.strip().startswith(".") else "." + a.strip().lower()
                      for a in raw.get("accept") or DEFAULT_ACCEPT if a.strip()]
            unknown = [a for a in accept if a not in FILE_TYPES]
            if unknown:
                raise FormError("invalid_definition",
                                f"{label}: 受け付けられないファイルの種類です: {', '.join(unknown)} (使えるのは .pdf .jpg .png)",
                                param=name)
            field["accept"] = accept or list(DEFAULT_ACCEPT)
            try:
                size = float(raw.get("max_size_mb") or DEFAULT_MAX_SIZE_MB)
            except (TypeError, ValueError):
                size = -1
            if not 0 < size <= 50:
                raise FormError("invalid_definition", f"{label}: ファイルの大きさの上限は 0 より大きく 50 MB 以下にしてください",
                                param=name)
            field["max_size_mb"] = int(size) if size.is_integer() else size
        if raw.get("show_if"):
            cond = raw["show_if"]
            if not isinstance(cond, dict) or not cond.get("field"):
                raise FormError("invalid_definition", f"{label}: 表示の条件には項目名と値が必要です", param=name)
            field["show_if"] = {"field": str(cond["field"]), "equals": cond.get("equals", "")}
        fields.append(field)
    by_name = {f["name"]: f for f in fields}
    for field in fields:
        cond = field.get("show_if")
        if not cond:
            continue
        if cond["field"] == field["name"] or cond["field"] not in by_name:
            raise FormError("invalid_definition",
                            f"{field['label']}: 表示の条件の項目 {cond['field']!r} がこのフォームにありません", param=field["name"])
        if by_name[cond["field"]]["kind"] == "file":
            raise FormError("invalid_definition", f"{field['label']}: ファイルの項目は表示の条件に使えません",
                            param=field["name"])
    for field in fields:  # no cycles through show_if
        seen, cur = {field["name"]}, field
        while cur.get("show_if"):
            cur = by_name[cur["show_if"]["field"]]
            if cur["name"] in seen:
                raise FormError("invalid_definition", f"{field['label']}: 表示の条件が循環しています", param=field["name"])
            seen.add(cur["name"])
    return {"fields": fields, "attachments_note": str(definition.get("attachments_note") or "").strip()}


def fields_of(version_or_definition) -> list[dict]:
    """The FieldDefs of a ``FormVersion`` (or of a definition dict)."""
    definition = getattr(version_or_definition, "definition", version_or_definition) or {}
    return list(definition.get("fields") or [])


# ---------------------------------------------------------------- JSON Schema

def _property(field: dict) -> dict:
    kind = field["kind"]
    prop: dict = {"title": field["label"]}
    if field.get("help"):
        prop["description"] = field["help"]
    if kind == "number":
        prop["type"] = "number"
        if "min" in field:
            prop["minimum"] = field["min"]
        if "max" in field:
            prop["maximum"] = field["max"]
    elif kind == "checkbox":
        prop["type"] = "boolean"
    elif kind == "choice":
        prop.update(type="string", enum=list(field["choices"]))
    elif kind == "multichoice":
        prop.update(type="array", items={"type": "string", "enum": list(field["choices"])}, uniqueItems=True)
        if field.get("required"):
            prop["minItems"] = 1
    elif kind == "file":
        types = sorted({FILE_TYPES[a][0] for a in field["accept"]})
        prop.update(type="string", contentMediaType=types[0] if len(types) == 1 else "application/octet-stream")
        prop["x-madoguchi-accept"] = list(field["accept"])
        prop["x-madoguchi-media-types"] = types
        prop["x-madoguchi-max-size-mb"] = field["max_size_mb"]
    else:
        prop["type"] = "string"
        if kind == "date":
            prop["format"] = "date"
        elif kind == "email":
            prop["format"] = "email"
        elif kind == "postal_code":
            prop["pattern"] = POSTAL_PATTERN
        elif kind == "phone":
            prop["pattern"] = PHONE_PATTERN
        if field.get("required"):
            prop["minLength"] = 1
        if "max_length" in field:
            prop["maxLength"] = int(field["max_length"])
        if field.get("pattern") and kind in ("text", "textarea", "address"):
            prop["pattern"] = field["pattern"]
    if field.get("label_en"):
        prop["x-madoguchi-title-en"] = field["label_en"]
    if field.get("step"):
        prop["x-madoguchi-step"] = field["step"]
    return prop


def schema_of(definition: dict, *, title: str = "", schema_id: str | None = None) -> dict:
    """JSON Schema 2020-12 of the answers to a definition (the values ``clean_data`` returns:
    numbers as numbers, dates as ISO strings, checkboxes as booleans, multichoice as arrays, files by name).
    Conditional fields are required only under ``allOf: [{if: {…const…}, then: {required: […]}}]``."""
    fields = fields_of(definition)
    schema: dict = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    if schema_id:
        schema["$id"] = schema_id
    if title:
        schema["title"] = title
    schema.update(type="object", properties={f["name"]: _property(f) for f in fields}, additionalProperties=False)
    schema["required"] = [f["name"] for f in fields if f["required"] and not f.get("show_if")]
    conditions: dict[tuple, list[str]] = {}
    for f in fields:
        if f.get("show_if") and f["required"]:
            cond = f["show_if"]
            conditions.setdefault((cond["field"], _json_key(cond["equals"])), []).append(f["name"])
    by_name = {f["name"]: f for f in fields}
    if conditions:
        schema["allOf"] = []
        for (name, _), required in conditions.items():
            equals = by_name[required[0]]["show_if"]["equals"]
            ctrl = by_name[name]
            if ctrl["kind"] == "multichoice":
                test = {"contains": {"const": equals}}
            else:
                test = {"const": _typed_equals(ctrl, equals)}
            schema["allOf"].append({"if": {"properties": {name: test}, "required": [name]},
                                    "then": {"required": required}})
    return schema


def _json_key(value) -> str:
    return repr(value)


def _typed_equals(ctrl: dict, equals):
    if ctrl["kind"] == "checkbox":
        return _truthy(equals)
    if ctrl["kind"] == "number":
        try:
            number = float(equals)
            return int(number) if number.is_integer() else number
        except (TypeError, ValueError):
            return equals
    return equals


def _truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE
