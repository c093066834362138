"""Garbage sorting and shelter pages in Chromium: axe-core finds no WCAG 2.0/2.1 A or AA
violation at phone width (390×844), typing ぺっとぼとる finds PET bottles, and the
shelter list works with and without the map.

Every request that is not to the live server is aborted, so the map's tile URL
(国土地理院 by default) is never fetched from a test.
"""

from __future__ import annotations

import re

import pytest

from .conftest import PHONE

pytestmark = pytest.mark.browser
KAWASAKI_STATION = "lat=35.5309&lon=139.6968"


@pytest.fixture
def services_config(bundle):
    """The source rows of the two services (transactional tests flush the migration's rows)."""
    from madoguchi.gomi import services as gomi
    from madoguchi.shelters import services as shelters

    gomi.install_default_sources()
    shelters.install_default_sources()


@pytest.fixture
def phone(page_factory, live_server):
    page = page_factory(PHONE)
    page.route(re.compile(r"^(?!" + re.escape(live_server.url) + r")"), lambda route: route.abort())
    return page


@pytest.mark.parametrize("path", ["/garbage/", "/garbage/?city=kawasaki&q=ぺっとぼとる&area=川崎区 浅田",
                                  "/garbage/?city=hachioji&q=スマホ", "/garbage/?city=hachioji&q=ドローン",
                                  "/garbage/?city=kawasaki&q=使い終わった乾電池", "/shelters/",
                                  f"/shelters/?{KAWASAKI_STATION}&disaster=flood", "/shelters/?postal_code=12"])
def test_page_has_no_axe_violations_on_a_phone(path, services_config, live_server, phone, axe):
    response = phone.goto(live_server.url + path)
    assert response.status in (200, 400)
    violations = axe(phone)
    assert violations == [], f"axe violations on {path} (390px):\n{violations.describe()}"


def test_garbage__typing_hiragana_finds_pet_bottles(services_config, live_server, phone):
    phone.goto(f"{live_server.url}/garbage/")
    phone.get_by_label("品目名").fill("ぺっとぼとる")
    phone.get_by_label("品目名").press("Enter")
    phone.wait_for_url(re.compile(r"q=%E3%81%BA"))
    first = phone.locator(".gomi-item").first
    assert first.locator("h3").inner_text().startswith("ペットボトル")
    assert first.locator(".gomi-category").inner_text() == "空き缶・ペットボトル"
    assert phone.locator("h2#gomi-results-h").inner_text() == "「ぺっとぼとる」の出し方"


def test_garbage__staff_add_a_failed_search_as_a_synonym(services_config, live_server, phone, axe, login):
    """The failed-searches page at phone width: axe-clean, and a synonym added there is used at once."""
    phone.goto(f"{live_server.url}/garbage/?city=hachioji&q=ドローン")
    assert "見つかりませんでした" in phone.locator("#main").inner_text()
    login(phone)
    phone.goto(f"{live_server.url}/garbage/staff/not-found/?city=hachioji")
    violations = axe(phone)
    assert violations == [], f"axe violations on /garbage/staff/not-found/ (390px):\n{violations.describe()}"
    phone.get_by_label("「ドローン」の辞典での品目名").fill("おもちゃ")
    phone.get_by_role("button", name="言い換えに登録").click()
    phone.wait_for_url(re.compile(r"/garbage/staff/not-found/\?city=hachioji$"))
    assert "「ドローン」を「おもちゃ」の言い換えとして登録しました" in phone.locator("[role=status]").inner_text()

    phone.goto(f"{live_server.url}/garbage/?city=hachioji&q=ドローン")
    first = phone.locator(".gomi-item").first
    assert first.locator("h3").inner_text().startswith("おもちゃ")
    assert "「おもちゃ」として探しました。" in first.inner_text()


def test_shelters__list_and_map(services_config, live_server, phone, axe):
    phone.goto(f"{live_server.url}/shelters/")
    phone.get_by_label("郵便番号").fill("425-0026")
    phone.get_by_label("災害の種類").select_option(label="津波")
    phone.get_by_role("button", name="避難所を探す").click()
    phone.wait_for_url(re.compile(r"postal_code=425-0026"))
    assert phone.locator(".shelter-item").count() == 10
    assert "m" in phone.locator(".shelter-item .shelter-distance").first.inner_text()
    assert phone.locator("[data-geo]").is_visible()  # geolocation button shown by JS

    phone.goto(f"{live_server.url}/shelters/map/?{KAWASAKI_STATION}")
    phone.wait_for_selector("#shelter-map .leaflet-marker-icon")
    assert phone.locator("#shelter-map .leaflet-marker-icon").count() == 10
    assert phone.locator(".shelter-item").count() == 10  # the same list under the map
    violations = axe(phone)
    assert violations == [], f"axe violations on /shelters/map/ (390px):\n{violations.describe()}"
