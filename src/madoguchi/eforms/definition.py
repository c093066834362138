"""The definition format of a form version, its JSON Schema and the validation of answers.

``definition = {"fields": [FieldDef, …], "attachments_note": str}``; a FieldDef::

    {"name": "a-z0-9_", "label": "ja", "label_en": "", "kind": KIND, "required": bool, "help": "",
     "choices": [...], "min": n, "max": n, "max_length": n, "pattern": "regex",
     "accept": [".pdf", ".jpg", ".png"], "max_size_mb": 5,
     "show_if": {"field": "name", "equals": "value"}, "step": "step title"}

A field whose ``show_if`` is not met is hidden: never required, ignored by ``validate`` and dropped
by ``clean_data``. Every error message names the field's label (Japanese).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from madoguchi import wareki

from .errors import FormError

KINDS = ("text", "textarea", "number", "date", "choice", "multichoice", "checkbox", "address", "postal_code",
         "phone", "email", "file")
#: file types a form may accept: extension → (media type, signature of the first bytes)
FILE_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
DEFAULT_ACCEPT = [".pdf", ".jpg", ".png"]
DEFAULT_MAX_SIZE_MB = 5
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
POSTAL_PATTERN = r"^[0-9]{3}-?[0-9]{4}$"
#: Japanese phone numbers once spaces, hyphens and brackets are gone (``+81`` is read as ``0``): 11 digits for
#: mobiles, IP phones and 0800 (070/080/090/060/050, 0800); 10 digits for fixed lines, 0120 and 0570
PHONE_PATTERN = r"^(0[5-9]0[0-9]{8}|0800[0-9]{7}|0[0-9]{9})$"
_PHONE_STRIP = re.compile(r"[\s\-‐－−ー()（）]")
DATE_MESSAGE = "日付を 2026-12-05 または 令和8年12月5日 の形で入力してください"
_TRUE = {"true", "on", "1", "yes", "はい"}
#: the longest answer a field without ``max_length`` takes (characters)
TEXT_LIMIT, TEXTAREA_LIMIT = 1000, 20000


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


# ---------------------------------------------------------------- answers

def _truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE


def _raw(data, name: str, kind: str):
    """The answer to a field from a dict or a QueryDict: a list for multichoice, else one value."""
    if kind == "multichoice":
        if hasattr(data, "getlist"):
            return [v for v in data.getlist(name) if str(v).strip()]
        value = data.get(name)
        if value in (None, ""):
            return []
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    value = data.get(name)
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).strip() if kind not in ("textarea", "text", "address") \
            else value.strip()
    return value


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value is False


def visible_names(fields: list[dict], data) -> set[str]:
    """Names of the fields shown for these answers (show_if met, and its controlling field shown)."""
    by_name = {f["name"]: f for f in fields}
    memo: dict[str, bool] = {}

    def shown(f: dict) -> bool:
        if f["name"] in memo:
            return memo[f["name"]]
        memo[f["name"]] = False
        cond = f.get("show_if")
        if not cond:
            result = True
        else:
            ctrl = by_name.get(cond["field"])
            result = ctrl is not None and shown(ctrl) and _matches(ctrl, _raw(data, ctrl["name"], ctrl["kind"]),
                                                                   cond["equals"])
        memo[f["name"]] = result
        return result

    return {f["name"] for f in fields if shown(f)}


def _matches(ctrl: dict, value, equals) -> bool:
    if ctrl["kind"] == "checkbox":
        return _truthy(value) == _truthy(equals)
    if ctrl["kind"] == "multichoice":
        return str(equals) in [str(v) for v in value]
    if value is None:
        return False
    if ctrl["kind"] == "number":
        try:
            return float(str(value)) == float(str(equals))
        except ValueError:
            return False
    return str(value).strip() == str(equals).strip()


def _coerce(field: dict, value, errors: dict):
    """(value for the JSON instance, or None when empty); format errors go to ``errors``."""
    kind, label, name = field["kind"], field["label"], field["name"]
    if kind == "checkbox":
        return True if _truthy(value) else None
    if kind == "multichoice":
        return value or None
    if _empty(value):
        return None
    if kind == "file":
        return getattr(value, "name", None) or str(value)
    text = str(value)
    if "\x00" in text:
        errors.setdefault(name, []).append(f"{label}: 使えない文字が含まれています")
        return None
    limit = TEXTAREA_LIMIT if kind == "textarea" else TEXT_LIMIT
    if len(text) > limit and not field.get("max_length"):
        errors.setdefault(name, []).append(f"{label}: {limit}文字以内で入力してください")
        return None
    if kind == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return value
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            errors.setdefault(name, []).append(f"{label}: 数を半角数字で入力してください")
            return None
        if not math.isfinite(number):
            errors.setdefault(name, []).append(f"{label}: 数を半角数字で入力してください")
            return None
        return int(number) if number.is_integer() else number
    if kind == "date":
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            day = wareki.parse_day(text)  # a whole date, not a year-month
        except wareki.WarekiError:
            day = None
        if day is None:
            errors.setdefault(name, []).append(f"{label}: {DATE_MESSAGE}")
            return None
        return day.isoformat()
    if kind == "phone":
        digits = _PHONE_STRIP.sub("", text)
        if digits.startswith("+81"):
            digits = "0" + digits[3:].lstrip("0")
        return digits
    if kind == "postal_code":
        digits = re.sub(r"[\s〒\-‐－−ー]", "", text)
        return f"{digits[:3]}-{digits[3:]}" if re.fullmatch(r"\d{7}", digits) else text
    return text


def _message(field: dict, validator: str, error) -> str:
    label, kind = field["label"], field["kind"]
    if validator in ("required", "minLength", "minItems"):
        if kind in ("choice", "multichoice"):
            return f"{label}: 選んでください"
        if kind == "checkbox":
            return f"{label}: チェックを入れてください"
        if kind == "file":
            return f"{label}: ファイルを添付してください"
        return f"{label}: 入力してください"
    if validator == "maxLength":
        return f"{label}: {error.validator_value}文字以内で入力してください"
    if validator in ("minimum", "maximum"):
        lo, hi = field.get("min"), field.get("max")
        if lo is not None and hi is not None:
            return f"{label}: {lo} 以上 {hi} 以下の数を入力してください"
        return f"{label}: {lo} 以上の数を入力してください" if lo is not None else f"{label}: {hi} 以下の数を入力してください"
    if validator == "enum":
        return f"{label}: 選択肢の中から選んでください"
    if validator == "pattern":
        if kind == "postal_code":
            return f"{label}: 郵便番号は7けたの数字で入力してください (例 210-0005)"
        if kind == "phone":
            return f"{label}: 電話番号を 044-200-1234 や 090-1234-5678 の形で入力してください"
        return f"{label}: 入力の形が正しくありません"
    if validator == "format" and kind == "email":
        return f"{label}: メールアドレスの形が正しくありません"
    if validator == "type":
        return f"{label}: 数を半角数字で入力してください" if kind == "number" else f"{label}: 入力の形が正しくありません"
    return f"{label}: 入力が正しくありません"


def _check_file(field: dict, upload) -> str | None:
    """Why an uploaded file is refused (type by extension AND first bytes, size), or None."""
    label = field["label"]
    name = getattr(upload, "name", "") or ""
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    accept = field.get("accept") or DEFAULT_ACCEPT
    allowed = " ".join(accept)
    if ext not in accept:
        return f"{label}: 添付できるファイルの種類は {allowed} です"
    limit = float(field.get("max_size_mb") or DEFAULT_MAX_SIZE_MB)
    size = getattr(upload, "size", None)
    if size is None or size > limit * 1024 * 1024:
        return f"{label}: ファイルは {field.get('max_size_mb') or DEFAULT_MAX_SIZE_MB} MB 以下にしてください"
    try:
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
    except (AttributeError, OSError):
        head = b""
    if not any(head.startswith(sig) for sig in FILE_TYPES[ext][1]):
        return f"{label}: ファイルの中身が {ext} ではありません ({allowed} のファイルを添付してください)"
    return None


def validate_fields(fields: list[dict], data, files=None, *, only: set[str] | None = None,
                    check_postal=None) -> dict[str, list[str]]:
    """Errors of the answers to ``fields`` (see ``services.validate``); ``only`` limits the checked fields
    (one step of a multi-step form) while show_if still reads every answer in ``data``.

    :param check_postal: ``code → bool`` (known?); None skips the existence check
    """
    from jsonschema import Draft202012Validator

    files = files or {}
    errors: dict[str, list[str]] = {}
    shown = visible_names(fields, data)
    checked = [f for f in fields if f["name"] in shown and (only is None or f["name"] in only)]
    instance = {}
    for f in checked:
        value = files.get(f["name"]) if f["kind"] == "file" else _raw(data, f["name"], f["kind"])
        if f["kind"] == "file" and value is None:
            value = _raw(data, f["name"], "text")  # a file already stored in an earlier step, by name
        coerced = _coerce(f, value, errors)
        if coerced is not None:
            instance[f["name"]] = coerced
    # the schema of the checked fields, all of them shown: a shown field's "required" is unconditional
    sub = [dict(f, show_if=None) for f in checked]
    schema = schema_of({"fields": sub})
    for f in checked:
        if f["kind"] == "file":  # files are checked below, by their bytes
            schema["properties"][f["name"]] = {"type": "string"}
    by_name = {f["name"]: f for f in checked}
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for error in validator.iter_errors(instance):
        if error.validator == "required":
            missing = [n for n in error.validator_value if n not in error.instance]
            for n in missing:
                if n not in errors:
                    errors.setdefault(n, []).append(_message(by_name[n], "required", error))
            continue
        path = list(error.absolute_path)
        if not path or path[0] not in by_name:
            continue
        n = path[0]
        if n in errors and error.validator != "maxLength":
            continue
        message = _message(by_name[n], error.validator, error)
        if message not in errors.get(n, []):
            errors.setdefault(n, []).append(message)
    for f in checked:
        n, kind = f["name"], f["kind"]
        if n in errors or n not in instance:
            continue
        if kind == "email":
            try:
                validate_email(instance[n])
            except ValidationError:
                errors.setdefault(n, []).append(_message(f, "format", None))
        elif kind == "postal_code" and check_postal is not None and not check_postal(instance[n]):
            errors.setdefault(n, []).append(f"{f['label']}: 郵便番号 {instance[n]} は見つかりません")
        elif kind == "file" and n in files:
            problem = _check_file(f, files[n])
            if problem:
                errors.setdefault(n, []).append(problem)
    return errors


def clean_fields(fields: list[dict], data) -> dict:
    """The answers of the shown fields, JSON-safe: numbers, ISO dates, booleans, lists; files by name.
    Empty answers are left out, except checkboxes (False) and multichoice (``[]``)."""
    shown = visible_names(fields, data)
    out: dict = {}
    sink: dict = {}
    for f in fields:
        if f["name"] not in shown:
            continue
        value = _raw(data, f["name"], f["kind"])
        coerced = _coerce(f, value, sink)
        if f["kind"] == "checkbox":
            out[f["name"]] = bool(coerced)
        elif f["kind"] == "multichoice":
            out[f["name"]] = list(coerced or [])
        elif coerced is not None:
            out[f["name"]] = coerced
    return out


def step_groups(fields: list[dict]) -> list[tuple[str, list[dict]]]:
    """Fields grouped by ``step`` in the order each step first appears; a field without a step joins the
    step before it (the first ones: a step titled 「入力」)."""
    groups: dict[str, list[dict]] = {}
    current = None
    for f in fields:
        title = f.get("step") or current or "入力"
        current = title
        groups.setdefault(title, []).append(f)
    return list(groups.items())


def display(field: dict | None, value) -> str:
    """An answer for people: dates as 和暦 with the ISO date, booleans as はい/いいえ, lists joined with 、."""
    if value is None or value == "" or value == []:
        return ""
    kind = field["kind"] if field else "text"
    if kind == "date":
        try:
            return f"{wareki.format_wareki(str(value))} ({value})"
        except ValueError:
            return str(value)
    if kind == "checkbox" or isinstance(value, bool):
        return "はい" if _truthy(value) else "いいえ"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if kind == "postal_code":
        return f"〒{value}"
    if kind == "number" and isinstance(value, (int, float)):
        return f"{value:,}"
    return str(value)
