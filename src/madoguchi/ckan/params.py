"""Parameter parsing shared by the actions: CKAN accepts JSON types in POST bodies
and strings in GET query strings, so every reader accepts both."""

from __future__ import annotations

import json

from .errors import ValidationError


def as_int(data: dict, key: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    value = data.get(key, default)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{key}: 整数で指定してください", **{key: ["Invalid integer"]}) from None
    if number < minimum or (maximum is not None and number > maximum):
        limit = f"{minimum}〜{maximum}" if maximum is not None else f"{minimum} 以上"
        raise ValidationError(f"{key}: {limit} で指定してください", **{key: [f"Must be {limit}"]})
    return number


def as_bool(data: dict, key: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "on"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "0", "no", "off", ""):
        return False
    if isinstance(value, int):
        return bool(value)
    raise ValidationError(f"{key}: true か false で指定してください", **{key: ["Invalid boolean"]})


def as_json(data: dict, key: str, default=None):
    """A value that may come as JSON text (GET) or as JSON (POST)."""
    value = data.get(key, default)
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"{key}: JSON として読めません ({exc.msg})", **{key: ["Invalid JSON"]}) from None
    return value


def as_list(data: dict, key: str) -> list:
    value = as_json(data, key)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        return value
    raise ValidationError(f"{key}: リストで指定してください", **{key: ["Must be a list"]})


def required(data: dict, key: str):
    value = data.get(key)
    if value in (None, ""):
        raise ValidationError(f"{key} がありません", **{key: ["Missing value"]})
    return value
