"""English pages in Chromium (issue #18): ``/en/`` and the English garbage search have no WCAG 2.0/2.1 A or
AA violation (axe-core) at 320 px and 1280 px and no horizontal scroll at 320 px, the English garbage
search answers from the English dictionary, and the language switch goes to the same page in the other
language and back.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SRC = Path(__file__).resolve().parents[2] / "src" / "madoguchi"
VIEWPORTS = [pytest.param({"width": 320, "height": 640}, id="320px"),
             pytest.param({"width": 1280, "height": 800}, id="1280px")]
PAGES = ["/en/", "/en/garbage/", "/en/garbage/?q=aluminum+foil",
         # moved into i18n_patterns (issue #18, W1)
         "/en/standards/", "/en/consultations/", "/en/notices/", "/en/reports/new/"]


@pytest.fixture(autouse=True)
def i18n_settings(settings):
    """As tests/test_i18n.py: the catalogue and the language switch, while settings lack them."""
    if SRC / "locale" not in [Path(p) for p in settings.LOCALE_PATHS]:
        settings.LOCALE_PATHS = [*settings.LOCALE_PATHS, SRC / "locale"]
    templates = copy.deepcopy(settings.TEMPLATES)
    processors = templates[0]["OPTIONS"]["context_processors"]
    if "madoguchi.i18n.language_links" not in processors:
        processors.append("madoguchi.i18n.language_links")
        settings.TEMPLATES = templates


@pytest.fixture
def garbage(bundle):
    from madoguchi.gomi import services as gomi

    gomi.install_default_sources()
    gomi.install_english_sources()


def _offsite_aborted(page, live_server):
    page.route(re.compile(r"^(?!" + re.escape(live_server.url) + r")"), lambda route: route.abort())
    return page


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("path", PAGES)
def test_english_page__no_axe_violations_and_no_horizontal_scroll(path, viewport, garbage, live_server, page_factory,
                                                                  axe):
    page = _offsite_aborted(page_factory(viewport, locale="en-US"), live_server)
    response = page.goto(live_server.url + path)
    assert response.status == 200
    assert page.evaluate("document.documentElement.lang") == "en"
    violations = axe(page)
    assert violations == [], f"axe violations on {path} ({viewport['width']}px):\n{violations.describe()}"
    if viewport["width"] == 320:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width}px wide at 320px"


def test_english_garbage_search__finds_the_english_item(garbage, live_server, page_factory):
    page = _offsite_aborted(page_factory({"width": 320, "height": 640}, locale="en-US"), live_server)
    page.goto(f"{live_server.url}/en/garbage/")
    page.get_by_label("Item").fill("aluminum foil")
    page.get_by_role("button", name="Look up").click()
    page.wait_for_url(re.compile(r"/en/garbage/\?city=kawasaki-en&q=aluminum"))
    first = page.locator(".gomi-item").first
    assert first.locator("h3").inner_text().lower() == "aluminum foil"
    assert first.locator(".gomi-category").inner_text() == "Ordinary trash"
    assert page.locator("h2#gomi-results-h").inner_text() == 'How to put out "aluminum foil"'


def test_language_switch__same_page_in_the_other_language_and_back(garbage, live_server, page_factory):
    page = _offsite_aborted(page_factory({"width": 1280, "height": 800}), live_server)
    page.goto(f"{live_server.url}/garbage/?city=kawasaki&q=%E3%81%8B%E3%81%95")  # かさ
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert page.locator("h1").inner_text().startswith("ごみの分け方・出し方")
    page.get_by_role("navigation", name="言語の切り替え").get_by_role("link", name="English").click()
    page.wait_for_url(f"{live_server.url}/en/garbage/?city=kawasaki&q=%E3%81%8B%E3%81%95")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1").inner_text() == "Garbage sorting and collection"
    page.get_by_role("navigation", name="Language").get_by_role("link", name="日本語").click()
    page.wait_for_url(f"{live_server.url}/garbage/?city=kawasaki&q=%E3%81%8B%E3%81%95")
    assert page.evaluate("document.documentElement.lang") == "ja"

    page.goto(f"{live_server.url}/en/")
    assert page.locator("h1").inner_text() == "Open data catalogue"
    page.get_by_role("navigation", name="Language").get_by_role("link", name="日本語").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "オープンデータカタログ"


# --- texts made by our JavaScript come in the page's language (data-text-* attributes) --------------

@pytest.fixture
def counters(transactional_db, settings):
    """Demo counters, open at any hour; open event streams end (keep-alive 0.2 s) before the database is
    emptied (as tests/browser/test_browser_events_counters.py)."""
    import time

    from madoguchi.counters import services, stream
    from madoguchi.counters.models import Office

    settings.COUNTERS_STREAM_KEEPALIVE_S = 0.2
    services.seed_demo(days=0)
    Office.objects.update(opens_at=None, closes_at=None)
    yield services
    deadline = time.monotonic() + 5
    while stream.active_streams() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_counters_live_update__english_texts_on_the_english_page(counters, live_server, page_factory):
    import time

    from madoguchi.counters import stream
    from madoguchi.counters.models import Counter, Office

    page = _offsite_aborted(page_factory({"width": 1280, "height": 800}, locale="en-US"), live_server)
    page.goto(live_server.url + "/en/counters/")
    office = Office.objects.get(slug="miyamae")
    counter = Counter.objects.get(office=office, slug="hoken")
    deadline = time.monotonic() + 5
    while not stream.active_streams() and time.monotonic() < deadline:  # the page's EventSource is connected
        time.sleep(0.05)
    assert stream.active_streams() == 1
    counters.record_readings(office, [{"counter": "hoken", "waiting": 42, "calling": 777}])
    row = f'tr[data-counter="{counter.pk}"]'
    page.wait_for_function(f"""() => document.querySelector('{row} [data-field="calling"]').textContent === 'No. 777'""",
                           timeout=5000)
    assert page.locator(f'{row} [data-field="waiting"]').inner_text() == "42 people"
    status = page.locator("#live-status").inner_text()
    assert status.startswith("Updated at ") and status.endswith(f"{office.name} {counter.name}.")
    assert "情報が更新されました" not in status
    page.close()


def test_shelters_location_button__english_status_on_the_english_page(db, live_server, page_factory):
    page = _offsite_aborted(page_factory({"width": 320, "height": 640}, locale="en-US"), live_server)
    # the visitor refuses to share the location (PERMISSION_DENIED = 1)
    page.add_init_script("navigator.geolocation.getCurrentPosition = function (ok, fail) {"
                         " setTimeout(function () { fail({code: 1}); }, 0); };")
    page.goto(live_server.url + "/en/shelters/")
    page.get_by_role("button", name="Use my location").click()
    status = page.locator("[data-geo-status]")
    page.wait_for_function("() => document.querySelector('[data-geo-status]').textContent !== ''", timeout=5000)
    assert status.inner_text() == "Location access was not allowed. Please search by postal code."
    page.goto(live_server.url + "/shelters/")  # and Japanese on the Japanese page
    page.get_by_role("button", name="現在地から探す").click()
    page.wait_for_function("() => document.querySelector('[data-geo-status]').textContent !== ''", timeout=5000)
    assert status.inner_text() == "位置情報の利用が許可されませんでした。郵便番号で探してください。"


def test_report_map__english_texts_on_the_english_page(db, live_server, page_factory, settings):
    """report-map.js takes its texts from the map's data-text-* attributes (issue #18): a refused location
    and a click on the map are told in English on /en/reports/new/, in Japanese on /reports/new/."""
    from madoguchi.reports import services as reports

    settings.REPORTS_CITY_BBOX = (35.47, 139.46, 35.64, 139.80)
    settings.SHELTER_TILE_URL = ""  # no tiles from the network (the reports map uses the shelters' tiles)
    reports.seed_services()
    page = _offsite_aborted(page_factory({"width": 320, "height": 640}, locale="en-US"), live_server)
    page.add_init_script("navigator.geolocation.getCurrentPosition = function (ok, fail) {"
                         " setTimeout(function () { fail({code: 1}); }, 0); };")
    status = page.locator("#report-pos")
    page.goto(live_server.url + "/en/reports/new/")
    page.get_by_role("button", name="Use my location").click()
    page.wait_for_function("() => document.getElementById('report-pos').textContent !== ''", timeout=5000)
    assert status.inner_text() == "Could not get your location. Please enter the address."
    page.locator("#report-map").click()
    page.wait_for_function("() => document.getElementById('report-pos').textContent.startsWith('Place')",
                           timeout=5000)
    assert re.fullmatch(r"Place chosen on the map \(latitude 35\.\d+, longitude 139\.\d+\)", status.inner_text())
    page.goto(live_server.url + "/reports/new/")  # and Japanese on the Japanese page
    page.get_by_role("button", name="現在地を使う").click()
    page.wait_for_function("() => document.getElementById('report-pos').textContent !== ''", timeout=5000)
    assert status.inner_text() == "現在地を取得できませんでした。住所を入力してください。"
