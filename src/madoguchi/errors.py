"""The error the citizen-service apps raise to their API, and its JSON body.

Every 4xx of ``/api/v1/`` has the body ``{"ok": false, "error": {code, param,
message}}`` (``madoguchi.schemas.ErrorOut``); ``error_body`` builds it.
"""

from __future__ import annotations


def error_body(code: str, message: str, param: str | None = None) -> dict:
    """The API error body (``madoguchi.schemas.ErrorOut``)."""
    return {"ok": False, "error": {"code": code, "param": param, "message": message}}


class ServiceError(Exception):
    """A service request cannot be carried out; nothing was written.

    :param code: stable machine code (``invalid_parameter``, ``not_found`` …)
    :param message: for people, Japanese first
    :param param: the request parameter or field at fault, if any
    :param status: HTTP status; by default ``STATUS[code]`` of the subclass, else 400
    """

    STATUS: dict[str, int] = {}

    def __init__(self, code: str, message: str, param: str | None = None, *, status: int | None = None):
        self.code, self.message, self.param = code, message, param
        self.status = status if status is not None else self.STATUS.get(code, 400)
        super().__init__(f"{param}: {message}" if param else message)

    @property
    def http_status(self) -> int:
        return self.status

    def as_body(self, code: str | None = None) -> dict:
        """The API error body; ``code`` replaces the service's own code when the API names it differently."""
        return error_body(code or self.code, self.message, self.param)
