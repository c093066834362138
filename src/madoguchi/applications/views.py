"""The citizen's pages (``/procedures/apply/…``, ``/procedures/status/…``): works without JavaScript.

Apply: start (e-mail) → code → the form's steps (一時保存 at any step) → 確認 → 送信 → 完了.
A ``Draft`` holds the answers between pages; its token is in the URL (the resume link) and expires after
``APPLICATIONS_DRAFT_TTL_DAYS``. Status: reference + secret → the application's status, its history,
the open 補正要求 (answered here) and 取下げ (after a confirmation page).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_http_methods, require_safe

from madoguchi.eforms import services as eforms

from . import services
from .forms import CodeForm, EmailForm, LookupForm, WithdrawForm
from .identity import provider_for
from .models import Application, Draft

FILES_KEY = "__files__"  # draft.data key of uploaded files: {field: {path, name, size, content_type}}
DONE_KEY = "applications_done"  # session: references this browser submitted (done page)
SECRET_KEY = "applications_secret"  # session: reference → secret, popped by the done page (shown once)
ACCESS_KEY = "applications_access"  # session: references unlocked with their secret


def _open_form_or_404(slug: str):
    try:
        return eforms.open_form(slug)
    except eforms.FormError as exc:
        if exc.code == "form_closed":
            return exc
        raise Http404(exc.message) from exc


def _draft(slug: str, token: str) -> Draft:
    draft = Draft.objects.select_related("form", "version").filter(token=token, form__slug=slug).first()
    if draft is None or draft.expires_at <= timezone.now():
        raise Http404(_("一時保存した申請が見つからないか、期限が切れています"))
    return draft


def _resume_url(request: HttpRequest, draft: Draft) -> str:
    return request.build_absolute_uri(reverse("applications:resume", args=[draft.form.slug, draft.token]))


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """The form's intro and the e-mail step: a code is mailed and a draft made."""
    form_or_error = _open_form_or_404(slug)
    if isinstance(form_or_error, eforms.FormError):
        return render(request, "applications/closed.html", {"message": form_or_error.message}, status=409)
    form = form_or_error
    version = form.current_version()
    email_form = EmailForm(request.POST or None)
    if request.method == "POST" and email_form.is_valid():
        now = timezone.now()
        draft = Draft.objects.create(
            token=secrets.token_urlsafe(24), form=form, version=version, email=email_form.cleaned_data["email"],
            expires_at=now + dt.timedelta(days=settings.APPLICATIONS_DRAFT_TTL_DAYS))
        provider_for(form).start(request, draft)
        return redirect("applications:verify", slug=slug, token=draft.token)
    return render(request, "applications/start.html", {
        "eform": form, "version": version, "steps": eforms.steps(version), "form": email_form,
        "period": eforms.period_text(form),
        "attachments_note": (version.definition or {}).get("attachments_note", "")},
        status=400 if email_form.errors else 200)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """Enter the mailed code (``resend`` mails a new one)."""
    draft = _draft(slug, token)
    if draft.email_verified:
        return redirect("applications:step", slug=slug, token=token, n=draft.step)
    provider = provider_for(draft.form)
    code_form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if "resend" in request.POST:
            provider.start(request, draft)
            messages.info(request, _("確認コードを送り直しました。"))
            return redirect("applications:verify", slug=slug, token=token)
        if provider.verify(request, draft) is not None:
            return redirect("applications:step", slug=slug, token=token, n=0)
        status = 400
        code_form.is_valid()
        if provider.tries_left(draft) > 0:
            code_form.add_error("code", _("確認コードが正しくありません（あと%(n)s回）") % {"n": provider.tries_left(draft)})
        else:
            code_form.add_error("code", _("確認コードを規定の回数以上まちがえました。「コードを送り直す」を押してください"))
    return render(request, "applications/verify.html", {"draft": draft, "form": code_form}, status=status)


