"""The site's languages (issue #18): the language switch and the ``hreflang`` links of every page,
and the language of an API message.

Japanese is the default at ``/…``; English pages are at ``/en/…`` (``urls.py``: ``i18n_patterns``
with ``prefix_default_language=False``). Only the pages inside ``i18n_patterns`` have an English
address; from any other page the switch leads to the home page of the other language.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import gettext_noop


def _has_language_prefix(path: str) -> bool:
    """Whether *path* (no query) resolves inside ``i18n_patterns`` (the English version exists):
    ``translate_url`` answers *path* unchanged for a path outside them or one that does not resolve."""
    return translate_url(path, "en").startswith("/en/")


#: The query parameter of the language switch on a staff page: ``/staff/?language=en`` remembers the
#: language in ``settings.LANGUAGE_COOKIE_NAME`` and redirects to the page without it.
SWITCH_PARAMETER = "language"


def is_staff_page(path: str) -> bool:
    """Whether *path* is a staff page that has no address per language (a ``staff`` segment, outside
    ``i18n_patterns``: ``/staff/…``, ``/plans/staff/…``, ``/staff/quality/``); its language is the cookie's."""
    return bool(re.search(r"(^|/)staff(/|$)", path)) and not _has_language_prefix(path)


class StaffLanguageMiddleware:
    """The language of staff pages (issue #18). They are outside ``i18n_patterns`` (no ``/en/`` address),
    where ``LocaleMiddleware`` always answers Japanese; here the language cookie decides instead, which
    the language switch of a staff page sets (``?language=en``: cookie set, redirect to the page). Without
    the cookie a staff page stays Japanese whatever ``Accept-Language`` says (one language per form).
    Goes right after ``LocaleMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_staff_page(request.path):
            return self.get_response(request)
        languages = dict(settings.LANGUAGES)
        chosen = request.GET.get(SWITCH_PARAMETER)
        if chosen in languages and request.method in ("GET", "HEAD"):
            query = request.GET.copy()
            del query[SWITCH_PARAMETER]
            response = HttpResponseRedirect(request.path + (f"?{query.urlencode()}" if query else ""))
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, chosen, max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE)
            return response
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language in languages and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


def language_urls(request: HttpRequest) -> dict[str, str]:
    """``{language code: URL of this page in that language}`` for every ``settings.LANGUAGES``;
    the query string is kept. A page outside ``i18n_patterns`` maps to each language's home page
    (``/`` or ``/en/``), except its own language, which keeps the page; a staff page maps to itself with
    ``?language=<code>`` (``StaffLanguageMiddleware``)."""
    path = request.path
    query = request.GET.urlencode()
    current = translation.get_language() or settings.LANGUAGE_CODE
    translatable = _has_language_prefix(path) if request.resolver_match is not None else False
    staff = not translatable and request.resolver_match is not None and is_staff_page(path)
    urls: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        if code == current:
            url = path
        elif staff:
            switch = request.GET.copy()
            switch[SWITCH_PARAMETER] = code
            urls[code] = f"{path}?{switch.urlencode()}"
            continue
        elif translatable:
            url = translate_url(path, code)
        else:
            url = "/" if code == settings.LANGUAGE_CODE else f"/{code}/"
        urls[code] = f"{url}?{query}" if query and (code == current or translatable) else url
    return urls


def language_links(request: HttpRequest) -> dict:
    """Context processor: ``language_links``, a list of ``{"code", "name", "url", "current"}`` (one per
    ``settings.LANGUAGES``; ``name`` in its own language), and ``hreflang_links``, the same as
    ``{"hreflang", "url"}`` plus ``x-default`` (the Japanese page) — only for pages that exist in
    every language."""
    urls = language_urls(request)
    current = translation.get_language() or settings.LANGUAGE_CODE
    links = [{"code": code, "name": name, "url": urls[code], "current": code == current}
             for code, name in settings.LANGUAGES]
    translatable = request.resolver_match is not None and _has_language_prefix(request.path)
    hreflang = []
    if translatable:
        base = request.build_absolute_uri("/")[:-1]
        hreflang = [{"hreflang": code, "url": base + urls[code]} for code, _ in settings.LANGUAGES]
        hreflang.append({"hreflang": "x-default", "url": base + urls[settings.LANGUAGE_CODE]})
    return {"language_links": links, "hreflang_links": hreflang}


def api_language(request: HttpRequest) -> str:
    """The language of an API message: ``"en"`` when the client's ``Accept-Language`` prefers English
    over Japanese, else ``settings.LANGUAGE_CODE`` (``"ja"``). The URL never carries a language under
    ``/api/``, so only the header counts (``LocaleMiddleware`` would answer Japanese)."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for lang, _q in translation.trans_real.parse_accept_lang_header(header):
        code = lang.split("-")[0].lower()
        if code in dict(settings.LANGUAGES):
            return code
    return settings.LANGUAGE_CODE


