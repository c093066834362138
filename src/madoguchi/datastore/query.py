"""Read-only queries over published snapshots with DuckDB.

Every identifier that reaches SQL is checked against the version's columns and
quoted; every value is a bound parameter. Connections are per thread, with
the thread count and memory limit from settings.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import threading
import unicodedata
from collections import OrderedDict

import duckdb
from django.conf import settings

from madoguchi.text import search_terms
from madoguchi.wareki import WarekiError, parse_date

from . import snapshots
from .errors import QueryError

_local = threading.local()
MAX_OFFSET = 2**63 - 1
_SORT_ITEM = re.compile(r"^\s*(?P<col>.+?)(?:\s+(?P<dir>asc|desc))?\s*$", re.IGNORECASE)


def connection() -> duckdb.DuckDBPyConnection:
    """This thread's DuckDB connection (in-memory, limited threads and memory)."""
    con = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect(config={
            "threads": settings.DATASTORE_QUERY_THREADS,
            "memory_limit": f"{settings.DATASTORE_QUERY_MEMORY_LIMIT_MB}MB",
            "autoinstall_known_extensions": False, "autoload_known_extensions": False,
        })
        con.execute("SET parquet_metadata_cache = true")  # snapshots are immutable
        _local.con = con
    return con


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _source(version) -> str:
    path = str(snapshots.local_path(version.snapshot_path)).replace("'", "''")
    return f"read_parquet('{path}')"


def column_types(version) -> dict[str, str]:
    """``{name: frictionless type}`` for ``_id`` and the data columns, in order."""
    types = {"_id": "integer"}
    types.update({c["name"]: c["type"] for c in version.columns})
    return types


def _convert(value, kind: str, column: str):
    if isinstance(value, (list, dict)) or value is None:
        raise QueryError("filters", f"列「{column}」の値が不正です: {value!r}")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    try:
        if kind == "integer":
            return int(text.replace(",", ""))
        if kind == "number":
            number = float(text.replace(",", ""))
            if not math.isfinite(number):
                raise ValueError
            return number
        if kind == "boolean":
            if text.lower() in ("true", "1", "yes"):
                return True
            if text.lower() in ("false", "0", "no"):
                return False
            raise ValueError
        if kind == "date":
            try:
                parsed = parse_date(text)
            except WarekiError as e:
                raise QueryError("filters", f"列「{column}」({kind}) の値として読めません: {value!r}（{e.reason}）") from None
            if parsed is None:
                raise ValueError
            return parsed
        if kind == "datetime":
            return dt.datetime.fromisoformat(text)
        if kind == "time":
            return dt.time.fromisoformat(text)
    except ValueError:
        raise QueryError("filters", f"列「{column}」({kind}) の値として読めません: {value!r}") from None
    return unicodedata.normalize("NFC", str(value))


def parse_filters(raw, types: dict[str, str]) -> dict[str, list]:
    """Validate ``filters``: a dict (or its JSON text) of column → value or list of values."""
    if raw in (None, "", {}):
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise QueryError("filters", f'JSON オブジェクトで指定してください (例 {{"区":"中央区"}}): {exc.msg}') from None
    if not isinstance(raw, dict):
        raise QueryError("filters", 'JSON オブジェクトで指定してください (例 {"区":"中央区"})')
    out = {}
    for column, value in raw.items():
        if column not in types:
            raise QueryError("filters", f"列「{column}」はありません")
        values = value if isinstance(value, list) else [value]
        if not values:
            raise QueryError("filters", f"列「{column}」の値が空です")
        out[column] = [_convert(v, types[column], column) for v in values]
    return out


def parse_sort(raw: str | None, types: dict[str, str]) -> list[tuple[str, str]]:
    """Validate ``sort``: ``"col [asc|desc], col2 …"`` (CKAN syntax)."""
    if not raw:
        return [("_id", "ASC")]
    out = []
    for item in raw.split(","):
        m = _SORT_ITEM.match(item)
        col = m["col"].strip().strip('"') if m else ""
        if col not in types:
            raise QueryError("sort", f"列「{col or item}」はありません")
        out.append((col, (m["dir"] or "asc").upper()))
    return out


def parse_fields(raw, types: dict[str, str]) -> list[str]:
    """Validate ``fields``: comma-separated text or a list of column names."""
    if raw in (None, "", []):
        return list(types)
    names = [f.strip() for f in raw.split(",")] if isinstance(raw, str) else list(raw)
    for name in names:
        if name not in types:
            raise QueryError("fields", f"列「{name}」はありません")
    return names


def parse_limit(limit, offset) -> tuple[int, int]:
    max_rows = settings.DATASTORE_MAX_LIMIT_ROWS
    try:
        limit = settings.DATASTORE_DEFAULT_LIMIT_ROWS if limit in (None, "") else int(limit)
    except (TypeError, ValueError):
        raise QueryError("limit", "整数で指定してください") from None
    try:
        offset = 0 if offset in (None, "") else int(offset)
    except (TypeError, ValueError):
        raise QueryError("offset", "整数で指定してください") from None
    if not 0 <= limit <= max_rows:
        raise QueryError("limit", f"0 以上 {max_rows} 以下で指定してください")
    if not 0 <= offset <= MAX_OFFSET:
        raise QueryError("offset", f"0 以上 {MAX_OFFSET} 以下で指定してください")
    return limit, offset