@require_safe
def resume(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The resume link (mailed and shown at 一時保存): back to the step the citizen was at."""
    draft = _draft(slug, token)
    if not draft.email_verified:
        return redirect("applications:verify", slug=slug, token=token)
    return redirect("applications:step", slug=slug, token=token, n=draft.step)


def _answers_of(fields: list[dict], post) -> dict:
    values: dict = {}
    for f in fields:
        name, kind = f["name"], f["kind"]
        if kind == "file":
            continue
        if kind == "multichoice":
            values[name] = [v for v in post.getlist(name) if v]
        elif kind == "checkbox":
            values[name] = "on" if post.get(name) else ""
        else:
            values[name] = post.get(name, "")
    return values


def _answers(draft: Draft) -> dict:
    """The draft's answers with stored files by name (as ``eforms.validate``/``clean_data`` read them)."""
    data = {k: v for k, v in (draft.data or {}).items() if k != FILES_KEY}
    for name, meta in (draft.data or {}).get(FILES_KEY, {}).items():
        data[name] = meta["name"]
    return data


def _store_draft_files(draft: Draft, fields: list[dict], files) -> None:
    stored = dict((draft.data or {}).get(FILES_KEY, {}))
    for f in fields:
        upload = files.get(f["name"]) if f["kind"] == "file" else None
        if upload is None:
            continue
        old = stored.get(f["name"])
        if old:
            default_storage.delete(old["path"])
        base = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1][:100]
        path = default_storage.save(f"applications/drafts/{draft.token}/{f['name']}/{base}", upload)
        stored[f["name"]] = {"path": path, "name": base, "size": upload.size,
                             "content_type": getattr(upload, "content_type", "") or ""}
    draft.data = {**(draft.data or {}), FILES_KEY: stored}


def _draft_files(draft: Draft) -> dict:
    files = {}
    for name, meta in (draft.data or {}).get(FILES_KEY, {}).items():
        handle = File(default_storage.open(meta["path"], "rb"), name=meta["name"])
        handle.content_type = meta.get("content_type", "")
        files[name] = handle
    return files


def _mail_resume_link(request: HttpRequest, draft: Draft) -> None:
    from madoguchi.jobs.services import send_mail_later

    send_mail_later(
        _("【一時保存】%(title)s のオンライン申請") % {"title": draft.form.title},
        "\n".join([
            _("オンライン申請「%(title)s」の入力内容を一時保存しました。") % {"title": draft.form.title},
            _("次のリンクから続きを入力できます（%(date)s まで有効）。")
            % {"date": f"{timezone.localtime(draft.expires_at):%Y-%m-%d}"},
            "", _resume_url(request, draft), "",
            _("このリンクを知っている人は入力内容を見られます。ほかの人に教えないでください。"),
        ]),
        [draft.email])


@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, slug: str, token: str, n: int) -> HttpResponse:
    """One step of the form. Buttons: ``action=next`` (check, then next step or 確認), ``back``, ``save`` (一時保存)."""
    draft = _draft(slug, token)
    if not draft.email_verified:
        return redirect("applications:verify", slug=slug, token=token)
    all_steps = eforms.steps(draft.version)
    if not 0 <= n < len(all_steps):
        raise Http404()
    title, fields = all_steps[n]
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "next")
        answers = {**_answers(draft), **_answers_of(fields, request.POST)}
        if action in ("save", "back"):
            draft.data = {**(draft.data or {}), **_answers_of(fields, request.POST)}
            draft.step = n if action == "save" else max(0, n - 1)
            draft.expires_at = timezone.now() + dt.timedelta(days=settings.APPLICATIONS_DRAFT_TTL_DAYS)
            draft.save()
            if action == "back":
                return redirect("applications:step", slug=slug, token=token, n=draft.step)
            _mail_resume_link(request, draft)
            return render(request, "applications/saved.html", {"draft": draft, "resume_url": _resume_url(request, draft)})
        form = eforms.build_form(draft.version, step=title, data=answers, files=request.FILES)
        if form.is_valid():
            _store_draft_files(draft, fields, request.FILES)
            draft.data = {**draft.data, **_answers_of(fields, request.POST)}
            draft.step = n + 1
            draft.save()
            if n + 1 < len(all_steps):
                return redirect("applications:step", slug=slug, token=token, n=n + 1)
            return redirect("applications:confirm", slug=slug, token=token)
        status = 400
    else:
        form = eforms.build_form(draft.version, step=title, data=None, files=None)
        form.initial = {k: v for k, v in _answers(draft).items()}
    stored_files = (draft.data or {}).get(FILES_KEY, {})
    return render(request, "applications/step.html", {
        "draft": draft, "eform": draft.form, "form": form, "title": title, "n": n, "count": len(all_steps),
        "step_titles": [t for t, _f in all_steps], "stored_files": stored_files,
        "has_files": any(f["kind"] == "file" for f in fields)}, status=status)


