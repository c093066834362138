"""The staff side of applications (issue #14 point 5): who sees personal data, the queue, assigning,
notes, corrections, the audit log and the export rows.

* ``can_see_personal_data(user, app)`` — a superuser, or a ``DepartmentMember`` of ``app.department``.
  Other staff see the row (reference, form, status, dates) with the answers, e-mail and files masked.
* ``departments_of(user)`` — the departments ``user`` is a member of (a set of names).
* ``queue(user, …)`` — the applications a staff member works on, filtered; ``status_counts(qs)``.
* ``assign`` / ``add_note`` / ``request_correction`` / ``change_status`` — the staff actions; each writes
  an ``AccessLog`` row (action ``status`` or ``note``).
* ``log_access(user, app_or_None, action, reference="")`` — one audit row: EVERY staff view of one
  application, every file download and every export writes one.
* ``export_rows(qs, user)`` — ``(header, rows)`` of the queue for xlsx/CSV: personal data only in the
  rows the user may see.
* ``audit_log(user, …)`` — the audit rows the user may read (superuser: all; members: their departments).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from madoguchi.privacy.services import mask_personal_text

from .models import AccessLog, Application, Correction, DepartmentMember, Note
from .status import ApplicationError, set_status, status_label

#: What a staff member outside the processing department sees instead of an answer or a file name.
MASKED = "＊＊＊（担当課の職員のみ表示）"

Action = AccessLog.Action


def masked_email(address: str) -> str:
    """``"taro@example.jp"`` → ``"t***@example.jp"`` (the privacy app's masking; ``""`` stays ``""``)."""
    return mask_personal_text(address)[0] if address else ""


def departments_of(user) -> set[str]:
    """Names of the departments ``user`` belongs to (``DepartmentMember``); empty for anonymous users."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache = getattr(user, "_applications_departments", None)
    if cache is None:
        cache = set(DepartmentMember.objects.filter(user=user).values_list("department", flat=True))
        user._applications_departments = cache
    return cache


def is_department_member(user, department: str) -> bool:
    """THE rule of who sees applications' personal data (issue #14: 「only the processing department's staff」):
    an active superuser, or an active staff member with a ``DepartmentMember`` row for ``department``.
    Every path that shows personal data of applications (queue, detail, exports, the API, bulky-waste route
    lists) asks this."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.is_staff and bool(department) and department in departments_of(user)


def can_see_personal_data(user, application: Application) -> bool:
    """``is_department_member`` for the application's processing department."""
    return is_department_member(user, application.department)


def _require_member(user, app: Application) -> None:
    if not can_see_personal_data(user, app):
        raise ApplicationError("forbidden", _("この申請を処理できるのは担当課（%(dept)s）の職員だけです")
                               % {"dept": app.department or "未設定"})


def queue(user, *, status: str | None = None, form=None, assignee=None, q: str | None = None,
          submitted_from: dt.date | None = None, submitted_to: dt.date | None = None,
          all_departments: bool = False) -> QuerySet:
    """Applications for ``user``'s queue, newest first.

    :param user: a staff user; non-superusers see only their departments' applications unless
        ``all_departments`` (then other departments' rows come too, shown masked by the views)
    :param status: one ``Application.Status`` value
    :param form: a ``Form`` or its pk; ``assignee``: a user, its pk, or ``"none"`` (unassigned)
    :param q: text matched against the reference, the form title and the procedure name
    :param submitted_from: / ``submitted_to``: dates (local, inclusive)
    """
    qs = Application.objects.select_related("form", "form__procedure", "assignee")
    if not user.is_superuser and not all_departments:
        qs = qs.filter(department__in=departments_of(user))
    if status:
        qs = qs.filter(status=status)
    if form:
        qs = qs.filter(form=form)
    if assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee=assignee)
    if q:
        q = q.strip()
        qs = qs.filter(Q(reference__icontains=q) | Q(form__title__icontains=q) | Q(form__procedure__name__icontains=q))
    if submitted_from:
        qs = qs.filter(submitted_at__date__gte=submitted_from)
    if submitted_to:
        qs = qs.filter(submitted_at__date__lte=submitted_to)
    return qs


