"""The one error of the shelters service.

``ShelterError(code, message, param=…, status=…)``: ``code`` is a stable machine
code (``invalid_parameter``, ``not_found``, ``source_unavailable``), ``param`` the
request parameter at fault, ``status`` the HTTP status the API answers with.
"""

from __future__ import annotations


class ShelterError(Exception):
    def __init__(self, code: str, message: str, *, param: str | None = None, status: int = 400):
        self.code, self.message, self.param, self.status = code, message, param, status
        super().__init__(f"{param}: {message}" if param else message)

    def as_body(self) -> dict:
        """The API error body (``madoguchi.schemas.ErrorOut``)."""
        return {"ok": False, "error": {"code": self.code, "param": self.param, "message": self.message}}
