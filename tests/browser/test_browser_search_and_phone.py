"""Searching through the page, and pages that fit a phone's width."""

from __future__ import annotations

import re

import pytest

PHONE = {"width": 390, "height": 844}
GARBAGE = ["ごみ分別辞典・収集日（川崎市・5374形式）", "ごみ分別辞典・収集日（八王子市・5374形式）",
           "ごみ分別辞典・収集日・粗大ごみ料金（亀岡市・5374形式）"]

pytestmark = pytest.mark.browser


def search_from_home(page, base_url: str, words: str) -> list[str]:
    """Type ``words`` into the home page's search box, submit with the button, return the result titles."""
    page.goto(base_url + "/")
    box = page.get_by_label(re.compile("データセットを検索"))
    box.fill(words)
    page.get_by_role("button", name="検索").click()
    page.wait_for_url(re.compile(r"/datasets/\?q="))
    assert page.locator("h1").inner_text() == f"「{words}」の検索結果"
    return page.locator(".results .cards > li h3").all_inner_texts()


def test_search_from_home_page_finds_garbage_datasets(bundle, live_server, page):
    titles = search_from_home(page, live_server.url, "ごみ")
    garbage = sorted(t for t in titles if "ごみ分別" in t)
    assert garbage == sorted(GARBAGE), titles
    count = page.locator("#results-h").inner_text()
    assert count.startswith(f"{len(titles)} 件"), count
    # the box keeps the words searched for
    assert page.locator("#q").input_value() == "ごみ"


def test_half_width_katakana_gives_the_same_results(bundle, live_server, page):
    hiragana = search_from_home(page, live_server.url, "ごみ")
    half_width = search_from_home(page, live_server.url, "ｺﾞﾐ")
    assert half_width == hiragana
    assert sorted(t for t in half_width if "ごみ分別" in t) == sorted(GARBAGE)


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("path", ["/", "/datasets/", "/datasets/?q=ごみ",
                                  "/datasets/sapporo-population-by-town/",
                                  "/datasets/kawasaki-garbage-sorting/"])
def test_phone_page_does_not_scroll_sideways(path, bundle, live_server, page_factory):
    page = page_factory(PHONE)
    page.goto(live_server.url + path)
    assert page_width(page) <= PHONE["width"], f"{path} is {page_width(page)}px wide on a {PHONE['width']}px phone"


def test_phone_every_bundled_dataset_and_resource_page_fits(bundle, live_server, page_factory):
    """Long column headings, URLs and file names wrap or scroll in their own box, never the page."""
    from madoguchi.catalog.models import Dataset, Resource

    paths = [d.get_absolute_url() for d in Dataset.objects.order_by("pk")]
    paths += [r.get_absolute_url() for r in Resource.objects.order_by("pk")]
    assert len(paths) > 40
    page = page_factory(PHONE)
    too_wide = {}
    for path in paths:
        page.goto(live_server.url + path, wait_until="domcontentloaded")
        if (width := page_width(page)) > PHONE["width"]:
            too_wide[path] = width
    assert too_wide == {}, f"pages wider than {PHONE['width']}px: {too_wide}"


def test_phone_resource_preview_scrolls_in_its_own_box(bundle, live_server, page_factory):
    from madoguchi.catalog.models import Resource

    resource = Resource.objects.filter(dataset__slug="sapporo-population-by-age").order_by("position", "pk").first()
    page = page_factory(PHONE)
    page.goto(live_server.url + resource.get_absolute_url())
    assert page.locator("#preview tbody tr").count() == 20
    assert page_width(page) <= PHONE["width"], f"resource page is {page_width(page)}px wide"
    wrap = page.locator("#preview")
    scroll_width, client_width = wrap.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert client_width <= PHONE["width"]
    assert scroll_width > client_width, "the wide preview table should scroll inside its box"
    # the scroll box can be reached and scrolled with the keyboard
    assert wrap.get_attribute("tabindex") == "0"
    wrap.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('#preview').scrollLeft > 0")
