"""The one error of the forms service.

``FormError(code, message, param=None)``: ``code`` is ``not_found`` (404), ``form_closed`` (409),
``invalid_definition`` (400, ``param`` names the field) or ``invalid_parameter`` (400).
"""

from __future__ import annotations

from madoguchi.errors import ServiceError


class FormError(ServiceError):
    STATUS = {"not_found": 404, "form_closed": 409, "invalid_definition": 400, "invalid_parameter": 400}
