"""The one error of the bulky-waste service.

``BulkyError(code, message, param=…)``: ``code`` is ``invalid_parameter`` (400), ``not_found`` (404),
``full`` (409: the day has no capacity left), ``ticket_used`` (409: a 処理券 number was used before),
``too_late`` (409: after the cut-off), ``conflict`` (409).
"""

from __future__ import annotations

from madoguchi.errors import ServiceError


class BulkyError(ServiceError):
    STATUS = {"full": 409, "ticket_used": 409, "too_late": 409}
