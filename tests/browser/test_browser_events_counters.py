"""Events and counter congestion pages in Chromium at phone width: axe-core finds no WCAG 2.0/2.1 A/AA
violation, an open /counters/ page updates itself by Server-Sent Events (issue #6), and /counters/ fits
320 and 375 px with every column of its tables on screen (issue #18)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def streams_end(settings):
    """Open pages hold an event stream; closed pages are noticed at the next keep-alive (0.2 s here).
    Wait (up to 5 s) for the server's stream threads to end before the database is emptied."""
    from madoguchi.counters import stream

    settings.COUNTERS_STREAM_KEEPALIVE_S = 0.2
    yield
    deadline = time.monotonic() + 5
    while stream.active_streams() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def events(transactional_db):
    from madoguchi.bundle.loader import FILES
    from madoguchi.events import services
    from madoguchi.events.models import Event

    services.import_standard_csv((FILES / "yaizu-city" / "event_excerpt.csv").read_bytes())
    today = dt.date.today()
    # listed today whatever the date: the list shows upcoming events only
    Event.objects.create(title="中原区 防災フェア", start_date=today + dt.timedelta(days=3),
                         end_date=today + dt.timedelta(days=3), start_time=dt.time(10), end_time=dt.time(15),
                         place_name="中原区役所", address="川崎市中原区小杉町3-245", area="中原区", category="防災",
                         description="起震車と消火体験", state=Event.State.PUBLISHED)
    return Event.objects.get(title="中原区 防災フェア")


@pytest.fixture
def counters(transactional_db):
    from madoguchi.counters import services

    from madoguchi.counters.models import Office

    services.seed_demo(days=14)
    # the live tests push readings now, at any hour and on any day: no 受付時間外 for them
    Office.objects.update(opens_at=None, closes_at=None)
    return services


@pytest.mark.parametrize("path", ["/events/", "/events/?from=2026-09-01&to=2026-09-30&q=マルシェ", "detail"])
def test_events_pages_have_no_axe_violations_on_a_phone(path, events, live_server, page_factory, axe):
    page = page_factory(PHONE)
    url = events.get_absolute_url() if path == "detail" else path
    response = page.goto(live_server.url + url)
    assert response.status == 200
    if path == "/events/":
        assert page.locator(".event-cards > li h3").first.inner_text() != ""
        assert "中原区 防災フェア" in page.locator(".event-cards").inner_text()
    violations = axe(page)
    assert violations == [], f"axe violations on {url} (390px):\n{violations.describe()}"


@pytest.mark.parametrize("path", ["/counters/", "/counters/nakahara/koseki/"])
def test_counters_pages_have_no_axe_violations_on_a_phone(path, counters, live_server, page_factory, axe):
    page = page_factory(PHONE)
    response = page.goto(live_server.url + path)
    assert response.status == 200
    if path.endswith("koseki/"):
        assert page.locator("svg.chart circle").count() > 0
    violations = axe(page)
    assert violations == [], f"axe violations on {path} (390px):\n{violations.describe()}"
    page.close()  # ends the page's event stream


def test_counters_page_updates_itself_when_a_reading_is_pushed(counters, live_server, page_factory):
    from madoguchi.counters import stream
    from madoguchi.counters.models import Counter, Office

    page = page_factory(PHONE)
    page.goto(live_server.url + "/counters/")
    office = Office.objects.get(slug="miyamae")
    counter = Counter.objects.get(office=office, slug="hoken")
    deadline = time.monotonic() + 5
    while not stream.active_streams() and time.monotonic() < deadline:  # the page's EventSource is connected
        time.sleep(0.05)
    assert stream.active_streams() == 1
    counters.record_readings(office, [{"counter": "hoken", "waiting": 42, "calling": 777}])
    cell = page.locator(f'tr[data-counter="{counter.pk}"] [data-field="waiting"]')
    page.wait_for_function(f"""() => document.querySelector('tr[data-counter="{counter.pk}"] [data-field="calling"]')
                                     .textContent === '777番'""", timeout=5000)
    assert cell.inner_text() == "42人"
    assert "宮前区役所 保険年金課 の情報が更新されました" in page.locator("#live-status").inner_text()
    page.close()



@pytest.mark.parametrize("width", [320, 375])
def test_counters_page_fits_a_small_phone(width, counters, live_server, page_factory, axe):
    """Issue #18: at 375 px the estimated wait was cut to 「約」 at the edge of its table's scroll box. Fresh
    readings with three-digit estimates for one office, the seed's older ones for the others (「古い情報」
    with its date in 更新), whatever the time of day."""
    from madoguchi.counters.models import Office

    office = Office.objects.get(slug="miyamae")
    slugs = list(office.counters.values_list("slug", flat=True))
    counters.record_readings(office, [{"counter": slug, "waiting": 99, "calling": 9999} for slug in slugs])
    page = page_factory({"width": width, "height": 800})
    page.goto(live_server.url + "/counters/")
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= width, f"/counters/ is {page_width}px wide on a {width}px phone"
    cells = page.evaluate("""() => [...document.querySelectorAll('td[data-field="wait"]')].map(td => {
        const cell = td.getBoundingClientRect(), box = td.closest('.table-wrap').getBoundingClientRect();
        return {text: td.textContent, left: cell.left, right: cell.right, boxRight: box.right,
                clipped: td.scrollWidth > td.clientWidth}; })""")
    assert len(cells) >= len(slugs) and sum(c["text"].startswith("約") for c in cells) >= len(slugs)
    for c in cells:
        assert 0 <= c["left"] and c["right"] <= min(c["boxRight"], width) and not c["clipped"], (
            f"estimated wait 「{c['text']}」 is not fully visible at {width}px: {c}")
    hidden = page.evaluate("""() => [...document.querySelectorAll('.table-wrap')]
        .filter(w => w.scrollWidth > w.clientWidth).map(w => w.getAttribute('aria-labelledby'))""")
    assert hidden == [], f"at {width}px these offices' tables hide columns in their scroll box: {hidden}"
    violations = axe(page)
    assert violations == [], f"axe violations on /counters/ ({width}px):\n{violations.describe()}"
    page.close()  # ends the page's event stream
