"""Every public page of madoguchi, in ONE list (issue #18): the accessibility sweep
(tests/browser/test_browser_accessibility.py) visits each of them, and tests/test_public_pages_listed.py
fails when a public URL pattern of src/madoguchi/urls.py is neither listed here nor excluded by a rule
below (each rule says why).

A page is ``Page(pattern name, path template, english, key)``: ``{placeholders}`` in the path come from
``seed_demo()`` (the demo objects the pages need); ``english`` = the pattern is inside ``i18n_patterns`` and
also served in English at ``/en/…``; ``key`` = a key citizen page, also checked at 200 % text size and for
44 × 44 px touch targets. ``login`` = the page needs a signed-in citizen (visited last, with a session).
``session`` = the page is behind a step of a flow that the view remembers in the session (the done page of an
application, a status page unlocked with the reference and secret, the bulky-waste date step with items in the
cart): the sweep gives each pass a fresh session with what those steps leave (``demo_session()``), so the
pages are swept as a citizen arriving there sees them; the steps themselves are driven by the keyboard flows.

Not importable by Django code (tests only); no database access at import time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


@dataclass(frozen=True)
class Page:
    name: str  # URL pattern name, "namespace:name"
    path: str  # path template, "{slot}" etc. filled from seed_demo()
    english: bool = False  # inside i18n_patterns: also at /en/…
    key: bool = False  # key citizen page: 200 % text and touch targets checked too
    login: bool = False  # needs the demo citizen signed in
    status: int = 200
    en_path: str = ""  # the English page's path when its query differs (English data), else "/en" + path
    expect: str = ""  # a CSS selector that must match: the demo objects are really on the page
    session: bool = False  # behind a step of a flow: needs demo_session() (submitted/unlocked references, a cart)


PAGES: list[Page] = [
    # catalogue (i18n)
    Page("catalog:home", "/", english=True, key=True),
    Page("catalog:datasets", "/datasets/?q=ごみ", english=True, key=True, expect=".results .cards > li"),
    Page("catalog:dataset", "/datasets/{dataset}/", english=True),
    Page("catalog:resource", "{resource}", english=True, expect="#preview tbody tr"),
    Page("quality:resource", "{resource}quality/", english=True),
    Page("standards:list", "/standards/", english=True),
    Page("standards:detail", "/standards/aed-v1/", english=True),
    # citizen services (i18n)
    Page("gomi:search", "/garbage/?city=kawasaki&q=ぺっとぼとる&area=川崎区 浅田", english=True, key=True,
         en_path="/garbage/?q=aluminum+foil", expect=".gomi-item"),
    Page("shelters:list", "/shelters/?postal_code=2100005", english=True, key=True, expect=".shelter-item"),
    Page("shelters:map", "/shelters/map/?lat=35.5309&lon=139.6968", english=True),
    Page("reservations:index", "/reservations/", english=True, key=True),
    Page("reservations:facility", "/reservations/facilities/nakahara-tennis/?start={slot_day}", english=True),
    Page("reservations:slot", "/reservations/slots/{slot}/", english=True),
    Page("reservations:periods", "/reservations/lottery/", english=True),
    Page("reservations:period", "/reservations/lottery/{period}/", english=True),
    Page("reservations:login", "/reservations/login/", english=True, key=True),
    Page("reservations:register", "/reservations/register/", english=True),
    Page("reservations:mine", "/reservations/mine/", english=True, key=True, login=True),
    Page("reservations:cancel", "/reservations/bookings/{booking}/cancel", english=True, key=True, login=True),
    Page("reservations:withdraw", "/reservations/entries/{entry}/withdraw", english=True, key=True, login=True),
    Page("events:list", "/events/", english=True, key=True, expect=".event-cards > li"),
    Page("events:detail", "/events/{event}/", english=True),
    Page("events:login", "/events/login/", english=True),
    Page("counters:index", "/counters/", english=True),
    Page("counters:counter", "/counters/nakahara/koseki/", english=True),
    Page("faq:ask", "/faq/?q=保育園に入りたい", english=True, key=True, expect=".bubble.city"),
    # procedures (issue #14): the guide, an online application (water-start) step by step, bulky waste
    Page("procedures:index", "/procedures/?q=転入", english=True, key=True),
    Page("procedures:detail", "/procedures/{procedure}/", english=True),
    Page("procedures:life_events", "/procedures/life-events/", english=True),
    Page("procedures:life_event", "/procedures/life-events/引越し/", english=True, key=True),
    Page("applications:status", "/procedures/status/", english=True, key=True),
    Page("applications:start", "/procedures/apply/water-start/", english=True, key=True),
    Page("applications:verify", "/procedures/apply/water-start/d/{new_draft}/verify/", english=True, key=True),
    Page("applications:step", "/procedures/apply/water-start/d/{draft}/step/1/", english=True, key=True,
         expect="input[name=postal_code]"),
    Page("applications:confirm", "/procedures/apply/water-start/d/{draft}/confirm/", english=True, key=True,
         expect="dl.answers"),
    Page("applications:done", "/procedures/apply/water-start/done/{reference}/", english=True, session=True,
         expect=".reference"),
    Page("applications:detail", "/procedures/status/{reference}/", english=True, key=True, session=True,
         expect="form[action$='/withdraw/']"),
    Page("bulky:start", "/procedures/bulky-waste/", english=True, key=True),
    Page("bulky:apply", "/procedures/bulky-waste/apply/?area={bulky_area}", english=True, key=True, session=True,
         expect="input[name=date]"),
    Page("bulky:status", "/procedures/bulky-waste/status/", english=True),
    # city government (i18n since issue #18's move of their public routes into i18n_patterns)
    Page("plans:plans", "/plans/", english=True),
    Page("plans:plan", "/plans/kawasaki-ict-program-2016/", english=True),
    Page("plans:policy", "/plans/kawasaki-comprehensive-plan/policies/4-2-5/", english=True),
    Page("plans:sheet", "/plans/kawasaki-comprehensive-plan/policies/4-2-5/evaluations/2019/", english=True),
    Page("consultations:index", "/consultations/", english=True),
    Page("consultations:detail", "/consultations/{consultation}/", english=True),
    Page("consultations:opinion", "/consultations/{consultation}/opinion/", english=True, key=True),
    Page("consultations:thanks", "/consultations/{consultation}/opinion/thanks/", english=True),
    Page("reports:index", "/reports/", english=True, expect="a[href$='/reports/{report}/']"),
    Page("reports:new", "/reports/new/", english=True, key=True),
    Page("reports:map", "/reports/map/", english=True),
    Page("reports:detail", "/reports/{report}/", english=True),
    Page("reports:track", "/reports/track/{report_token}/", english=True),
    Page("notices:subscribe", "/notices/", english=True, key=True),
    Page("notices:topic", "/notices/t/bousai/", english=True),
    Page("notices:detail", "/notices/n/{notice}/", english=True),
    Page("notices:verify", "/notices/v/{verify_token}/", english=True),
    Page("notices:unsubscribe", "/notices/u/{unsub_token}/", english=True),
    # Japanese-only apps (outside i18n_patterns)
    Page("emergency:index", "/emergency/"),
    Page("emergency:alert", "/emergency/alerts/{alert}/"),
    Page("signage:index", "/signage/"),
    Page("easy:reservations", "/easy/reservations/"),
    Page("easy:procedures", "/easy/procedures/"),  # plain-Japanese guide to the procedures (issue #14)
]

# --- what is not a public page, as rules with their reasons -------------------------------------------

#: A pattern whose route starts with one of these is not a public HTML page.
EXCLUDED_PREFIXES: dict[str, str] = {
    "admin/": "Django admin: staff only",
    "api/": "the JSON API and CKAN's action API: machine-readable, not pages",
    "open311/": "Open311 GeoReport v2: JSON/XML for machines",
    "staff/": "staff pages (login required); their axe checks are in each app's staff browser test",
}
#: A route with one of these path segments is a staff page (…/staff/…).
EXCLUDED_SEGMENTS: dict[str, str] = {
    "staff": "staff pages (login required); their axe checks are in each app's staff browser test",
}
#: A route whose last segment is a file name (x.csv, calendar.ics, sw.js, download\.(?P<fmt>…)$).
FILE_REASON = "a file (download, feed, data, photo or script), not a page"
#: Patterns excluded one by one.
EXCLUDED_NAMES: dict[str, str] = {
    "reservations:book": "POST action of the slot page's form",
    "reservations:apply": "POST action of the slot page's lottery form",
    "reservations:logout": "POST action",
    "events:logout": "POST action",
    "events:mine": "event organisers' pages behind a login (not citizens'); staff-like workflow",
    "events:new": "event organisers' pages behind a login",
    "events:edit": "event organisers' pages behind a login",
    "events:submit": "POST action",
    "events:publish": "POST action (staff)",
    "events:reject": "POST action (staff)",
    "events:unpublish": "POST action (staff)",
    "counters:stream": "server-sent events stream of /counters/, not a page",
    "faq:handoff": "POST action of the FAQ page's hand-off form (its result is checked in test_browser_faq)",
    "catalog:original": FILE_REASON + " (a version's original upload)",
    "notices:click": "redirect of a tracked link in a message",
    "notices:line_webhook": "LINE webhook (POST, signed)",
    "notices:push_subscribe": "Web Push subscription endpoint (POST, JSON)",
    "consultations:result": "needs a published result: axe-checked in test_browser_consultations",
    "consultations:result_print": "print layout (A4) of the published result, not a screen page",
    "bulky:cart": "POST action of the bulky-waste page's item form",
    "bulky:submit": "POST action of the bulky-waste confirmation",
    "applications:resume": "the resume link only redirects to the step the draft is at (swept as applications:step)",
    "applications:correction": "POST action of the application status page",
    "applications:withdraw": "POST action of the application status page",
    "easy:garbage": "plain-Japanese pages: swept at 320 and 1280 px with axe in test_browser_easy",
    "easy:shelters": "plain-Japanese pages: swept at 320 and 1280 px with axe in test_browser_easy",
    "easy:emergency": "plain-Japanese pages: swept at 320 and 1280 px with axe in test_browser_easy",
}


def exclusion_reason(route: str, name: str | None) -> str | None:
    """Why the URL pattern ``route`` (the full route string, without the /en/ prefix) named ``name`` is
    not a public page; ``None`` when it is one (and must then be in ``PAGES``)."""
    if name in EXCLUDED_NAMES:
        return EXCLUDED_NAMES[name]
    plain = route.lstrip("^")
    for prefix, reason in EXCLUDED_PREFIXES.items():
        if plain.startswith(prefix):
            return reason
    segments = [s for s in re.split(r"[/^]", plain) if s]
    for segment, reason in EXCLUDED_SEGMENTS.items():
        if segment in segments:
            return reason
    if "." in plain.rstrip("/$").rsplit("/", 1)[-1]:  # x.csv, calendar.ics, sw.js, download\.(?P<fmt>…)$
        return FILE_REASON
    return None


# --- the demo objects the pages need -------------------------------------------------------------------

JMA_SAMPLE = Path(__file__).resolve().parents[1] / "files" / "jma" / "15_14_01_170216_VPWW53.xml"
CITIZEN, CITIZEN_PASSWORD = "hanako@example.jp", "kawasaki-test-pw-7"
DATASET = "sapporo-population-by-town"


def seed_demo() -> dict:
    """Create the objects every listed page needs (call with the bundle loaded; each call in a fresh
    database). Returns the placeholders of the paths: ids, slugs, tokens, and ``citizen`` (a User)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from madoguchi.catalog.models import Resource
    from madoguchi.consultations import services as consultations
    from madoguchi.consultations.models import Consultation
    from madoguchi.counters import services as counters
    from madoguchi.counters.models import Office
    from madoguchi.emergency import services as emergency
    from madoguchi.events.models import Event
    from madoguchi.faq import services as faq
    from madoguchi.gomi import services as gomi
    from madoguchi.notices import services as notices
    from madoguchi.notices.models import Notice, Topic
    from madoguchi.plans import services as plans
    from madoguchi.reports import services as reports
    from madoguchi.reservations import services as reservations
    from madoguchi.reservations.models import Slot
    from madoguchi.shelters import services as shelters

    out: dict = {"dataset": DATASET}
    resource = next(r for r in Resource.objects.filter(dataset__slug=DATASET).order_by("position", "pk")
                    if r.current_version and r.current_version.has_table and r.current_version.row_count)
    out["resource"] = resource.get_absolute_url()
    gomi.install_default_sources()
    gomi.install_english_sources()
    shelters.install_default_sources()
    now = timezone.now()
    demo = reservations.seed_demo()
    out["period"] = demo["period"].pk
    slot = (Slot.objects.filter(lottery_period__isnull=True, start__gt=now + dt.timedelta(days=2),
                                unit__facility__slug="nakahara-tennis").order_by("start", "unit").first())
    out["slot"], out["slot_day"] = slot.pk, slot.start.date().isoformat()
    user = get_user_model().objects.create_user(CITIZEN, email=CITIZEN, password=CITIZEN_PASSWORD)
    member = reservations.register_member(user=user, name="川崎 花子", email=CITIZEN)
    later = (Slot.objects.filter(lottery_period__isnull=True, start__gt=now + dt.timedelta(days=3),
                                 unit__facility__slug="nakahara-tennis").exclude(pk=slot.pk).order_by("start").first())
    out["booking"] = reservations.book_slot(later.pk, member).pk
    in_lottery = Slot.objects.filter(lottery_period=demo["period"]).order_by("start", "unit").first()
    out["entry"] = reservations.apply_entry(demo["period"], in_lottery, member).pk
    out["citizen"] = user
    day = dt.date.today() + dt.timedelta(days=3)
    event = Event.objects.create(
        title="中原区 防災フェア", start_date=day, end_date=day, start_time=dt.time(10), end_time=dt.time(15),
        place_name="中原区役所", address="川崎市中原区小杉町3-245", area="中原区", category="防災",
        description="起震車と消火体験", state=Event.State.PUBLISHED)
    out["event"] = event.pk
    counters.seed_demo(days=1)
    Office.objects.update(opens_at=None, closes_at=None)
    faq.import_entries(("質問,回答,分類\n保育所に入るにはどうすればいいですか。,入所申込書を区役所の保育課に出して"
                        "ください。【お問い合わせ】保育課,子育て\n住民票の写しはどこで取れますか。,区役所の市民課"
                        "で取れます。【お問い合わせ】市民課,届出・証明\n").encode(), "faq.csv", state="published")
    plans.load_bundled(actor="accessibility sweep")
    consultations.ensure_defaults()
    c = Consultation.objects.create(
        slug="dx-plan-2027", title="デジタル化推進計画（案）", department="総務企画局 デジタル化推進室",
        summary="市の手続をスマートフォンでできるようにする計画の案です。", announced=True,
        announced_via="市政だより", starts_at=now - dt.timedelta(days=5), ends_at=now + dt.timedelta(days=25))
    c.channels.set(consultations.Channel.objects.all())
    out["consultation"] = c.slug
    reports.seed_services()
    report = reports.submit_report(service_code="park", description="公園のベンチが壊れています。",
                                   lat=35.5764, lon=139.6595)
    reports.moderate(report, publish=True)
    out["report"], out["report_token"] = report.pk, report.token
    alert = emergency.import_xml(JMA_SAMPLE.read_bytes(), name=JMA_SAMPLE.name)
    out["alert"] = alert.pk
    from madoguchi.procedures.models import Procedure

    if not Procedure.objects.exists():
        from madoguchi.procedures import services as procedures

        procedures.install_seed()
    out["procedure"] = Procedure.objects.order_by("pk").values_list("pk", flat=True).first()
    out.update(_seed_procedures(now))
    notices.install_defaults()
    notice = Notice.objects.create(title="大雨への備え", body="側溝の掃除をお願いします。",
                                   topic=Topic.objects.get(slug="bousai"), state=Notice.State.DONE)
    out["notice"] = notice.pk
    sub = notices.subscribe_mail("taro@example.jp", topics=["bousai"])
    out["verify_token"] = notices.make_token("verify", sub.pk)
    other = notices.subscribe_mail("jiro@example.jp", topics=["bousai"])
    out["unsub_token"] = notices.make_token("unsub", other.pk)
    return out


