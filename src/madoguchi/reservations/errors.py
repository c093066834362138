"""The one error type of the reservations services.

``ReservationError(code, message, param=None)``: ``code`` is a stable machine
code (the API's ``error.code``), ``message`` is Japanese text for people,
``param`` names the input at fault. ``status`` is the HTTP status pages and the
API answer with (400 unless the code says otherwise).
"""

from __future__ import annotations

STATUS = {
    "already_booked": 409,
    "not_found": 404,
    "forbidden": 403,
    "login_required": 401,
}


class ReservationError(Exception):
    """A rule of the reservation system refused the request; nothing was written."""

    def __init__(self, code: str, message: str, param: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.param = param

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)

    def __str__(self) -> str:
        return self.message

    def as_body(self) -> dict:
        """The API's one error body (``madoguchi.schemas.ErrorOut``)."""
        return {"ok": False, "error": {"code": self.code, "param": self.param, "message": self.message}}
