"""Answers to a form version: visibility of conditional fields, validation (JSON Schema with ``jsonschema`` plus
the checks a schema cannot express: real dates incl. 和暦, phone numbers, postal codes that exist, file types by
their first bytes and sizes), cleaning to JSON-safe values, steps and display.

Every error message is in the active language (``gettext``, the app's catalogue ``eforms/locale``) and names the
field's label in it (``label_en`` on an English page, if set). The definition format is in ``definition``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from madoguchi import wareki
from madoguchi.uploads import content_matches

from .definition import (
    DEFAULT_ACCEPT,
    DEFAULT_MAX_SIZE_MB,
    TEXT_LIMIT,
    TEXTAREA_LIMIT,
    _label,
    _truthy,
    schema_of,
)


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
    kind, label, name = field["kind"], _label(field), field["name"]
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
        errors.setdefault(name, []).append(_("%(label)s: 使えない文字が含まれています") % {"label": label})
        return None
    limit = TEXTAREA_LIMIT if kind == "textarea" else TEXT_LIMIT
    if len(text) > limit and not field.get("max_length"):
        errors.setdefault(name, []).append(_("%(label)s: %(limit)s文字以内で入力してください") % {"label": label, "limit": limit})
        return None
    if kind == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return value
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            errors.setdefault(name, []).append(_("%(label)s: 数を半角数字で入力してください") % {"label": label})
            return None
        if not math.isfinite(number):
            errors.setdefault(name, []).append(_("%(label)s: 数を半角数字で入力してください") % {"label": label})
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
            errors.setdefault(name, []).append(_("%(label)s: 日付を 2026-12-05 または 令和8年12月5日 の形で入力してください") % {"label": label})
            return None
        return day.isoformat()
    if kind == "phone":
        digits = _phone_digits(text)
        if digits is None:
            errors.setdefault(name, []).append(_message(field, "pattern", None))
        return digits
    if kind == "postal_code":
        digits = re.sub(r"[\s〒\-‐－−ー]", "", text)
        return f"{digits[:3]}-{digits[3:]}" if re.fullmatch(r"\d{7}", digits) else text
    return text


def _phone_digits(text: str) -> str | None:
    """A Japanese phone number as digits (``044-200-1234``, ``+81 44 200 1234`` → ``0442001234``) when
    ``phonenumbers`` (Google's numbering plan data, as the datastore's phone cells use) knows it as a valid
    number of Japan; ``None`` otherwise (the schema's ``pattern`` only says the shape)."""
    import phonenumbers

    try:
        number = phonenumbers.parse(unicodedata.normalize("NFKC", text), "JP")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 81 or not phonenumbers.is_valid_number(number):
        return None
    return "0" + phonenumbers.national_significant_number(number)


def _message(field: dict, validator: str, error) -> str:
    """The message of a failed check, in the active language, naming the field's label in that language."""
    label, kind = _label(field), field["kind"]
    v = {"label": label}
    if validator in ("required", "minLength", "minItems"):
        if kind in ("choice", "multichoice"):
            return _("%(label)s: 選んでください") % v
        if kind == "checkbox":
            return _("%(label)s: チェックを入れてください") % v
        if kind == "file":
            return _("%(label)s: ファイルを添付してください") % v
        return _("%(label)s: 入力してください") % v
    if validator == "maxLength":
        return _("%(label)s: %(limit)s文字以内で入力してください") % {"label": label, "limit": error.validator_value}
    if validator in ("minimum", "maximum"):
        lo, hi = field.get("min"), field.get("max")
        if lo is not None and hi is not None:
            return _("%(label)s: %(lo)s 以上 %(hi)s 以下の数を入力してください") % {**v, "lo": lo, "hi": hi}
        if lo is not None:
            return _("%(label)s: %(lo)s 以上の数を入力してください") % {**v, "lo": lo}
        return _("%(label)s: %(hi)s 以下の数を入力してください") % {**v, "hi": hi}
    if validator == "enum":
        return _("%(label)s: 選択肢の中から選んでください") % v
    if validator == "pattern":
        if kind == "postal_code":
            return _("%(label)s: 郵便番号は7けたの数字で入力してください (例 210-0005)") % v
        if kind == "phone":
            return _("%(label)s: 電話番号を 044-200-1234 や 090-1234-5678 の形で入力してください") % v
        return _("%(label)s: 入力の形が正しくありません") % v
    if validator == "format" and kind == "email":
        return _("%(label)s: メールアドレスの形が正しくありません") % v
    if validator == "type":
        if kind == "number":
            return _("%(label)s: 数を半角数字で入力してください") % v
        return _("%(label)s: 入力の形が正しくありません") % v
    return _("%(label)s: 入力が正しくありません") % v


def _check_file(field: dict, upload) -> str | None:
    """Why an uploaded file is refused (type by extension AND first bytes, size), or None."""
    label = _label(field)
    name = getattr(upload, "name", "") or ""
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    accept = field.get("accept") or DEFAULT_ACCEPT
    allowed = " ".join(accept)
    if ext not in accept:
        return _("%(label)s: 添付できるファイルの種類は %(allowed)s です") % {"label": label, "allowed": allowed}
    limit = float(field.get("max_size_mb") or DEFAULT_MAX_SIZE_MB)
    size = getattr(upload, "size", None)
    if size is None or size > limit * 1024 * 1024:
        return (_("%(label)s: ファイルは %(mb)s MB 以下にしてください")
                % {"label": label, "mb": field.get("max_size_mb") or DEFAULT_MAX_SIZE_MB})
    if not content_matches(upload, ext):
        return (_("%(label)s: ファイルの中身が %(ext)s ではありません (%(allowed)s のファイルを添付してください)")
                % {"label": label, "ext": ext, "allowed": allowed})
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
            errors.setdefault(n, []).append(_("%(label)s: 郵便番号 %(code)s は見つかりません")
                                            % {"label": _label(f), "code": instance[n]})
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
