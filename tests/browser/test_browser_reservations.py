"""Reservation pages in Chromium (issue #7): no axe-core WCAG 2.1 A/AA violation on
a phone and a desktop, the calendar fits a phone's width (its tables scroll inside
their own box), and a citizen can log in, book a free slot and apply to the lottery
with the keyboard-reachable forms."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
CITIZEN, CITIZEN_PASSWORD = "hanako@example.jp", "kawasaki-test-pw-7"


@pytest.fixture
def demo(transactional_db):
    """The sample facilities, slots and open lottery, and one registered citizen."""
    from django.contrib.auth import get_user_model

    from madoguchi.reservations import services

    out = services.seed_demo()
    user = get_user_model().objects.create_user(CITIZEN, email=CITIZEN, password=CITIZEN_PASSWORD)
    services.register_member(user=user, name="川崎 花子", email=CITIZEN)
    return out


def _free_slot():
    from django.utils import timezone

    from madoguchi.reservations.models import Slot

    return (Slot.objects.filter(lottery_period__isnull=True, start__gt=timezone.now() + dt.timedelta(days=2),
                                unit__facility__slug="nakahara-tennis").order_by("start", "unit").first())


def _citizen_login(page, live_server, next_path="/reservations/mine/"):
    page.goto(f"{live_server.url}/reservations/login/?next={next_path}")
    page.fill("#id_username", CITIZEN)
    page.fill("#id_password", CITIZEN_PASSWORD)
    page.locator("main form [type=submit]").click()
    page.wait_for_url(f"{live_server.url}{next_path}")


def _public_paths(demo) -> dict:
    slot = _free_slot()
    return {"index": "/reservations/", "facility": f"/reservations/facilities/nakahara-tennis/?start="
            f"{slot.start.date().isoformat()}", "slot": f"/reservations/slots/{slot.pk}/",
            "periods": "/reservations/lottery/", "period": demo["period"].get_absolute_url(),
            "login": "/reservations/login/", "register": "/reservations/register/"}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_public_reservation_pages_have_no_axe_violations(viewport, demo, live_server, page_factory, axe):
    page = page_factory(viewport)
    for name, path in _public_paths(demo).items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        violations = axe(page)
        assert violations == [], f"axe violations on {name} ({viewport['width']}px):\n{violations.describe()}"


def test_facility_calendar_fits_a_phone(demo, live_server, page_factory):
    page = page_factory(PHONE)
    page.goto(f"{live_server.url}{_public_paths(demo)['facility']}")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"
    assert page.locator("table.rsv-cal").count() == 7


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_citizen_books_a_slot_and_applies_to_the_lottery(viewport, demo, live_server, page_factory, axe):
    from madoguchi.reservations.models import Booking, LotteryEntry, Slot

    page = page_factory(viewport)
    _citizen_login(page, live_server)
    slot = _free_slot()
    page.goto(f"{live_server.url}/reservations/slots/{slot.pk}/")
    page.get_by_role("button", name="この枠を予約する").click()
    page.wait_for_url(f"{live_server.url}/reservations/mine/")
    assert page.locator(".flash").inner_text().startswith("予約しました")
    assert Booking.objects.get().slot_id == slot.pk
    lottery_slot = Slot.objects.filter(lottery_period=demo["period"]).order_by("start", "unit").first()
    page.goto(f"{live_server.url}/reservations/slots/{lottery_slot.pk}/")
    page.get_by_label("希望順位（1 がいちばん希望）").fill("1")
    page.get_by_role("button", name="抽選に申し込む").click()
    page.wait_for_url(f"{live_server.url}/reservations/mine/")
    assert LotteryEntry.objects.get().slot_id == lottery_slot.pk
    violations = axe(page)
    assert violations == [], f"axe violations on my page ({viewport['width']}px):\n{violations.describe()}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_staff_reservation_pages_have_no_axe_violations(viewport, demo, live_server, page_factory, login, axe):
    page = page_factory(viewport)
    login(page)
    for path in ("/reservations/staff/", f"/reservations/staff/periods/{demo['period'].pk}/",
                 "/reservations/staff/periods/new/", "/reservations/staff/stats/",
                 "/reservations/staff/facilities/takatsu-sports-center/"):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        violations = axe(page)
        assert violations == [], f"axe violations on {path} ({viewport['width']}px):\n{violations.describe()}"
