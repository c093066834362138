"""Applications (申請): submit without loss or duplicates, find by reference + secret, status changes.

Public API (other apps import only this module and ``applications.models``):

- ``submit(version, data, files, *, email, client_token, …) -> (Application, created, secret | None)``
- ``find(reference, secret) -> Application``
- ``withdraw(app, *, reason="")``, ``set_status(app, new, *, by, reason)`` (``applications.status``)
- ``answer_correction(app, correction, data, files)``, ``open_correction(app)``
- ``ApplicationError`` (a ``madoguchi.errors.ServiceError``), ``TRANSITIONS``

Submission is idempotent on ``client_token`` (a unique column): the same token again returns the stored
application (``created=False``, no secret) — double clicks, retries after a lost answer and concurrent
posts give one application. Everything (row, files, first history entry, ``on_store``) is stored in one
transaction; the confirmation mail is queued on commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .files import delete_draft, delete_files
from .models import Application, ApplicationFile, Correction, StatusChange
from .status import (
    FINAL,
    TRANSITIONS,
    ApplicationError,
    set_status,
    status_label,
    status_url,
)

__all__ = ["submit", "find", "withdraw", "set_status", "answer_correction", "open_correction", "ApplicationError",
           "TRANSITIONS", "FINAL", "status_label", "delete_draft", "new_reference", "new_secret", "hash_secret", "check_secret"]

log = logging.getLogger(__name__)

#: characters of references and secrets: no 0/O, 1/I/L, 5/S, 8/B, Z/2 look-alikes
LETTERS = "ACDEFGHJKMNPQRTUVWXY"
DIGITS_ALL = "34679"
SECRET_ALPHABET = LETTERS + DIGITS_ALL
SECRET_LENGTH = 12  # ~57 bits


def new_reference(year: int) -> str:
    """A readable reference number ``YYYY-ACDE-3467`` (14 characters, unambiguous characters)."""
    letters = "".join(secrets.choice(LETTERS) for _ in range(4))
    digits = "".join(secrets.choice(DIGITS_ALL) for _ in range(4))
    return f"{year}-{letters}-{digits}"


def new_secret() -> str:
    """A secret ``XXXX-XXXX-XXXX`` (12 unambiguous characters), shown to the citizen once."""
    raw = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _normalise_secret(secret: str) -> str:
    return "".join(ch for ch in (secret or "").upper() if ch.isalnum())


#: scheme of ``hash_secret``; ``check_secret`` also accepts the earlier ``scrypt$`` hashes
SECRET_SCHEME = "hmac-sha256"


def _secret_hmac(secret: str, salt: str, key: str) -> str:
    return salted_hmac(f"madoguchi.applications.secret.{salt}", _normalise_secret(secret), secret=key,
                       algorithm="sha256").hexdigest()


def hash_secret(secret: str, *, salt: str | None = None) -> str:
    """``hmac-sha256$<salt hex>$<hash hex>`` of the normalised secret (case, spaces and hyphens ignored).

    HMAC-SHA256 keyed with the server's ``SECRET_KEY`` (plus a random per-row salt), not a slow KDF:
    scrypt/PBKDF2 exist to make guessing a *human-chosen* password from a stolen hash expensive. Our
    secrets are 12 random characters from a 25-letter alphabet (~57 bits) made by ``new_secret``, so a
    stolen table cannot be brute-forced even with a fast hash, and without the server key it cannot be
    attacked offline at all. Online guessing is bounded by the rate limits. scrypt cost ~10 ms of CPU per
    submission (and per status look-up) — the largest single cost of a bulky-waste request (issue #14).
    Rotating ``SECRET_KEY``: keep the old key in ``SECRET_KEY_FALLBACKS`` (``check_secret`` tries them).
    """
    from django.conf import settings

    salt = salt if salt is not None else secrets.token_hex(8)
    return f"{SECRET_SCHEME}${salt}${_secret_hmac(secret, salt, settings.SECRET_KEY)}"


def _scrypt(secret: str, salt: bytes) -> str:
    """The earlier scheme (``scrypt$<salt>$<hash>``), still accepted for stored hashes."""
    return hashlib.scrypt(_normalise_secret(secret).encode(), salt=salt, n=2 ** 11, r=8, p=1, dklen=32).hex()


def check_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` matches ``stored`` (``hash_secret``, or an earlier ``scrypt$`` hash); constant time
    in the comparison; tries ``SECRET_KEY`` then ``SECRET_KEY_FALLBACKS``."""
    from django.conf import settings

    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        scheme, salt, digest = SECRET_SCHEME, "0" * 16, ""
    if scheme == "scrypt":
        try:
            return hmac.compare_digest(_scrypt(secret, bytes.fromhex(salt)), digest)
        except ValueError:
            return False
    ok = False
    for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        ok |= hmac.compare_digest(_secret_hmac(secret, salt, key), digest)
    return scheme == SECRET_SCHEME and ok


def _existing(client_token: str) -> Application | None:
    return Application.objects.select_related("form", "version").filter(client_token=client_token).first()


def submit(version, data: dict, files: dict, *, email: str, client_token: str, channel: str = "online",
           on_store: Callable[[Application], None] | None = None, now: dt.datetime | None = None,
           email_verified: bool = False, token_checked: bool = False) -> tuple[Application, bool, str | None]:
    """Store an application of ``version`` (an ``eforms.FormVersion``) once.

    :param data: the answers as posted (field name → str, or list of str for multichoice)
    :param files: field name → ``UploadedFile`` (or any Django ``File`` with ``name`` and ``size``)
    :param email: the citizen's address (confirmation and status mails); may be blank at the counter
    :param client_token: idempotency key, 16–64 characters, made by the client once per submission
    :param on_store: called with the new application inside the transaction; if it raises, nothing is stored
    :param now: the submission time (default: now)
    :param token_checked: the caller has just looked ``client_token`` up and found nothing (saves the same
        query; a concurrent post of the token is still caught by its unique column)
    :returns: ``(application, created, secret)``; ``secret`` (``XXXX-XXXX-XXXX``) only when created
    :raises ApplicationError: ``invalid`` (``param`` = the field; ``.errors`` = all messages by field),
        ``form_closed`` (outside the form's period or unpublished), ``not_found``
    """
    from madoguchi.eforms import services as eforms

    client_token = (client_token or "").strip()
    if not 16 <= len(client_token) <= 64:
        raise ApplicationError("invalid", _("client_token は16〜64文字で指定してください"), param="client_token")
    existing = None if token_checked else _existing(client_token)
    if existing is not None:
        return existing, False, None
    now = now or timezone.now()
    form = version.form
    try:
        eforms.check_open(form, now=now)  # ``version`` is a version of ``form``: no need to read it again
    except eforms.FormError as exc:
        code = "form_closed" if exc.code == "form_closed" else "not_found"
        raise ApplicationError(code, exc.message, param=exc.param) from exc
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ApplicationError("invalid", _("メールアドレスの形式が正しくありません"), param="email") from None
    data = _without_file_answers(version, data)  # a file field's answer is the file itself, never a name
    errors = eforms.validate(version, data, files)
    if errors:
        field, messages = next(iter(errors.items()))
        error = ApplicationError("invalid", messages[0], param=field)
        error.errors = errors
        raise error
    cleaned = eforms.clean_data(version, _with_file_names(data, files))
    secret = new_secret()
    secret_hash = hash_secret(secret)
    for _attempt in range(5):
        reference = new_reference(timezone.localtime(now).year)
        written: list[str] = []
        try:
            with transaction.atomic():
                app = Application.objects.create(
                    reference=reference, secret_hash=secret_hash, form=form, version=version,
                    client_token=client_token, email=email or "", email_verified=email_verified, data=cleaned,
                    status=Application.Status.RECEIVED, channel=channel, department=form.department,
                    submitted_at=now,
                    retain_until=timezone.localtime(now).date() + dt.timedelta(days=form.retention_days))
                for field, upload in files.items():
                    if upload is None:
                        continue
                    for one in upload if isinstance(upload, (list, tuple)) else [upload]:
                        written.append(_store_file(app, field, one))
                StatusChange.objects.create(application=app, old="", new=app.status, reason="")
                if on_store is not None:
                    on_store(app)
                if app.email:
                    transaction.on_commit(lambda app=app: _mail_received(app))
        except IntegrityError:
            delete_files(written)
            replay = _existing(client_token)
            if replay is not None:
                return replay, False, None
            if Application.objects.filter(reference=reference).exists():
                continue  # reference collision: draw again
            raise
        except BaseException:
            delete_files(written)
            raise
        log.info("application %s stored (form %s, channel %s)", app.reference, form.slug, channel)
        return app, True, secret
    raise ApplicationError("error", _("受付番号を発行できませんでした。もう一度お試しください"))


def _without_file_answers(version, data):
    names = [f["name"] for f in (version.definition or {}).get("fields", []) if f.get("kind") == "file"]
    present = [n for n in names if n in data]
    if not present:
        return data
    copy = data.copy() if hasattr(data, "getlist") else dict(data)
    for name in present:
        copy.pop(name, None)
    return copy


def _with_file_names(data, files: dict):
    """``data`` (dict or QueryDict) with each attached file's name as its field's answer (how
    ``eforms.clean_data`` records files)."""
    names = {field: _base_name(f) for field, f in files.items() if f is not None and not isinstance(f, (list, tuple))}
    if not names:
        return data
    if hasattr(data, "getlist"):
        copy = data.copy()
        for field, name in names.items():
            copy[field] = name
        return copy
    return {**data, **names}


def _base_name(upload) -> str:
    return (getattr(upload, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1][:100]


def _store_file(app: Application, field: str, upload) -> str:
    base = _base_name(upload)
    path = f"applications/{app.submitted_at:%Y/%m}/{app.reference}/{field}/{secrets.token_hex(4)}-{base}"
    if hasattr(upload, "seek"):
        upload.seek(0)
    stored = default_storage.save(path, upload if isinstance(upload, File) else File(upload, name=base))
    ApplicationFile.objects.create(application=app, field=field, name=base[:255],
                                   content_type=getattr(upload, "content_type", "") or "",
                                   size=getattr(upload, "size", 0) or 0, file=stored)
    return stored


def _procedure_name(app: Application) -> str:
    return app.form.title


def _mail_received(app: Application) -> None:
    from madoguchi.jobs.services import send_mail_later

    subject = f"【申請を受け付けました】受付番号 {app.reference}"
    body = "\n".join([
        f"「{_procedure_name(app)}」の申請を受け付けました。",
        "",
        f"受付番号: {app.reference}",
        f"受付日時: {timezone.localtime(app.submitted_at):%Y-%m-%d %H:%M}",
        f"状況: {status_label(app.status)}",
        "",
        "申請の状況は、受付番号と完了画面に表示された確認コードで次のページから確認できます。",
        status_url(),
        "確認コードはこのメールには記載していません。",
        "",
        "このメールは送信専用です。",
    ])
    send_mail_later(subject, body, [app.email])


def find(reference: str, secret: str) -> Application:
    """The application with this reference whose secret matches.

    :raises ApplicationError: ``not_found`` for an unknown reference or a wrong secret (same message, same work)
    """
    reference = (reference or "").strip().upper()
    app = Application.objects.select_related("form", "version").filter(reference=reference).first()
    stored = app.secret_hash if app is not None else f"{SECRET_SCHEME}${'0' * 16}$"
    if not check_secret(secret, stored) or app is None:
        raise ApplicationError("not_found", _("受付番号または確認コードが正しくありません"), param="reference")
    return app


def withdraw(app: Application, *, reason: str = "") -> StatusChange:
    """The citizen withdraws (取下げ) ``app``. :raises ApplicationError: ``invalid_transition`` when final."""
    return set_status(app, Application.Status.WITHDRAWN, by=None, reason=reason or _("申請者による取下げ"))


def open_correction(app: Application) -> Correction | None:
    """The unanswered 補正要求 of ``app`` while its status is ``correction``, else ``None``."""
    if app.status != Application.Status.CORRECTION:
        return None
    return app.corrections.filter(answered_at__isnull=True).order_by("-requested_at", "-id").first()


def answer_correction(app: Application, correction: Correction, data: dict, files: dict, *,
                      now: dt.datetime | None = None) -> Application:
    """The citizen answers ``correction``: new values of its ``fields`` (others are ignored).

    Validates the merged answers (errors of the listed fields only), updates ``app.data``, stores new files,
    records ``answer_data`` and sets the status back to ``reviewing``.

    :raises ApplicationError: ``invalid`` (``param`` = the field), ``invalid_transition`` (not awaiting it)
    """
    from madoguchi.eforms import services as eforms

    if correction.application_id != app.pk or correction.answered_at is not None \
            or app.status != Application.Status.CORRECTION:
        raise ApplicationError("invalid_transition", _("この補正要求にはもう回答できません"))
    listed = list(correction.fields or [])
    definition_fields = {f["name"]: f for f in (app.version.definition or {}).get("fields", [])}
    listed = [name for name in listed if name in definition_fields] or list(definition_fields)
    merged = {k: v for k, v in (app.data or {}).items()}
    new_values = {name: data[name] for name in listed if name in data}
    merged.update(new_values)
    new_files = {name: f for name, f in files.items() if name in listed and f}
    errors = eforms.validate(app.version, merged, new_files)
    present = {f.field for f in app.files.all()}  # files already stored count as given
    errors = {k: v for k, v in errors.items() if k in listed and not (k in present and k not in new_files)}
    if errors:
        field, messages = next(iter(errors.items()))
        error = ApplicationError("invalid", messages[0], param=field)
        error.errors = errors
        raise error
    cleaned = eforms.clean_data(app.version, merged)
    answer = {name: cleaned.get(name) for name in new_values}
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=app.pk)
            locked.data = {**(locked.data or {}), **answer}
            locked.save(update_fields=["data", "updated_at"])
            for field, upload in new_files.items():
                locked.files.filter(field=field).delete()  # the row; the old file stays until retention cleanup
                written.append(_store_file(locked, field, upload))
                answer[field] = getattr(upload, "name", "")
            correction.answer_data = answer
            correction.answered_at = now or timezone.now()
            correction.save(update_fields=["answer_data", "answered_at"])
            set_status(locked, Application.Status.REVIEWING, by=None, reason=_("補正の回答がありました"))
    except BaseException:
        delete_files(written)
        raise
    app.refresh_from_db()
    return app


from .staff import (  # noqa: I001  (the staff side: applications.staff, H3b)
    add_note, assign, audit_log, can_see_personal_data, change_status, departments_of, export_rows,
    is_department_member, log_access, queue, request_correction, status_counts,
)
