"""CKAN Action API errors: each maps to CKAN's ``error.__type`` and HTTP status.

    CkanError
     ├── BadRequest      400 "Bad request"
     ├── NotAuthorized   403 "Authorization Error"
     ├── NotFound        404 "Not Found Error"
     └── ValidationError 409 "Validation Error"  (field → [messages])
"""

from __future__ import annotations


class CkanError(Exception):
    status = 500
    type = "Internal Server Error"

    def __init__(self, message: str = "", **fields):
        self.message, self.fields = message, fields
        super().__init__(message)

    def as_dict(self) -> dict:
        body = {"__type": self.type, "message": self.message}
        body.update({k: v if isinstance(v, list) else [v] for k, v in self.fields.items()})
        return body


class BadRequest(CkanError):
    status, type = 400, "Bad request"


class NotAuthorized(CkanError):
    status, type = 403, "Authorization Error"


class NotFound(CkanError):
    status, type = 404, "Not Found Error"


class ValidationError(CkanError):
    status, type = 409, "Validation Error"
