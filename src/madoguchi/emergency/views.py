"""Pages of emergency mode: /emergency/ (public disaster content), an alert, the staff page, /signage/.

Who may call: ``index``, ``alert_detail`` and ``signage`` — anyone (GET); every ``staff_*`` view — staff
(``staff_member_required``), POST with CSRF token.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import services
from .forms import ModeForm, RuleForm, UploadForm
from .models import Alert, Dispatch, Rule


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Disaster content: the mode, hazard information for the city, open shelters, official links."""
    return render(request, "emergency/home.html", services.emergency_context())


@require_safe
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One received message: parsed areas and levels; raw XML (escaped) for unknown or failed ones."""
    alert = get_object_or_404(Alert.objects.exclude(state=Alert.State.FAILED), pk=pk) \
        if not request.user.is_staff else get_object_or_404(Alert, pk=pk)
    areas = [a for a in alert.parsed.get("areas", []) if any(k for k in a.get("kinds", []))
             or a.get("intensity")][:300]
    return render(request, "emergency/alert.html", {"alert": alert, "areas": areas,
                                                    "city_codes": {e["code"] for e in alert.city_areas}})


@require_safe
def signage(request: HttpRequest) -> HttpResponse:
    """Full-screen page for public displays; reloads itself (meta refresh), needs no input."""
    context = services.signage_context()
    response = render(request, "emergency/signage.html", context)
    response["Refresh"] = str(context["refresh_s"])  # reload without script; <noscript> meta as well
    response["Cache-Control"] = "no-cache"
    return response


@staff_member_required
@require_safe
def staff_page(request: HttpRequest) -> HttpResponse:
    return render(request, "emergency/staff.html", {
        "state": services.current_state(), "log": services.mode_log(20), "mode_form": ModeForm(),
        "upload_form": UploadForm(), "rules": Rule.objects.all(),
        "pending": Dispatch.objects.filter(state=Dispatch.State.PENDING).select_related("alert"),
        "alerts": Alert.objects.defer("raw", "parsed")[:30]})


@staff_member_required
@require_POST
def staff_mode(request: HttpRequest) -> HttpResponse:
    form = ModeForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        services.set_mode(d["active"], reason=d["reason"], user=request.user, title=d["title"], message=d["message"])
        messages.success(request, "緊急モードにしました" if d["active"] else "通常に戻しました")
    else:
        messages.error(request, "切り替えられません: " + " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("emergency:staff")


@staff_member_required
@require_POST
def staff_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "ファイルを選んでください")
        return redirect("emergency:staff")
    upload = form.cleaned_data["file"]
    alert = services.import_xml(upload.read(), source=Alert.Source.UPLOAD, name=upload.name, user=request.user)
    if alert.state == Alert.State.FAILED:
        messages.error(request, f"読み取れません: {alert.failure}")
    else:
        messages.success(request, f"取り込みました: {alert.title}（該当ルール {alert.dispatches.count()} 件）")
    return redirect("emergency:alert", alert.pk)


@staff_member_required
@require_POST
def staff_fetch(request: HttpRequest) -> HttpResponse:
    result = services.fetch_feeds_task.enqueue()
    messages.success(request, f"気象庁フィードの取得を予約しました（{result.id}）")
    return redirect("emergency:staff")


@staff_member_required
@require_POST
def staff_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        if request.POST.get("action") == "send":
            services.confirm_dispatch(pk, user=request.user)
            messages.success(request, "防災情報の購読者への通知を送りました")
        else:
            services.dismiss_dispatch(pk, user=request.user)
            messages.success(request, "通知しないことにしました")
    except services.EmergencyError as exc:
        messages.error(request, exc.message)
    return redirect("emergency:staff")


@staff_member_required
@require_http_methods(["GET", "POST"])
def staff_rule(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk) if pk else None
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "ルールを保存しました")
        return redirect("emergency:staff")
    return render(request, "emergency/rule_form.html", {"form": form, "rule": rule},
                  status=400 if request.method == "POST" else 200)
