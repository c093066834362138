"""Read-only SQL over published resources (CKAN ``datastore_search_sql``).

Two independent locks, so a mistake in one is caught by the other:

1. **Parse check** (DuckDB's own parser): exactly one statement, of type
   SELECT; no table functions (``read_csv``, ``read_parquet``, ``glob`` …);
   no scalar functions that reveal settings or files; every table named is
   the id of a *published, public* resource (or a CTE of the query).
2. **Sandboxed engine**: a fresh in-memory DuckDB connection in which only
   those resources are registered (as Arrow datasets), then
   ``enable_external_access=false`` and ``lock_configuration=true``: no file,
   network, extension or setting can be touched even if step 1 missed it.

Limits: ``SQL_TIME_LIMIT_MS`` (the query is interrupted), ``SQL_MAX_ROWS``
(more rows set ``records_truncated``), DuckDB memory limit and threads from settings.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

import duckdb
import pyarrow.dataset as pads
from django.conf import settings

from . import snapshots
from .query import jsonable

SQL_TIME_LIMIT_MS = 5000
SQL_MAX_ROWS = 10000
DENIED_FUNCTIONS = {
    "current_setting", "getenv", "read_text", "read_blob", "read_csv", "read_csv_auto", "read_json",
    "read_json_auto", "read_parquet", "parquet_scan", "glob", "query", "query_table", "sniff_csv",
    "current_database", "current_schema", "current_schemas", "version", "pragma_version",
}


class SqlError(Exception):
    """The SQL was rejected or failed; ``message`` says why, in words for the caller."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class SqlResult:
    fields: list[dict]
    records: list[dict]
    truncated: bool


def _walk(node, tables: set, ctes: set, functions: set) -> None:
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "BASE_TABLE":
            if node.get("schema_name") or node.get("catalog_name"):
                raise SqlError(f"スキーマ・カタログ付きの表名は使えません: {node.get('catalog_name')}.{node.get('schema_name')}")
            tables.add(node.get("table_name"))
        elif kind == "TABLE_FUNCTION":
            fn = (node.get("function") or {}).get("function_name", "?")
            raise SqlError(f"表関数 {fn}() は使えません。リソース ID を表名にしてください (table functions are not allowed)")
        if node.get("class") == "FUNCTION" and node.get("function_name"):
            functions.add(node["function_name"].lower())
        cte_map = node.get("cte_map")
        if isinstance(cte_map, dict):
            for entry in cte_map.get("map", []):
                if isinstance(entry, dict) and entry.get("key"):
                    ctes.add(entry["key"])
        for value in node.values():
            _walk(value, tables, ctes, functions)
    elif isinstance(node, list):
        for item in node:
            _walk(item, tables, ctes, functions)


def referenced_tables(sql: str) -> set[str]:
    """Check ``sql`` (see module docstring, step 1) and return the table names it reads.

    :raises SqlError: not exactly one SELECT, a table function, a denied function
    """
    if not sql or not sql.strip():
        raise SqlError("SQL が空です")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise SqlError(f"SQL の構文エラー: {exc}") from None
    if len(statements) != 1:
        raise SqlError(f"SQL 文は 1 つだけにしてください ({len(statements)} 個あります)")
    kind = str(statements[0].type).split(".")[-1]
    if kind != "SELECT":
        raise SqlError(f"SELECT 文だけが使えます ({kind} は使えません)")
    with duckdb.connect() as con:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])
    if tree.get("error"):
        raise SqlError(f"SQL を解釈できません: {tree.get('error_message')}")
    tables: set[str] = set()
    ctes: set[str] = set()
    functions: set[str] = set()
    _walk(tree["statements"], tables, ctes, functions)
    denied = sorted(functions & DENIED_FUNCTIONS) + sorted(f for f in functions if f.startswith(("duckdb_", "pragma_")))
    if denied:
        raise SqlError(f"関数 {', '.join(denied)} は使えません")
    return tables - ctes


def run_sql(sql: str, versions: dict[str, object], *, time_limit_ms: int = SQL_TIME_LIMIT_MS,
            max_rows: int = SQL_MAX_ROWS) -> SqlResult:
    """Run a checked SELECT in the sandbox (module docstring, step 2).

    :param versions: table name (resource id) → published ``ResourceVersion`` with a table
    :raises SqlError: on timeout ("時間切れ"), DuckDB errors (message passed on)
    """
    con = duckdb.connect(config={"threads": settings.DATASTORE_QUERY_THREADS,
                                 "memory_limit": f"{settings.DATASTORE_QUERY_MEMORY_LIMIT_MB}MB",
                                 "autoinstall_known_extensions": False, "autoload_known_extensions": False})
    timer = threading.Timer(time_limit_ms / 1000, con.interrupt)
    try:
        for name, version in versions.items():
            # the Arrow dataset reads the snapshot lazily; the view named after the
            # resource id hides the internal _search column
            con.register(f"__snapshot_{name}", pads.dataset(snapshots.local_path(version.snapshot_path)))
            con.execute(f"CREATE TEMP VIEW {_q(name)} AS SELECT * EXCLUDE (_search) FROM {_q('__snapshot_' + name)}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        timer.start()
        try:
            cursor = con.execute(sql)
            names = [d[0] for d in cursor.description]
            kinds = [str(d[1]) for d in cursor.description]
            rows = cursor.fetchmany(max_rows + 1)
        except duckdb.InterruptException:
            raise SqlError(f"時間切れです ({time_limit_ms} ms を超えました)") from None
        except duckdb.Error as exc:
            raise SqlError(str(exc).split("\n")[0]) from None
    finally:
        timer.cancel()
        con.close()
    truncated = len(rows) > max_rows
    return SqlResult(fields=[{"id": n, "type": k} for n, k in zip(names, kinds)],
                     records=[{n: jsonable(v) for n, v in zip(names, row)} for row in rows[:max_rows]],
                     truncated=truncated)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
