"""Errors raised by the datastore.

    DatastoreError
     ├── IngestError   a file cannot be read; names file, row, column where known
     └── QueryError    a records query is invalid; names the parameter (→ HTTP 400)
"""

from __future__ import annotations


class DatastoreError(Exception):
    """Base class for datastore errors."""


class IngestError(DatastoreError):
    """A file could not be ingested. Nothing was published.

    :param message: what is wrong, in words a city clerk understands (Japanese first)
    :param file: the file name as uploaded
    :param row: 1-based row in the file (CSV line of the record, sheet row), if known
    :param column: column name or 1-based index, if known
    :param code: stable machine code, e.g. ``encoding``, ``empty``, ``not_xlsx``
    """

    def __init__(self, message: str, *, file: str = "", row: int | None = None,
                 column: str | int | None = None, code: str = "unreadable"):
        self.message, self.file, self.row, self.column, self.code = message, file, row, column, code
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.row is not None:
            where.append(f"{self.row}行目")
        if self.column is not None:
            where.append(f"列 {self.column}")
        return f"{' '.join(where)}: {self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "file": self.file,
                "row": self.row, "column": self.column, "text": str(self)}


class QueryError(DatastoreError):
    """A records query parameter is invalid.

    :param param: the query parameter at fault (``filters``, ``sort``, ``limit`` …)
    :param message: what is wrong with it
    """

    def __init__(self, param: str, message: str):
        self.param, self.message = param, message
        super().__init__(f"{param}: {message}")
