"""axe-core finds no WCAG 2.0/2.1 A or AA violation on the main pages, on a phone and on a desktop."""

from __future__ import annotations

import pytest

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

pytestmark = pytest.mark.browser

VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
DATASET = "sapporo-population-by-town"


def resource_path(slug: str = DATASET) -> str:
    """The first resource of ``slug`` that has a table preview."""
    from madoguchi.catalog.models import Resource

    for resource in Resource.objects.filter(dataset__slug=slug).order_by("position", "pk"):
        version = resource.current_version
        if version and version.has_table and version.row_count:
            return resource.get_absolute_url()
    raise AssertionError(f"no resource with a table in {slug}")


PAGES = {
    "home": lambda: "/",
    "datasets": lambda: "/datasets/",
    "search": lambda: "/datasets/?q=ごみ",
    "dataset": lambda: f"/datasets/{DATASET}/",
    "resource": resource_path,
    "quality": lambda: resource_path() + "quality/",
    "standards": lambda: "/standards/",
    "standard": lambda: "/standards/aed-v1/",
}
STAFF_PAGES = {
    "quality dashboard": lambda: "/staff/quality/",
    "new dataset": lambda: "/staff/datasets/new/",
    "suppression": lambda: f"/staff/privacy/resources/{resource_path().rstrip('/').rsplit('/', 1)[1]}/suppress/",
}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_has_no_axe_violations(name, viewport, bundle, live_server, page_factory, axe):
    page = page_factory(viewport)
    response = page.goto(live_server.url + PAGES[name]())
    assert response.status == 200
    if name == "resource":
        assert page.locator("#preview tbody tr").count() > 0, "the resource page shows no preview rows"
    if name == "search":
        assert page.locator(".results .cards > li").count() > 0
    violations = axe(page)
    assert violations == [], f"axe violations on {name} ({viewport['width']}px):\n{violations.describe()}"


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


def test_stylesheet_and_htmx_are_served(live_server, page, transactional_db):
    """The site's own static files (CSS, htmx for the job page) are served, not only Django admin's."""
    for path in ("/static/madoguchi/site.css", "/static/vendor/htmx/htmx.min.js"):
        response = page.request.get(live_server.url + path)
        assert response.status == 200, (f"{path}: HTTP {response.status}; src/madoguchi/static is not found "
                                        "by the staticfiles finders (settings.STATICFILES_DIRS)")
    page.goto(live_server.url + "/")
    background = page.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor")
    assert background == "rgb(8, 63, 120)"  # --accent-dark