#: Labels madoguchi defines in models and services (choices, status names) that public pages show
#: through ``{% translate value %}``: listed here so that ``makemessages`` keeps them in the catalogue.
MODEL_LABELS = [
    # reservations.models.FacilityType, HolidayRule, ACCESSIBILITY
    gettext_noop("屋外スポーツ施設"), gettext_noop("屋内スポーツ施設"), gettext_noop("文化・市民館"),
    gettext_noop("地域の集会施設"),
    gettext_noop("祝日も開館"), gettext_noop("祝日は休館"), gettext_noop("休館日が祝日の場合は開館し、翌平日を休館"),
    gettext_noop("段差なし（車いすで入れる）"), gettext_noop("車いす対応トイレ"), gettext_noop("エレベーター"),
    gettext_noop("障害者用駐車場"), gettext_noop("磁気ループ（補聴援助）"), gettext_noop("補助犬同伴可"),
    gettext_noop("オストメイト対応トイレ"),
    # reservations.services.STATUSES, models.PeriodState, Outcome, PriorityClass
    gettext_noop("空き"), gettext_noop("予約済み"), gettext_noop("抽選"), gettext_noop("受付停止"), gettext_noop("受付終了"),
    gettext_noop("受付前"), gettext_noop("受付中"), gettext_noop("締切（抽選待ち）"), gettext_noop("抽選済み"),
    gettext_noop("当選"), gettext_noop("繰り下げ（重なる当選枠を優先）"), gettext_noop("落選"),
    gettext_noop("一般"), gettext_noop("障害者スポーツ・福祉団体"), gettext_noop("青少年団体"), gettext_noop("市・区の主催事業"),
    gettext_noop("－"),  # the availability symbol of closed and past slots
    # reservations.models.WEEKDAYS_JA, one character each (Facility.closed_weekdays_label)
    gettext_noop("月"), gettext_noop("火"), gettext_noop("水"), gettext_noop("木"), gettext_noop("金"), gettext_noop("土"),
    gettext_noop("日"),
    # catalog.models.UpdateFrequency (quality/_freshness_badge.html)
    gettext_noop("毎日"), gettext_noop("毎週"), gettext_noop("毎月"), gettext_noop("四半期ごと"), gettext_noop("毎年"),
    gettext_noop("不定期"), gettext_noop("更新なし"), gettext_noop("未設定"),
    # datastore.models.IngestJob.State (staff/dashboard.html)
    gettext_noop("待機中"), gettext_noop("処理中"), gettext_noop("完了"), gettext_noop("失敗"),
    # plans.models.Plan.Kind, AuditLogEntry.Action (plans/staff/dashboard.html)
    gettext_noop("計画"), gettext_noop("実施計画・プログラム"), gettext_noop("総合計画"), gettext_noop("前計画"),
    gettext_noop("作成"), gettext_noop("変更"), gettext_noop("削除"),
    # consultations: the default channels (migration 0002), notices.services.DEFAULT_TOPICS,
    # reports.models.ServiceRequest.Status and reports.services.DEFAULT_SERVICES (their names)
    gettext_noop("インターネット"), gettext_noop("電子メール"), gettext_noop("FAX"), gettext_noop("郵送"), gettext_noop("持参"),
    gettext_noop("防災"), gettext_noop("イベント"), gettext_noop("子育て"), gettext_noop("ごみ"), gettext_noop("施設予約"),
    gettext_noop("計画・指標"),
    gettext_noop("受付"), gettext_noop("対応中"), gettext_noop("完了"), gettext_noop("対応不可"),
    gettext_noop("道路の損傷"), gettext_noop("街路灯の故障"), gettext_noop("公園の遊具・設備"), gettext_noop("落書き"),
    gettext_noop("ごみの散乱・不法投棄"),
    # plans.reports.published_checks (the names without a code)
    gettext_noop("合計"), gettext_noop("状況別の件数"), gettext_noop("状況別の割合 (%)"),
]
