"""Events and counter congestion pages in Chromium at phone width: axe-core finds no WCAG 2.0/2.1 A/AA
violation, and an open /counters/ page updates itself by Server-Sent Events (issue #6)."""

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

    services.seed_demo(days=14)
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