def jsonable(value):
    """A DuckDB result value as JSON: dates/times in ISO 8601, non-finite floats as null."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


#: Results of queries on immutable snapshots, per process: (snapshot, params) → result.
#: A snapshot never changes, so an entry never goes stale; the size bounds memory.
RESULT_CACHE_ENTRIES = 512
_cache: "OrderedDict[tuple, dict]" = OrderedDict()
_cache_lock = threading.Lock()


def search(version, **params) -> dict:
    """Cached front of ``_search`` (same parameters and result; see there).

    The key is the snapshot path and the parameters as given, so a repeated
    query on a published version costs one dictionary lookup.
    """
    try:
        key = (version.snapshot_path, json.dumps(params, sort_keys=True, default=str, ensure_ascii=False))
    except TypeError:
        return _search(version, **params)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    result = _search(version, **params)
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > RESULT_CACHE_ENTRIES:
            _cache.popitem(last=False)
    return result


def _where(types: dict[str, str], filters, q) -> tuple[list[str], list]:
    """SQL conditions and parameters of ``filters`` and ``q`` (see ``_search``); the one place they are read."""
    flt = parse_filters(filters, types)
    where, params = [], []
    for column, values in flt.items():
        if len(values) == 1:
            where.append(f"{quote(column)} = ?")
        else:
            where.append(f"{quote(column)} IN ({', '.join('?' * len(values))})")
        params.extend(values)
    if isinstance(q, dict):
        for column, text in q.items():
            if column not in types:
                raise QueryError("q", f"列「{column}」はありません")
            for term in search_terms(str(text)):
                where.append(f"lower(nfc_normalize(CAST({quote(column)} AS VARCHAR))) LIKE ? ESCAPE '\\'")
                params.append(_like(term))
    else:
        for term in search_terms(q):
            where.append("_search LIKE ? ESCAPE '\\'")
            params.append(_like(term))
    return where, params


def _order_sql(order: list[tuple[str, str]]) -> str:
    sql = ", ".join(f"{quote(c)} {d} NULLS LAST" for c, d in order)
    return sql if order[-1][0] == "_id" else sql + ", _id"


def filtered_table(version, *, filters=None, q: str | dict | None = None, sort: str | None = None):
    """Every row of ``version`` that the same ``filters``, ``q`` and ``sort`` as ``search`` select, without
    paging, as an Arrow table (``_id`` first, no ``_search``): the filtered downloads.

    :raises QueryError: as ``search``
    """
    if not version.snapshot_path:
        raise QueryError("resource_id", "このリソースには表データがありません (not tabular)")
    types = column_types(version)
    where, params = _where(types, filters, q)
    where_sql = f" WHERE {' AND '.join(where)}" if where else ""
    select = ", ".join(quote(c) for c in types)
    sql = f"SELECT {select} FROM {_source(version)}{where_sql} ORDER BY {_order_sql(parse_sort(sort, types))}"
    cursor = connection().cursor()  # its own result: the thread's connection may hold another one
    try:
        return cursor.sql(sql, params=params).to_arrow_table()
    finally:
        cursor.close()


def _search(version, *, filters=None, q: str | dict | None = None, sort: str | None = None, limit=None, offset=None,
           fields=None, include_total: bool = True, distinct: bool = False, after_id: int | None = None) -> dict:
    """Query the table of ``version``.

    :param filters: ``{column: value | [values]}`` (or its JSON text); equality, values
        converted to the column type (和暦 accepted for dates)
    :param q: full-text: every term must appear in some cell (kana/width/case folded)
    :param sort: ``"col [asc|desc], …"``, default ``_id``
    :param limit: rows, 0..``DATASTORE_MAX_LIMIT_ROWS`` (default 100); ``offset`` ≥ 0
    :param fields: columns to return, default all (``_id`` first)
    :param distinct: return distinct rows of ``fields`` (CKAN ``distinct``)
    :param after_id: keyset paging: only rows with ``_id`` greater than this (with the default sort)
    :returns: ``{"fields": [{"id", "type"}], "records": [dict], "total": int | None,
        "limit": int, "offset": int}``
    :raises QueryError: naming the parameter at fault (→ HTTP 400)
    """
    if not version.snapshot_path:
        raise QueryError("resource_id", "このリソースには表データがありません (not tabular)")
    types = column_types(version)
    wanted = parse_fields(fields, types)
    order = parse_sort(sort, types)
    limit, offset = parse_limit(limit, offset)
    where, params = _where(types, filters, q)
    if after_id is not None:
        where.append("_id > ?")
        params.append(int(after_id))
    where_sql = f" WHERE {' AND '.join(where)}" if where else ""
    order_sql = _order_sql(order)
    src = _source(version)
    con = connection()
    select = ", ".join(quote(c) for c in wanted)
    if distinct:
        order_sql = ", ".join(f"{quote(c)} {d} NULLS LAST" for c, d in order if c in wanted) or "1"
        inner = f"SELECT DISTINCT {select} FROM {src}{where_sql}"
        sql = f"SELECT * FROM ({inner}) ORDER BY {order_sql} LIMIT ? OFFSET ?"
    else:
        sql = f"SELECT {select} FROM {src}{where_sql} ORDER BY {order_sql} LIMIT ? OFFSET ?"
    rows = con.execute(sql, params + [limit, offset]).fetchall()
    total = None
    if include_total:
        if not where and not distinct and version.row_count is not None:
            total = version.row_count
        elif distinct:
            total = con.execute(f"SELECT count(*) FROM ({inner})", params).fetchone()[0]
        else:
            total = con.execute(f"SELECT count(*) FROM {src}{where_sql}", params).fetchone()[0]
    return {
        "fields": [{"id": c, "type": types[c]} for c in wanted],
        "records": [{c: jsonable(v) for c, v in zip(wanted, row)} for row in rows],
        "total": total, "limit": limit, "offset": offset,
    }
