"""Emergency mode in Chromium (issue #17 parts 4–5): /signage/ at 1920×1080 (normal and emergency) and the
home page and /emergency/ in emergency mode, axe-core clean (WCAG 2.0/2.1 A and AA)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

FULL_HD = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
SAMPLE = Path(__file__).resolve().parents[1] / "files" / "jma" / "15_14_01_170216_VPWW53.xml"


@pytest.fixture(autouse=True)
def emergency_settings(settings):
    settings.EMERGENCY_JMA_AREAS = {"1310400": ["新宿区"], "1330800": ["奥多摩町"]}


@pytest.fixture
def disaster(bundle):
    """Emergency mode on by a rule, a 大雨特別警報 for the city's areas, two shelters open."""
    from madoguchi.emergency import services
    from madoguchi.emergency.models import Rule
    from madoguchi.shelters import services as shelters

    shelters.install_default_sources()
    for found in shelters.find(city="川崎市", limit=2).results:
        shelters.set_open(found.site.key, True)
    Rule.objects.create(name="大雨特別警報", kind_names="大雨特別警報", notify=Rule.Notify.NONE)
    alert = services.import_xml(SAMPLE.read_bytes(), name=SAMPLE.name)
    assert services.current_state() is not None
    return alert


@pytest.fixture
def normal_times(transactional_db):
    from madoguchi.counters import services as counters
    from madoguchi.counters.models import Office
    from madoguchi.events.models import Event

    counters.seed_demo(days=1)
    office = Office.objects.order_by("pk").first()
    counters.record_readings(office, [{"counter": c.slug, "waiting": 7, "calling": 31} for c in office.counters.all()])
    day = dt.date.today() + dt.timedelta(days=2)
    Event.objects.create(title="中原区 防災フェア", start_date=day, end_date=day, start_time=dt.time(10),
                         place_name="中原区役所", area="中原区", category="防災", state=Event.State.PUBLISHED)


def _check_full_screen(page) -> None:
    sizes = page.evaluate("""() => ({w: document.documentElement.scrollWidth, h1: parseFloat(
        getComputedStyle(document.querySelector('h1')).fontSize), body: parseFloat(getComputedStyle(document.body).fontSize)})""")
    assert sizes["w"] <= 1920, sizes  # nothing wider than the display
    assert sizes["h1"] >= 48 and sizes["body"] >= 28, sizes  # readable from a distance


def test_signage_in_normal_times_at_full_hd(normal_times, live_server, page_factory, axe):
    page = page_factory(FULL_HD)
    response = page.goto(live_server.url + "/signage/")
    assert response.status == 200 and response.headers["refresh"] == "60"
    assert "中原区 防災フェア" in page.locator("#sg-events + ul").inner_text()
    assert page.locator(".sg-table tbody tr").count() > 0
    _check_full_screen(page)
    violations = axe(page)
    assert violations == [], f"axe violations on /signage/:\n{violations.describe()}"


def test_signage_in_emergency_mode_at_full_hd(disaster, live_server, page_factory, axe):
    page = page_factory(FULL_HD)
    response = page.goto(live_server.url + "/signage/")
    assert response.status == 200 and response.headers["refresh"] == "30"
    assert page.locator("h1").inner_text().startswith("緊急情報")
    assert "新宿区: 大雨特別警報" in page.locator("main").inner_text()
    assert page.locator(".sg-shelters li").count() == 2
    _check_full_screen(page)
    violations = axe(page)
    assert violations == [], f"axe violations on /signage/ (emergency):\n{violations.describe()}"


@pytest.mark.parametrize("path", ["/", "/emergency/"])
@pytest.mark.parametrize("viewport", [PHONE, FULL_HD], ids=["phone", "desktop"])
def test_pages_in_emergency_mode_have_the_banner_and_no_axe_violations(path, viewport, disaster, live_server,
                                                                       page_factory, axe):
    page = page_factory(viewport)
    response = page.goto(live_server.url + path)
    assert response.status == 200
    banner = page.get_by_role("region", name="緊急情報: 東京都気象警報・注意報")
    assert banner.is_visible()
    if path == "/emergency/":
        assert "新宿区: 大雨特別警報" in page.locator("main").inner_text()
        assert page.locator(".em-shelters li").count() == 2
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{path} scrolls sideways at {viewport['width']} px"
    violations = axe(page)
    assert violations == [], f"axe violations on {path}:\n{violations.describe()}"
