"""The accessibility sweep (issue #18): every public page of tests/browser/public_pages.py, in Japanese and,
where it has one, in English (/en/…), at 320 px and 1280 px, through axe-core (WCAG 2.0/2.1 A and AA), with
no horizontal scroll; key citizen pages also at 200 % text size (1280 px, WCAG 1.4.4/1.4.10) and with
touch targets of at least 44 × 44 px for the controls of their forms (320 px, WCAG 2.5.5).

Fast on purpose: one test (one browser context, one demo database) per language and width, the pages
visited in a loop, axe injected once per page, every problem collected and reported together.
"""

from __future__ import annotations

import re
import time

import pytest

from . import public_pages

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 640}

pytestmark = pytest.mark.browser

VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
DATASET = public_pages.DATASET
SWEEP = [(lang, viewport) for lang in ("ja", "en") for viewport in (NARROW, DESKTOP)]
SWEEP_SECONDS: dict[str, float] = {}  # wall time per (language, width), printed at the end of the session
PAGE_SECONDS: dict[str, float] = {}  # wall time per visited page, the slowest printed with the above

#: The controls of a form that must be at least 44 × 44 px (visible ones; inline text links are exempt).
TARGETS_JS = """() => [...document.querySelectorAll(
    'main form button, main form [type=submit], main form [type=button], main form select, main form a.button')]
    .filter(el => el.offsetParent !== null && getComputedStyle(el).visibility !== 'hidden')
    .map(el => { const r = el.getBoundingClientRect();
                 return {what: el.outerHTML.slice(0, 90), w: Math.round(r.width), h: Math.round(r.height)}; })"""


def resource_path(slug: str = DATASET) -> str:
    """The first resource of ``slug`` that has a table preview."""
    from madoguchi.catalog.models import Resource

    for resource in Resource.objects.filter(dataset__slug=slug).order_by("position", "pk"):
        version = resource.current_version
        if version and version.has_table and version.row_count:
            return resource.get_absolute_url()
    raise AssertionError(f"no resource with a table in {slug}")


STAFF_PAGES = {
    "quality dashboard": lambda: "/staff/quality/",
    "new dataset": lambda: "/staff/datasets/new/",
    "suppression": lambda: f"/staff/privacy/resources/{resource_path().rstrip('/').rsplit('/', 1)[1]}/suppress/",
}


@pytest.fixture
def demo(settings, bundle):
    public_pages.settings_for_pages(settings)
    return public_pages.seed_demo()