def _confirm_rows(draft: Draft) -> list[tuple[str, str, str, int]]:
    cleaned = eforms.clean_data(draft.version, _answers(draft))
    rows = []
    for i, (_title, fields) in enumerate(eforms.steps(draft.version)):
        for f in fields:
            if f["name"] in cleaned:
                rows.append((f["name"], f["label"], eforms.display_value(draft.version, f["name"], cleaned[f["name"]]), i))
    return rows


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """確認 (GET) and 送信 (POST with the hidden ``client_token`` made when this page was first shown)."""
    if request.method == "POST":
        client_token = request.POST.get("client_token", "")
        done = Application.objects.filter(client_token=client_token, form__slug=slug).first() if client_token else None
        if done is not None:  # a double click or a reload after the answer was lost: the same application
            _remember_done(request, done.reference)
            return redirect("applications:done", slug=slug, reference=done.reference)
    draft = _draft(slug, token)
    if not draft.email_verified:
        return redirect("applications:verify", slug=slug, token=token)
    errors = eforms.validate(draft.version, _answers(draft), {})
    error_message = ""
    if request.method == "POST" and not errors:
        if request.POST.get("client_token") != draft.client_token or not draft.client_token:
            error_message = _("確認画面を表示し直してから送信してください")
        else:
            try:
                files = _draft_files(draft)
            except OSError:  # a concurrent post of this draft submitted it and removed its files
                done = Application.objects.filter(client_token=draft.client_token).first()
                if done is None:
                    raise
                _remember_done(request, done.reference)
                return redirect("applications:done", slug=slug, reference=done.reference)
            try:
                app, _created, secret = services.submit(
                    draft.version, _answers(draft), files, email=draft.email, client_token=draft.client_token,
                    email_verified=draft.email_verified)
            except services.ApplicationError as exc:
                error_message = exc.message
            else:
                if secret:
                    request.session.setdefault(SECRET_KEY, {})[app.reference] = secret
                    request.session.modified = True
                _remember_done(request, app.reference)
                services.delete_draft(draft)
                return redirect("applications:done", slug=slug, reference=app.reference)
            finally:
                for handle in files.values():
                    handle.close()
    if not draft.client_token:
        draft.client_token = secrets.token_urlsafe(24)
        draft.save(update_fields=["client_token", "updated_at"])
    field_step = {name: i for name, _l, _v, i in _confirm_rows(draft)}
    step_of = {f["name"]: i for i, (_t, fs) in enumerate(eforms.steps(draft.version)) for f in fs}
    error_rows = [(msgs[0], step_of.get(name, 0)) for name, msgs in errors.items()]
    return render(request, "applications/confirm.html", {
        "draft": draft, "eform": draft.form, "rows": _confirm_rows(draft), "errors": error_rows,
        "error_message": error_message, "field_step": field_step,
        "files": (draft.data or {}).get(FILES_KEY, {})},
        status=400 if (error_message or (errors and request.method == "POST")) else 200)


def _remember_done(request: HttpRequest, reference: str) -> None:
    done = request.session.get(DONE_KEY, [])
    if reference not in done:
        request.session[DONE_KEY] = (done + [reference])[-20:]