#: The answers of the demo form ``water-start`` (eforms.services.DEMO_DEFINITION), valid.
WATER_ANSWERS = {"name": "川崎 花子", "name_kana": "かわさき はなこ", "postal_code": "210-0005",
                 "address": "神奈川県川崎市川崎区東田町1-1", "start_date": "2027-04-01", "usage": "家庭用",
                 "phone": "044-200-0000", "email": CITIZEN}


def _seed_procedures(now) -> dict:
    """The online application's and the bulky-waste request's objects (issue #14): the published demo form, an
    unverified draft (the code step), a verified draft with every answer (the steps and 確認), a submitted
    application (its reference; its secret for ``demo_session``), the bulky form with areas and fees and a line
    for the cart."""
    import secrets

    from madoguchi.applications import services as applications
    from madoguchi.applications.models import Draft
    from madoguchi.bulky import services as bulky
    from madoguchi.eforms import services as eforms

    form = eforms.install_demo_form()
    version = form.current_version()
    expires = now + dt.timedelta(days=7)
    new = Draft.objects.create(token=secrets.token_urlsafe(24), form=form, version=version, email=CITIZEN,
                               expires_at=expires)
    draft = Draft.objects.create(token=secrets.token_urlsafe(24), form=form, version=version, email=CITIZEN,
                                 expires_at=expires, email_verified=True, data=dict(WATER_ANSWERS), step=3)
    app, _created, secret = applications.submit(version, dict(WATER_ANSWERS), {}, email=CITIZEN,
                                                client_token="accessibility-sweep-0001", email_verified=True)
    bulky.install()
    rule = bulky.fee_table(bulky.SOURCE, limit=1)[0]
    line = {"rule": str(rule.pk), "size": rule.tiers[0]["label"] if rule.tiers else "", "count": "1"}
    area = bulky.areas(bulky.SOURCE)[0]
    return {"new_draft": new.token, "draft": draft.token, "reference": app.reference, "secret": secret,
            "bulky_line": line, "bulky_area": quote(area.name)}


