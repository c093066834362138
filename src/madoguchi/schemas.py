"""Schemas shared by the apps' API routers."""

from ninja import Schema


class ErrorDetail(Schema):
    code: str
    param: str | None = None
    message: str


class ErrorOut(Schema):
    """The one error body of the JSON API."""

    ok: bool = False
    error: ErrorDetail