def _session_cookies(demo) -> tuple[str, str]:
    """``(flow, citizen)`` session keys for one pass, made in the test's thread (database access): a fresh
    session as the flows leave it, for the pages behind a flow's step (``Page.session``), and the signed-in
    citizen's session (no login form: the keyboard tests go through the form)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(demo["citizen"])
    return public_pages.demo_session(demo), client.cookies[settings.SESSION_COOKIE_NAME].value


def _set_session(context, live_server, key: str) -> None:
    from django.conf import settings

    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": key, "url": live_server.url}])


def test_every_public_page__axe_clean_and_fits(demo, live_server, browser, axe):
    """One test, not one per language and width: resetting the demo database between browser tests
    costs ~20 s here, more than a language × width pass. The English passes run in a second Chromium in a
    thread of their own (Playwright's sync API: one instance per thread) while this one does the Japanese
    ones: the sweep takes about half the time. Only this thread touches the database."""
    from concurrent.futures import ThreadPoolExecutor

    from playwright.sync_api import sync_playwright

    from .conftest import CHROMIUM, CHROMIUM_ARGS

    problems: list[str] = []
    cookies = {(lang, viewport["width"]): _session_cookies(demo) for lang, viewport in SWEEP}

    def passes(lang: str, chromium) -> None:
        for pass_lang, viewport in SWEEP:
            if pass_lang != lang:
                continue
            started = time.monotonic()
            visited = _sweep(lang, viewport, demo, cookies[lang, viewport["width"]], live_server, chromium, axe,
                             problems)
            SWEEP_SECONDS[f"{lang}-{viewport['width']}"] = round(time.monotonic() - started, 1)
            assert visited >= (20 if lang == "en" else 40), (lang, visited)

    def english() -> None:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                passes("en", chromium)
            finally:
                chromium.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        in_english = pool.submit(english)
        passes("ja", browser)
        in_english.result()
    slowest = sorted(PAGE_SECONDS.items(), key=lambda kv: -kv[1])[:8]
    print(f"\naccessibility sweep: seconds per language-width {SWEEP_SECONDS}; slowest pages "
          + ", ".join(f"{where} {seconds:.1f}" for where, seconds in slowest))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def _sweep(lang: str, viewport: dict, demo: dict, sessions: tuple[str, str], live_server, browser, axe,
           problems: list[str]) -> int:
    """Visit every listed page in ``lang`` at ``viewport`` in one context, with the ``(flow, citizen)`` session
    keys of ``_session_cookies``; append problems; return the count. No database access (runs in a thread)."""
    english = lang == "en"
    width = viewport["width"]
    context = browser.new_context(viewport=viewport, locale="en-US" if english else "ja-JP")
    context.set_default_timeout(15_000)
    context.route(re.compile(r"^(?!" + re.escape(live_server.url) + r")"), lambda route: route.abort())
    context.route(re.compile(r"/counters/stream"), lambda route: route.abort())  # no live stream to wait for
    _set_session(context, live_server, sessions[0])
    page = context.new_page()
    pages = sorted((p for p in public_pages.PAGES if p.english or not english), key=lambda p: p.login)
    signed_in = False
    try:
        for listed in pages:
            if listed.login and not signed_in:  # the signed-in pages come last
                _set_session(context, live_server, sessions[1])
                signed_in = True
            path = public_pages.url(listed, demo, english)
            where = f"[{lang} {width}px] {path}"
            page_started = time.monotonic()
            response = page.goto(live_server.url + path)
            if response.status != listed.status:
                problems.append(f"{where}: HTTP {response.status}")
                continue
            if listed.expect and page.locator(public_pages.expected(listed, demo)).count() == 0:
                problems.append(f"{where}: nothing matches {listed.expect!r} (the demo objects are missing)")
            if english and page.evaluate("document.documentElement.lang") != "en":
                problems.append(f"{where}: <html lang> is not en")
            violations = axe(page)
            if violations:
                problems.append(f"{where}: axe violations\n{violations.describe()}")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems.append(f"{where}: {scroll}px wide (horizontal scroll)")
            if listed.key and width == NARROW["width"]:
                targets = page.evaluate(TARGETS_JS)
                small = [t for t in targets if t["w"] < 44 or t["h"] < 44]
                if not targets:
                    problems.append(f"{where}: a key page without a form control to check (TARGETS_JS?)")
                if small:
                    problems.append(f"{where}: touch targets under 44x44 px: " +
                                    "; ".join(f"{t['w']}x{t['h']} {t['what']}" for t in small[:6]))
            if listed.key and width == DESKTOP["width"]:
                page.evaluate("document.documentElement.style.fontSize = '200%'")
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    problems.append(f"{where}: {scroll}px wide at 200 % text size")
            PAGE_SECONDS[where] = time.monotonic() - page_started
    finally:
        context.close()
    return len(pages)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_staff_upload_page_has_no_axe_violations(viewport, bundle, live_server, page_factory, login, axe):
    page = page_factory(viewport)
    login(page)  # lands on the staff dashboard
    violations = axe(page)
    assert violations == [], f"axe violations on /staff/ ({viewport['width']}px):\n{violations.describe()}"
    response = page.goto(f"{live_server.url}/staff/upload/")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "ファイルを取り込む"
    violations = axe(page)
    assert violations == [], f"axe violations on /staff/upload/ ({viewport['width']}px):\n{violations.describe()}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", list(STAFF_PAGES))
def test_staff_quality_and_suppression_pages_have_no_axe_violations(name, viewport, bundle, live_server,
                                                                     page_factory, login, axe):
    page = page_factory(viewport)
    login(page)
    response = page.goto(live_server.url + STAFF_PAGES[name]())
    assert response.status == 200
    violations = axe(page)
    assert violations == [], f"axe violations on {name} ({viewport['width']}px):\n{violations.describe()}"


@pytest.mark.parametrize("viewport", [pytest.param({"width": 320, "height": 640}, id="320px"),
                                      pytest.param(DESKTOP, id="desktop")])
def test_not_found_page_has_no_axe_violations(viewport, live_server, page_factory, axe, transactional_db):
    """The Japanese 404 page (issue #18): site layout, no axe violation, no horizontal scroll at 320 px."""
    page = page_factory(viewport)
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    assert page.locator("h1").inner_text().startswith("ページが見つかりません")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    violations = axe(page)
    assert violations == [], f"axe violations on the 404 page ({viewport['width']}px):\n{violations.describe()}"


def test_axe_check_is_not_vacuous(live_server, page, axe, transactional_db):
    """The check above is not vacuous: an image without alt text and a low-contrast text are reported."""
    page.goto(f"{live_server.url}/")
    page.evaluate("""() => {
        const img = document.createElement('img');
        img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
        img.width = 20; img.height = 20;
        const p = document.createElement('p');
        p.textContent = '読みにくい文字';
        p.style.color = '#cccccc';
        document.querySelector('main').append(img, p);
    }""")
    ids = {v["id"] for v in axe(page)}
    assert {"image-alt", "color-contrast"} <= ids, ids


def test_touch_target_and_focus_checks_are_not_vacuous(live_server, page_factory, transactional_db):
    """The sweep's touch-target query finds a small button, and the keyboard tests' focus check fails on an
    element without a focus indicator."""
    from .test_browser_keyboard import tab_to

    page = page_factory(NARROW)
    page.goto(f"{live_server.url}/")
    page.evaluate("""() => { const f = document.createElement('form');
        f.innerHTML = '<button type="button" id="tiny" style="min-height:0;height:20px;padding:0">x</button>' +
                      '<a href="#" id="bare" style="outline:none">bare</a>';
        document.querySelector('main').prepend(f); }""")
    small = [t for t in page.evaluate(TARGETS_JS) if t["w"] < 44 or t["h"] < 44]
    assert any('id="tiny"' in t["what"] for t in small), small
    with pytest.raises(AssertionError, match="no visible focus"):
        tab_to(page, "#bare")


def test_stylesheet_and_htmx_are_served(live_server, page, transactional_db):
    """The site's own static files (CSS, htmx for the job page) are served, not only Django admin's."""
    for path in ("/static/madoguchi/site.css", "/static/vendor/htmx/htmx.min.js"):
        response = page.request.get(live_server.url + path)
        assert response.status == 200, (f"{path}: HTTP {response.status}; src/madoguchi/static is not found "
                                        "by the staticfiles finders (settings.STATICFILES_DIRS)")
    page.goto(live_server.url + "/")
    background = page.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor")
    assert background == "rgb(8, 63, 120)"  # --accent-dark
