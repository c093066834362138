"""The one error type of the reservations services.

``ReservationError(code, message, param=None)``: ``code`` is a stable machine
code (the API's ``error.code``), ``message`` is Japanese text for people,
``param`` names the input at fault. ``status`` is the HTTP status pages and the
API answer with (400 unless the code says otherwise).
"""

from __future__ import annotations

from madoguchi.errors import ServiceError


class ReservationError(ServiceError):
    """A rule of the reservation system refused the request; nothing was written.

    Codes and statuses: ``madoguchi.errors.ERROR_CODES`` (``already_booked`` 409, ``not_found`` 404,
    ``forbidden`` 403, ``login_required`` 401; any other code 400).
    """

    def __str__(self) -> str:
        return self.message
