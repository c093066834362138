"""The status of an application and its allowed transitions (the one table of them).

受付 received → reviewing / correction / completed / rejected / withdrawn;
審査中 reviewing → correction / completed / rejected / withdrawn;
補正要求 correction → reviewing (the citizen answered) / withdrawn / rejected;
完了 completed, 却下 rejected, 取下げ withdrawn are final.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from madoguchi.errors import ServiceError

from .models import Application, StatusChange

S = Application.Status

#: status → the statuses it may change to
TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.REVIEWING, S.CORRECTION, S.COMPLETED, S.REJECTED, S.WITHDRAWN}),
    S.REVIEWING: frozenset({S.CORRECTION, S.COMPLETED, S.REJECTED, S.WITHDRAWN}),
    S.CORRECTION: frozenset({S.REVIEWING, S.WITHDRAWN, S.REJECTED}),
    S.COMPLETED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

#: statuses that need a reason (shown to the citizen)
REASON_REQUIRED = frozenset({S.REJECTED, S.CORRECTION})

FINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)


class ApplicationError(ServiceError):
    """An application request cannot be carried out; nothing was written.

    Codes: ``invalid`` (``param`` names the field), ``form_closed``, ``not_found``,
    ``invalid_transition``, ``reason_required``.
    """

    STATUS = {"invalid": 400, "form_closed": 409, "not_found": 404, "invalid_transition": 409,
              "reason_required": 400}


def can_change(old: str, new: str) -> bool:
    """Whether ``old`` → ``new`` is in ``TRANSITIONS``."""
    return new in TRANSITIONS.get(old, frozenset())


def status_label(status: str) -> str:
    """The Japanese label of a status (``受付`` …); the status itself if unknown."""
    try:
        return str(S(status).label)
    except ValueError:
        return status


def set_status(app: Application, new: str, *, by=None, reason: str = "") -> StatusChange:
    """Change ``app``'s status to ``new`` and record it.

    :param by: the staff user (``None`` for the citizen or the system)
    :param reason: shown to the citizen; required for ``rejected`` and ``correction``
    :returns: the ``StatusChange`` written
    :raises ApplicationError: ``invalid_transition`` (not in ``TRANSITIONS``), ``reason_required``
    Queues a mail to the citizen (on commit) naming the reference and the new status, never the answers.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=app.pk)
        old = locked.status
        if not can_change(old, new):
            raise ApplicationError("invalid_transition",
                                   _("「%(old)s」から「%(new)s」には変更できません")
                                   % {"old": status_label(old), "new": status_label(new)}, param="status")
        if new in REASON_REQUIRED and not reason:
            raise ApplicationError("reason_required", _("理由を入力してください"), param="reason")
        locked.status = new
        locked.save(update_fields=["status", "updated_at"])
        change = StatusChange.objects.create(application=locked, old=old, new=new, reason=reason, by=by)
        app.status, app.updated_at = locked.status, locked.updated_at
        if locked.email:
            transaction.on_commit(lambda: _mail_status(locked, new, reason))
    return change


def _mail_status(app: Application, new: str, reason: str) -> None:
    from madoguchi.jobs.services import send_mail_later

    subject = f"【申請の状況】受付番号 {app.reference}: {status_label(new)}"
    lines = [f"受付番号 {app.reference} の申請の状況が「{status_label(new)}」になりました。", ""]
    if reason:
        lines += ["理由・お知らせ:", reason, ""]
    lines += ["状況の確認・補正・取下げは、受付番号と確認コードで次のページから行えます。", status_url(), "",
              "このメールは送信専用です。"]
    send_mail_later(subject, "\n".join(lines), [app.email])


def status_url() -> str:
    """The absolute URL of the citizen's status page (``MADOGUCHI_SITE_URL`` — setting ``NOTICES_SITE_URL`` — + ``/procedures/status/``)."""
    from django.conf import settings
    from django.urls import reverse

    return settings.NOTICES_SITE_URL.rstrip("/") + reverse("applications:status")
