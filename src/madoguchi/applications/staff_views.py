"""Staff pages of ``/staff/applications/`` (``staff_member_required``, CSRF on every POST): the queue of the
user's departments with filters and counts per status, xlsx/CSV exports of the filtered queue, one
application (answers, files, history, corrections, notes, actions) and the audit log.

Views are thin: the rules (who sees personal data, transitions, audit rows) are in ``staff`` and ``status``.
Every view of one application, every file download and every export writes an ``AccessLog`` row.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import exports, staff
from .models import AccessLog, Application, ApplicationFile, DepartmentMember
from .status import FINAL, TRANSITIONS, ApplicationError, status_label

#: statuses that cannot be undone: the status form asks for a confirmation first
CONFIRM_STATUSES = (Application.Status.COMPLETED, Application.Status.REJECTED)
PAGE_SIZE = 50


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest) -> dict:
    g = request.GET
    status = g.get("status") if g.get("status") in Application.Status.values else None
    form = g.get("form") if (g.get("form") or "").isdigit() else None
    assignee = g.get("assignee") or None
    if assignee == "me":
        assignee = request.user.pk
    elif assignee not in (None, "none") and not assignee.isdigit():
        assignee = None
    return {"status": status, "form": form, "assignee": assignee, "q": (g.get("q") or "").strip()[:100] or None,
            "submitted_from": _date(g.get("from")), "submitted_to": _date(g.get("to")),
            "all_departments": g.get("all") == "1"}


@staff_member_required
def queue(request: HttpRequest) -> HttpResponse:
    from madoguchi.eforms.models import Form

    filters = _filters(request)
    base = staff.queue(request.user, all_departments=filters["all_departments"])
    qs = staff.queue(request.user, **filters)
    counts = staff.status_counts(staff.queue(request.user, **{**filters, "status": None}))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"app": a, "personal": staff.can_see_personal_data(request.user, a)} for a in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "applications/staff/queue.html", {
        "page": page, "rows": rows, "counts": [(s, status_label(s), counts[s]) for s in Application.Status.values],
        "total": sum(counts.values()), "statuses": Application.Status.choices,
        "forms": Form.objects.filter(pk__in=base.values("form")).order_by("title"),
        "departments": sorted(staff.departments_of(request.user)), "g": request.GET, "query": query.urlencode(),
        "assignees": get_user_model().objects.filter(pk__in=base.exclude(assignee=None).values("assignee"))
        .order_by("username"),
    })


@staff_member_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered queue as ``xlsx`` or ``csv``; one ``export`` audit row per exported application."""
    qs = staff.queue(request.user, **_filters(request))
    header, rows = staff.export_rows(qs, request.user)
    apps = list(qs.values_list("pk", "reference"))
    user = request.user
    if apps:
        AccessLog.objects.bulk_create([AccessLog(application_id=pk, reference=ref, user=user,
                                                 action=AccessLog.Action.EXPORT) for pk, ref in apps])
    else:
        staff.log_access(user, None, AccessLog.Action.EXPORT, reference="(0件)")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        response = HttpResponse(exports.queue_xlsx(header, rows), content_type=exports.XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.queue_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="applications-{stamp}.{fmt}"'
    return response


def _members(app: Application):
    User = get_user_model()
    ids = DepartmentMember.objects.filter(department=app.department).values("user")
    return User.objects.filter(pk__in=ids, is_active=True, is_staff=True).order_by("username")


def _detail_context(request: HttpRequest, app: Application) -> dict:
    personal = staff.can_see_personal_data(request.user, app)
    allowed = sorted(TRANSITIONS.get(app.status, ()), key=Application.Status.values.index)
    return {
        "app": app, "personal": personal, "masked": staff.MASKED,
        "email": app.email if personal else "",
        "answers": staff.answers(app, personal=personal),
        "files": list(app.files.all()) if personal else [], "file_count": app.files.count(),
        "history": list(app.status_changes.select_related("by")),
        "corrections": list(app.corrections.select_related("requested_by")) if personal else [],
        "notes": list(app.notes.select_related("by")) if personal else [],
        "next_statuses": [(s, status_label(s)) for s in allowed if s != Application.Status.CORRECTION
                          and s != Application.Status.WITHDRAWN],
        "can_correct": Application.Status.CORRECTION in allowed,
        "fields": [f for f in staff.field_defs(app.version) if f.get("name")],
        "members": _members(app) if personal else [], "final": app.status in FINAL,
        "status_label": status_label(app.status),
    }


@staff_member_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    app = get_object_or_404(Application.objects.select_related("form", "version", "assignee"), reference=reference)
    staff.log_access(request.user, app, AccessLog.Action.VIEW)
    return render(request, "applications/staff/detail.html", _detail_context(request, app))


@staff_member_required
def download(request: HttpRequest, reference: str, file_id: int) -> FileResponse:
    """An attachment, to members of the department only (audited as ``export``)."""
    app = get_object_or_404(Application, reference=reference)
    if not staff.can_see_personal_data(request.user, app):
        raise PermissionDenied
    f = get_object_or_404(ApplicationFile, pk=file_id, application=app)
    try:
        handle = f.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    staff.log_access(request.user, app, AccessLog.Action.EXPORT)
    return FileResponse(handle, as_attachment=True, filename=f.name,
                        content_type=f.content_type or "application/octet-stream")


def _back(app: Application) -> HttpResponse:
    return redirect("applications_staff:detail", reference=app.reference)


def _fail(request: HttpRequest, app: Application, exc: ApplicationError) -> HttpResponse:
    messages.error(request, exc.message)
    return _back(app)


@require_POST
@staff_member_required
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    app = get_object_or_404(Application, reference=reference)
    who = request.POST.get("assignee", "")
    user = None
    if who == "me":
        user = request.user
    elif who.isdigit():
        user = get_user_model().objects.filter(pk=int(who)).first()
    try:
        staff.assign(app, user, by=request.user)
    except ApplicationError as exc:
        return _fail(request, app, exc)
    messages.success(request, _("担当者を「%(name)s」にしました。") % {"name": user.get_username()} if user
                     else _("担当者を外しました。"))
    return _back(app)


@require_POST
@staff_member_required
def change_status(request: HttpRequest, reference: str) -> HttpResponse:
    """Change the status; 完了 / 却下 first render a confirmation page (``confirmed=1`` carries it out)."""
    app = get_object_or_404(Application.objects.select_related("form"), reference=reference)
    new, reason = request.POST.get("status", ""), request.POST.get("reason", "")
    if new in CONFIRM_STATUSES and request.POST.get("confirmed") != "1":
        if not staff.can_see_personal_data(request.user, app):
            raise PermissionDenied
        return render(request, "applications/staff/confirm_status.html", {
            "app": app, "new": new, "new_label": status_label(new), "reason": reason,
            "status_label": status_label(app.status)})
    try:
        staff.change_status(app, new, by=request.user, reason=reason)
    except ApplicationError as exc:
        return _fail(request, app, exc)
    messages.success(request, _("状態を「%(status)s」にしました。申請者にメールでお知らせします。")
                     % {"status": status_label(new)})
    return _back(app)


@require_POST
@staff_member_required
def correction(request: HttpRequest, reference: str) -> HttpResponse:
    app = get_object_or_404(Application.objects.select_related("version"), reference=reference)
    try:
        staff.request_correction(app, request.POST.get("message", ""), request.POST.getlist("fields"),
                                 by=request.user)
    except ApplicationError as exc:
        return _fail(request, app, exc)
    messages.success(request, _("補正を依頼しました。申請者にメールでお知らせします。"))
    return _back(app)


@require_POST
@staff_member_required
def note(request: HttpRequest, reference: str) -> HttpResponse:
    app = get_object_or_404(Application, reference=reference)
    try:
        staff.add_note(app, request.POST.get("text", ""), by=request.user)
    except ApplicationError as exc:
        return _fail(request, app, exc)
    messages.success(request, _("メモを追加しました。"))
    return _back(app)


@staff_member_required
def audit(request: HttpRequest) -> HttpResponse:
    """The audit log: superusers see everything, department members their departments' applications."""
    departments = sorted(staff.departments_of(request.user))
    if not request.user.is_superuser and not departments:
        raise PermissionDenied
    department = request.GET.get("department") or None
    reference = (request.GET.get("reference") or "").strip()[:20] or None
    qs = staff.audit_log(request.user, department=department, reference=reference)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "applications/staff/audit.html", {
        "page": page, "departments": departments, "department": department or "", "reference": reference or "",
        "query": query.urlencode()})
