"""The one error of the garbage-sorting service.

``GarbageError(code, message, param=…, status=…)``: ``code`` is a stable machine
code (``invalid_parameter``, ``not_found``, ``source_unavailable``), ``param`` the
request parameter at fault, ``status`` the HTTP status the API answers with.
"""

from __future__ import annotations

from madoguchi.errors import ServiceError


class GarbageError(ServiceError):
    pass