@require_safe
def done(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """完了: the reference number, and the secret once (only in the browser that submitted)."""
    if reference not in request.session.get(DONE_KEY, []):
        raise Http404()
    app = get_object_or_404(Application.objects.select_related("form"), reference=reference, form__slug=slug)
    secrets_shown = request.session.get(SECRET_KEY, {})
    secret = secrets_shown.pop(reference, None)
    if secret is not None:
        request.session.modified = True
    return render(request, "applications/done.html", {"app": app, "secret": secret,
                                                       "status_url": reverse("applications:status")})


# ---------------------------------------------------------------- status, correction, withdrawal

def _unlocked(request: HttpRequest, reference: str) -> Application:
    if reference not in request.session.get(ACCESS_KEY, []):
        raise Http404()
    return get_object_or_404(Application.objects.select_related("form", "version"), reference=reference)


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """Reference + secret → the application's page (the reference is unlocked for this browser session)."""
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app = services.find(form.cleaned_data["reference"], form.cleaned_data["secret"])
        except services.ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            unlocked = request.session.get(ACCESS_KEY, [])
            if app.reference not in unlocked:
                request.session[ACCESS_KEY] = (unlocked + [app.reference])[-20:]
            return redirect("applications:detail", reference=app.reference)
    return render(request, "applications/status.html", {"form": form}, status=400 if form.errors else 200)


def _correction_form(app: Application, correction, data=None, files=None):
    form = eforms.build_form(app.version, data=data, files=files)
    listed = [n for n in (correction.fields or []) if n in form.fields] or list(form.fields)
    form.fields = {name: form.fields[name] for name in listed}
    if data is None:
        form.initial = {n: app.data.get(n) for n in listed if n in (app.data or {})}
    return form


@require_safe
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    app = _unlocked(request, reference)
    correction = services.open_correction(app)
    return render(request, "applications/detail.html", {
        "app": app, "history": app.status_changes.all(), "correction": correction,
        "correction_form": _correction_form(app, correction) if correction else None,
        "can_withdraw": app.status not in services.FINAL})


@require_POST
def correction(request: HttpRequest, reference: str) -> HttpResponse:
    app = _unlocked(request, reference)
    open_one = services.open_correction(app)
    if open_one is None:
        messages.error(request, _("回答できる補正要求はありません"))
        return redirect("applications:detail", reference=reference)
    listed = _correction_form(app, open_one).fields
    data = {}
    for name in listed:
        kind = next((f["kind"] for f in app.version.definition.get("fields", []) if f["name"] == name), "text")
        if kind == "multichoice":
            data[name] = request.POST.getlist(name)
        elif kind == "checkbox":
            data[name] = "on" if request.POST.get(name) else ""
        elif kind != "file":
            data[name] = request.POST.get(name, "")
    try:
        services.answer_correction(app, open_one, data, {k: v for k, v in request.FILES.items() if k in listed})
    except services.ApplicationError as exc:
        form = _correction_form(app, open_one, data=request.POST, files=request.FILES)
        for name, msgs in getattr(exc, "errors", {exc.param: [exc.message]}).items():
            for msg in msgs:
                form.add_error(name if name in form.fields else None, msg)
        return render(request, "applications/detail.html", {
            "app": app, "history": app.status_changes.all(), "correction": open_one, "correction_form": form,
            "can_withdraw": app.status not in services.FINAL}, status=400)
    messages.success(request, _("補正の内容を送信しました。担当課が確認します。"))
    return redirect("applications:detail", reference=reference)


@require_POST
def withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    """取下げ: the first POST shows a confirmation page; the second (``confirm=1``) withdraws."""
    app = _unlocked(request, reference)
    form = WithdrawForm(request.POST)
    if request.POST.get("confirm") != "1" or not form.is_valid():
        return render(request, "applications/withdraw.html", {"app": app, "form": WithdrawForm()})
    try:
        services.withdraw(app, reason=form.cleaned_data["reason"])
    except services.ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("申請を取り下げました。"))
    return redirect("applications:detail", reference=reference)