def demo_session(demo: dict) -> str:
    """A new session (its key, for the session cookie) as the flows leave it: the demo application submitted in
    this browser (its secret not shown yet) and unlocked with its secret, one item in the bulky-waste cart."""
    from importlib import import_module

    from django.conf import settings

    from madoguchi.applications import views as applications
    from madoguchi.bulky import views as bulky

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[applications.DONE_KEY] = [demo["reference"]]
    session[applications.SECRET_KEY] = {demo["reference"]: demo["secret"]}
    session[applications.ACCESS_KEY] = [demo["reference"]]
    session[bulky.CART] = [demo["bulky_line"]]
    session.save()
    return session.session_key


def settings_for_pages(settings) -> None:
    """The settings the demo needs (pytest-django's ``settings`` fixture): the city's box for reports, no
    map tiles from the network, the JMA areas of the sample alert, mail kept in memory."""
    settings.REPORTS_CITY_BBOX = (35.47, 139.46, 35.64, 139.80)
    settings.REPORTS_OPEN311_JURISDICTION_ID = ""
    settings.SHELTER_TILE_URL = ""
    settings.EMERGENCY_JMA_AREAS = {"1310400": ["新宿区"], "1330800": ["奥多摩町"]}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTICES_SITE_URL = "https://www.example.jp"
    settings.NOTICES_FROM_EMAIL = "notices@example.jp"


def expected(page: Page, demo: dict) -> str:
    """``page.expect`` with the demo's placeholders."""
    return page.expect.format(**demo)


def url(page: Page, demo: dict, english: bool = False) -> str:
    """The path of ``page`` with the demo's placeholders (``/en/…`` when ``english``)."""
    if english:
        return "/en" + (page.en_path or page.path).format(**demo)
    return page.path.format(**demo)