def status_counts(qs: QuerySet) -> dict[str, int]:
    """``{status: count}`` over ``qs`` for every status (0 where none)."""
    found = dict(qs.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {s: found.get(s, 0) for s in Application.Status.values}


def log_access(user, app: Application | None, action: str, *, reference: str = "") -> AccessLog:
    """Write one audit row: ``action`` is ``view`` / ``export`` / ``status`` / ``note``.

    :param app: the application, or ``None`` for an export of many (``reference`` then describes it)
    """
    return AccessLog.objects.create(application=app, reference=(app.reference if app else reference)[:20],
                                    user=user if getattr(user, "pk", None) else None, action=action)


def assign(app: Application, user, *, by) -> Application:
    """Make ``user`` (or ``None``: nobody) the assignee of ``app``.

    :raises ApplicationError: ``forbidden`` when ``by`` is not of the department; ``invalid``
        (param ``assignee``) when ``user`` is not of the department either
    """
    _require_member(by, app)
    if user is not None and not can_see_personal_data(user, app):
        raise ApplicationError("invalid", _("担当者は担当課（%(dept)s）の職員から選んでください")
                               % {"dept": app.department}, param="assignee")
    with transaction.atomic():
        Application.objects.filter(pk=app.pk).update(assignee=user)
        app.assignee = user
        log_access(by, app, Action.STATUS)
    return app


def add_note(app: Application, text: str, *, by) -> Note:
    """An internal note (never shown to the citizen). :raises ApplicationError: ``invalid`` (empty), ``forbidden``."""
    _require_member(by, app)
    text = (text or "").strip()
    if not text:
        raise ApplicationError("invalid", _("メモを入力してください"), param="text")
    with transaction.atomic():
        note = Note.objects.create(application=app, text=text, by=by)
        log_access(by, app, Action.NOTE)
    return note


def change_status(app: Application, new: str, *, by, reason: str = ""):
    """``status.set_status`` by a member of the department, audited. :raises ApplicationError: as
    ``set_status``, and ``forbidden``."""
    _require_member(by, app)
    with transaction.atomic():
        change = set_status(app, new, by=by, reason=reason)
        log_access(by, app, Action.STATUS)
    return change


def field_defs(version) -> list[dict]:
    """The FieldDefs of a form version (``[]`` for an empty definition)."""
    return list((version.definition or {}).get("fields", []))


def request_correction(app: Application, message: str, fields: list[str], *, by) -> Correction:
    """A 補正要求: record which ``fields`` (names of the version's fields) the citizen must fix, then
    ``set_status(app, "correction", reason=message)`` (which mails the citizen).

    :raises ApplicationError: ``invalid`` (param ``fields``: none chosen or unknown name; ``message``:
        empty), ``invalid_transition``, ``forbidden``
    """
    _require_member(by, app)
    message = (message or "").strip()
    if not message:
        raise ApplicationError("invalid", _("補正をお願いする内容を入力してください"), param="message")
    names = {f.get("name") for f in field_defs(app.version)}
    fields = [f for f in dict.fromkeys(fields or [])]
    unknown = [f for f in fields if f not in names]
    if not fields or unknown:
        raise ApplicationError("invalid", _("補正を求める項目を申請の項目から選んでください"), param="fields")
    with transaction.atomic():
        set_status(app, Application.Status.CORRECTION, by=by, reason=message)
        correction = Correction.objects.create(application=app, message=message, fields=fields, requested_by=by)
        log_access(by, app, Action.STATUS)
    return correction


def _display(version, name: str, value) -> str:
    """An answer for people (``eforms.services.display_value``: 和暦 + ISO dates, はい/いいえ, 「、」-joined lists)."""
    from madoguchi.eforms.services import display_value

    return display_value(version, name, value)


def answers(app: Application, *, personal: bool) -> list[dict]:
    """The answers of ``app`` in the order of its version: ``[{"name", "label", "value", "step"}]``;
    ``value`` is ``MASKED`` unless ``personal`` (hidden conditional fields without a value are left out)."""
    out = []
    for f in field_defs(app.version):
        name = f.get("name")
        if name not in app.data and f.get("show_if"):
            continue
        value = app.data.get(name)
        shown = _display(app.version, name, value) if personal else MASKED
        out.append({"name": name, "label": f.get("label") or name, "value": shown, "step": f.get("step", "")})
    return out


BASE_COLUMNS = ["受付番号", "手続", "担当課", "状態", "受付方法", "申請日時", "担当者", "保存期限", "メールアドレス"]


def export_rows(qs: QuerySet, user) -> tuple[list[str], list[list]]:
    """The rows of an export of ``qs``: ``(header, rows)``.

    Columns: ``BASE_COLUMNS`` then one column per answer field (label; the union of the versions'
    fields in first-seen order). Rows the user may not see personally have the e-mail masked
    (``masked_email``) and every answer ``MASKED``. Dates are ``datetime`` / ``date`` objects (local time).
    """
    from django.utils import timezone

    apps = list(qs.select_related("form", "version", "assignee"))
    columns: dict[str, str] = {}
    for app in apps:
        for f in field_defs(app.version):
            if f.get("kind") != "file":
                columns.setdefault(f.get("name"), f.get("label") or f.get("name"))
    header = BASE_COLUMNS + list(columns.values())
    rows = []
    for app in apps:
        personal = can_see_personal_data(user, app)
        names = {f.get("name") for f in field_defs(app.version)}
        row = [app.reference, app.form.title, app.department, status_label(app.status), app.get_channel_display(),
               timezone.localtime(app.submitted_at).replace(tzinfo=None), app.assignee.get_username() if app.assignee else "",
               app.retain_until, app.email if personal else masked_email(app.email)]
        for name in columns:
            if name not in names or name not in app.data:
                row.append("")
            else:
                row.append(_display(app.version, name, app.data[name]) if personal else MASKED)
        rows.append(row)
    return header, rows


def audit_log(user, *, department: str | None = None, reference: str | None = None) -> QuerySet:
    """The audit rows ``user`` may read, newest first: all for a superuser, else the rows of applications of
    the user's departments (rows whose application was deleted and exports of many are superuser-only).

    :param department: narrow to one department; ``reference``: to one reference
    """
    qs = AccessLog.objects.select_related("user", "application")
    if not user.is_superuser:
        qs = qs.filter(application__department__in=departments_of(user))
    if department:
        qs = qs.filter(application__department=department)
    if reference:
        qs = qs.filter(reference=reference.strip())
    return qs
