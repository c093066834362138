"""Public views of the notices app: subscribe, verify, unsubscribe (RFC 8058 one-click), the click
redirect, topic pages, the LINE webhook, the Web Push endpoints and the service worker."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import services
from .forms import SubscribeForm
from .models import Notice, Topic

SW_PATH = Path(__file__).parent / "static" / "notices" / "sw.js"


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """``/notices/`` — anyone. GET: the topics, their feeds and the mail form; POST (CSRF, rate-limited per
    address): start a mail subscription (a confirmation link is sent)."""
    form = SubscribeForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            services.subscribe_mail(form.cleaned_data["email"], topics=[t.slug for t in form.cleaned_data["topics"]],
                                    areas=[a.name for a in form.cleaned_data["areas"]])
            done = True
        except services.NoticeError as exc:
            form.add_error(exc.field or None, exc.message)
    return render(request, "notices/subscribe.html", {
        "form": form, "done": done, "topics": Topic.objects.filter(active=True),
        "vapid_public_key": settings.NOTICES_VAPID_PUBLIC_KEY}, status=200 if not form.errors else 400)


@require_safe
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """``/notices/v/<token>/`` — anyone holding the signed link from the confirmation mail."""
    try:
        services.verify_mail(token)
    except (services.BadSignature, services.Subscription.DoesNotExist):
        return render(request, "notices/message.html", {
            "title": _("確認できませんでした"),
            "text": _("リンクが正しくないか、期限が切れています。もう一度登録してください。")}, status=400)
    return render(request, "notices/message.html", {
        "title": _("登録が完了しました"), "text": _("お知らせメールの配信を始めます。メールの末尾のリンクからいつでも停止できます。")})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """``/notices/u/<token>/`` — anyone holding the signed token (from a message). GET: a confirmation button;
    POST: deletes the subscription — RFC 8058 one-click (``List-Unsubscribe=One-Click``), so no session and no
    CSRF token: the signed token in the URL is the authority."""
    try:
        services.read_token(token, "unsub")
    except services.BadSignature:
        return render(request, "notices/message.html", {"title": _("リンクが正しくありません"),
                                                        "text": _("配信停止のリンクを確認してください。")}, status=400)
    if request.method == "POST":
        services.unsubscribe(token)
        return render(request, "notices/message.html", {
            "title": _("配信を停止しました"), "text": _("購読の情報は削除しました。")})
    return render(request, "notices/unsubscribe.html", {"token": token})


@require_safe
def click(request: HttpRequest, token: str) -> HttpResponse:
    """``/notices/r/<token>`` — anyone: counts one click of a notice's link and redirects to it."""
    try:
        link = services.record_click(token)
    except (services.BadSignature, Notice.DoesNotExist, ValueError):
        raise Http404("no such link") from None
    if not link.startswith(("https://", "http://", "/")):
        raise Http404("no such link")
    return HttpResponseRedirect(link)


def topic(request: HttpRequest, slug: str) -> HttpResponse:
    """``/notices/t/<slug>/`` — anyone: the topic's recent notices and its feeds."""
    obj = get_object_or_404(Topic, slug=slug)
    notices = Notice.objects.filter(topic=obj, state__in=[Notice.State.QUEUED, Notice.State.DONE])[:30]
    return render(request, "notices/topic.html", {"topic": obj, "notices": notices})


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """``/notices/n/<pk>/`` — anyone: one sent notice."""
    notice = get_object_or_404(Notice, pk=pk, state__in=[Notice.State.QUEUED, Notice.State.DONE])
    return render(request, "notices/detail.html", {"notice": notice})


@csrf_exempt
@require_POST
def line_webhook(request: HttpRequest) -> HttpResponse:
    """``/notices/line/webhook`` — LINE's servers only: no CSRF, the ``X-Line-Signature`` HMAC is checked
    (403 and a ``WebhookRecord`` when it does not match)."""
    try:
        services.handle_line_webhook(request.body, request.headers.get("X-Line-Signature", ""),
                                     remote_addr=request.META.get("REMOTE_ADDR", ""))
    except services.BadSignature:
        return HttpResponseForbidden("bad signature")
    return HttpResponse("OK")


@require_POST
def push_subscribe(request: HttpRequest) -> HttpResponse:
    """``/notices/push/subscribe`` — anyone, with the CSRF token (header ``X-CSRFToken``): JSON
    ``{"subscription": {"endpoint", "keys": {"p256dh", "auth"}}, "topics": [slug…], "areas": [name…]}``."""
    try:
        data = json.loads(request.body)
        sub = data["subscription"]
        services.subscribe_webpush(sub["endpoint"], sub.get("keys") or {}, topics=data.get("topics") or [],
                                   areas=data.get("areas") or [])
    except (ValueError, KeyError, TypeError, AttributeError):
        return HttpResponseBadRequest("bad subscription")
    except services.NoticeError as exc:
        return JsonResponse({"error": exc.message}, status=400)
    return JsonResponse({"ok": True, "unsubscribe": services.unsubscribe_url(
        services.Subscription.objects.get(channel="webpush", address=sub["endpoint"]))})


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/notices/sw.js`` — anyone: the Web Push service worker, allowed to control the whole site
    (``Service-Worker-Allowed: /``; register it with ``{scope: "/"}``)."""
    response = HttpResponse(SW_PATH.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
