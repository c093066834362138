"""``/api/v1/applications``: submit an application from a program, read its status.

* ``POST /api/v1/applications`` — JSON ``{form, data, email, client_token}`` → 201 ``{reference, secret, …}``;
  the same ``client_token`` again → 200 with the same reference and ``secret: null`` (never repeated).
* ``GET /api/v1/applications/{reference}`` — with header ``X-Application-Secret`` (the applicant), or a staff
  session of the processing department (``staff.can_see_personal_data``; each such read is audit-logged):
  status, history, form slug, submitted_at. A wrong secret answers 404 like an unknown reference.

Files are not accepted here (the web form takes them); a form with a required file field answers
400 ``invalid_parameter`` naming it.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from madoguchi.errors import error_body
from madoguchi.schemas import ErrorOut

from . import services
from .models import Application

router = Router(tags=["applications"])
ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class SubmitIn(Schema):
    form: str
    data: dict
    email: str = ""
    client_token: str


class SubmitOut(Schema):
    reference: str
    secret: str | None
    status: str
    form: str
    submitted_at: dt.datetime
    created: bool


class HistoryOut(Schema):
    at: dt.datetime
    old: str
    new: str
    reason: str


class ApplicationStatusOut(Schema):
    reference: str
    form: str
    status: str
    status_label: str
    submitted_at: dt.datetime
    history: list[HistoryOut]


#: the service's codes → the API's (``madoguchi.errors.ERROR_CODES``)
API_CODES = {"invalid": "invalid_parameter", "form_closed": "conflict", "not_found": "not_found",
             "invalid_transition": "conflict", "reason_required": "invalid_parameter"}


def _error(code: str, message: str, param: str | None = None):
    return services.ApplicationError(code, message, param=param)


def _answer(exc: services.ApplicationError):
    return Status(exc.status, error_body(API_CODES.get(exc.code, "error"), exc.message, exc.param))


@router.post("", response={200: SubmitOut, 201: SubmitOut, **ERRORS}, summary="申請する (submit an application)")
def submit(request, body: SubmitIn):
    """Submit answers to the published form ``form`` (slug). ``data`` is ``{field name: value}`` (dates ISO or
    和暦, multichoice as a list); ``client_token`` (16–64 characters) makes the call idempotent.
    201 ``{reference, secret, status, form, submitted_at, created: true}``; 200 on replay (``secret: null``).
    400 ``invalid`` (``param`` = the field), 404 ``not_found`` (form), 409 ``form_closed``."""
    try:
        return _submit(body)
    except services.ApplicationError as exc:
        return _answer(exc)


def _submit(body: SubmitIn):
    from madoguchi.eforms import services as eforms

    try:
        form = eforms.open_form(body.form)
    except eforms.FormError as exc:
        existing = Application.objects.filter(client_token=body.client_token, form__slug=body.form).first()
        if existing is None:  # a replay after the form closed still answers the stored application
            raise _error("form_closed" if exc.code == "form_closed" else "not_found", exc.message, "form") from exc
        form = existing.form
    app, created, secret = services.submit(form.current_version(), body.data, {}, email=body.email,
                                           client_token=body.client_token)
    if app.form_id != form.pk:
        raise _error("invalid", _("この client_token は別の申請に使われています"), "client_token")
    return Status(201 if created else 200, {"reference": app.reference, "secret": secret, "status": app.status,
                                       "form": app.form.slug, "submitted_at": app.submitted_at, "created": created})


@router.get("/{reference}", response={200: ApplicationStatusOut, **ERRORS}, summary="申請の状況 (application status)")
def status(request, reference: str):
    """The applicant's view (header ``X-Application-Secret``) or the processing department's staff session:
    ``{reference, form, status, status_label, submitted_at, history: [{at, old, new, reason}]}``.
    404 ``not_found`` for an unknown reference or a wrong secret (the same answer)."""
    from . import staff

    secret = request.headers.get("X-Application-Secret", "")
    app = None
    if secret:
        try:
            app = services.find(reference, secret)
        except services.ApplicationError:
            app = None
    if app is None and getattr(request, "user", None) is not None and request.user.is_authenticated:
        candidate = Application.objects.select_related("form").filter(reference=reference.upper()).first()
        if candidate is not None and request.user.is_staff and staff.can_see_personal_data(request.user, candidate):
            staff.log_access(request.user, candidate, "view")
            app = candidate
    if app is None:
        raise HttpError(404, _("受付番号または確認コードが正しくありません"))
    return {"reference": app.reference, "form": app.form.slug, "status": app.status,
            "status_label": services.status_label(app.status), "submitted_at": app.submitted_at,
            "history": [{"at": c.at, "old": c.old, "new": c.new, "reason": c.reason}
                        for c in app.status_changes.all()]}
