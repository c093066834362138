"""Citizen tasks with the keyboard only (issue #18, point 3): Tab / Shift+Tab / Enter / Space / arrow keys, no
mouse, text typed with ``keyboard.type`` into the field Tab reached. Every element the Tab key reaches on the
way shows a visible focus indicator (outline or box-shadow at least 2 px), and the answers and errors are in
live regions (``aria-live`` or the roles that imply it: status, alert).

Flows: garbage search with the collection schedule, the nearest shelters by postal code, a FAQ question to its
answer (one test on the bundled data); an event into the calendar (.ics), a notice subscription, a citizen report
without the map (one test); facility booking and its cancel, lottery entry and its withdrawal, each with the
confirmation page (one test). Procedures (issue #14): the life-event guide (引越し → 転入, 家族, a child of 6–11 →
the list), an online application (water-start: e-mail → the mailed code → three steps → 確認 → 申請 → the
reference), a bulky-waste request (item → size → count → area and date → contact and tickets → 確認 → 申し込む), one
test each. Few tests on purpose: resetting the database between browser tests is the slow part.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from . import public_pages
from .conftest import assert_site_css_applied

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LIVE_REGION = "[aria-live], [role=status], [role=alert]"

FOCUS_JS = """([selector, text]) => {
    const el = document.activeElement;
    if (!el || el === document.body) return {body: true};
    const cs = getComputedStyle(el);
    const outline = cs.outlineStyle !== 'none' ? (parseFloat(cs.outlineWidth) || 0) : 0;
    const shadow = Math.max(0, ...(cs.boxShadow.match(/-?[\\d.]+px/g) || []).map(v => Math.abs(parseFloat(v))));
    const label = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
    return {body: false, ring: Math.max(outline, shadow), what: el.outerHTML.slice(0, 120) + ' outline: ' +
            cs.outlineStyle + ' ' + cs.outlineWidth + (el.matches(':focus-visible') ? ' (focus-visible)' : ''),
            match: el.matches(selector) && (!text || label.includes(text))};
}"""


def tab_to(page, selector: str, text: str = "", *, back: bool = False, limit: int = 80) -> None:
    """Press Tab (Shift+Tab with ``back``) until the focused element matches ``selector`` (and shows ``text``),
    asserting a visible focus indicator (≥ 2 px) on every element reached on the way."""
    assert_site_css_applied(page)  # the focus style is the site's: not checked before the stylesheet is in force
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        state = page.evaluate(FOCUS_JS, [selector, text])
        if state["body"]:
            continue
        assert state["ring"] >= 2, f"{page.url}: no visible focus ({state['ring']} px) on {state['what']}"
        if state["match"]:
            return
    pytest.fail(f"{page.url}: {selector} {text!r} not reached with {limit} × {key}")


def focused(page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement.matches(s)", selector)


def live_region_with(page, words: str) -> None:
    """Some live region on the page announces ``words``."""
    texts = page.locator(LIVE_REGION).all_inner_texts()
    assert any(words in t for t in texts), f"{page.url}: no live region says {words!r}: {texts}"


def new_page(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="ja-JP", accept_downloads=True)
    context.set_default_timeout(15_000)
    context.route(re.compile(r"^(?!" + re.escape(live_server.url) + r")"), lambda route: route.abort())
    return context.new_page()


@pytest.fixture
def citizen_services(settings, bundle):
    from madoguchi.faq import services as faq
    from madoguchi.gomi import services as gomi
    from madoguchi.shelters import services as shelters

    public_pages.settings_for_pages(settings)
    gomi.install_default_sources()
    shelters.install_default_sources()
    faq.import_entries(("質問,回答,分類\n保育所に入るにはどうすればいいですか。,入所申込書を区役所の保育課に出して"
                        "ください。【お問い合わせ】保育課,子育て\n住民票の写しはどこで取れますか。,区役所の市民課"
                        "で取れます。【お問い合わせ】市民課,届出・証明\n犬を飼い始めたときの登録は?,保健所で登録"
                        "してください。,くらし\n").encode(), "faq.csv", state="published")


def test_garbage_shelters_and_faq_with_the_keyboard(citizen_services, live_server, browser, settings):
    settings.FAQ_ANSWER_THRESHOLD = 0.12  # three entries: see tests/test_faq_app.py
    page = new_page(browser, live_server)
    try:
        # garbage: the town (arrow keys), the item, Enter on 調べる → the item's category and the town's schedule
        page.goto(f"{live_server.url}/garbage/?city=kawasaki")
        tab_to(page, "#gomi-area")  # the town comes first, then the item, then the button
        for _ in range(400):
            if "浅田" in page.evaluate("document.activeElement.value"):
                break
            page.keyboard.press("ArrowDown")
        else:
            pytest.fail("no town 浅田 in the select with the arrow keys")
        page.keyboard.press("Tab")
        assert focused(page, "#gomi-q")
        page.keyboard.type("ぺっとぼとる")
        page.keyboard.press("Tab")
        assert focused(page, "form.gomi-form button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"area="))
        assert page.locator(".gomi-item h3").first.inner_text().startswith("ペットボトル")
        live_region_with(page, "件見つかりました")
        assert page.locator("#gomi-schedule-h").inner_text().startswith("川崎区 浅田")
        page.wait_for_function("document.activeElement.id === 'gomi-results-h'")  # the focus starts on the result
        tab_to(page, ".gomi-results details summary", limit=3)  # ≤ 3 Tabs to the result; its details open with Enter
        page.keyboard.press("Enter")
        assert page.locator(".gomi-results details").first.evaluate("d => d.open")
        # a search with no match: the focus starts on the result, whose first link is a Tab away
        page.goto(f"{live_server.url}/garbage/?city=kawasaki&q=zzzz")
        page.wait_for_function("document.activeElement.id === 'gomi-results-h'")
        assert "見つかりませんでした" in page.locator(".gomi-results").inner_text()

        # shelters: postal code typed, Enter → the nearest shelters, in a list
        page.goto(f"{live_server.url}/shelters/")
        tab_to(page, "#sh-postal")
        page.keyboard.type("2100005")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"postal_code=2100005"))
        assert page.locator(".shelter-item").count() > 0
        assert page.locator(LIVE_REGION).count() > 0

        # an error is announced: a postal code that cannot be one
        page.goto(f"{live_server.url}/shelters/")
        tab_to(page, "#sh-postal")
        page.keyboard.type("12")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"postal_code=12"))
        assert page.locator("[role=alert]").count() > 0, "the error is not in a live region"

        # FAQ: question typed, Enter → the answer with its department, in a live region
        page.goto(f"{live_server.url}/faq/")
        tab_to(page, "form.ask textarea, form.ask input[type=text], form.ask input[type=search]")
        page.keyboard.type("保育園に入りたいときの手続き")
        tab_to(page, "form.ask button", "質問する")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"q="))
        live_region_with(page, "保育課")
    finally:
        page.context.close()


@pytest.fixture
def civic(settings, transactional_db):
    from madoguchi.events.models import Event
    from madoguchi.notices import services as notices
    from madoguchi.reports import services as reports

    public_pages.settings_for_pages(settings)
    day = dt.date.today() + dt.timedelta(days=3)
    Event.objects.create(title="中原区 防災フェア", start_date=day, end_date=day, start_time=dt.time(10),
                         end_time=dt.time(15), place_name="中原区役所", area="中原区", category="防災",
                         description="起震車と消火体験", state=Event.State.PUBLISHED)
    notices.install_defaults()
    reports.seed_services()


def test_event_calendar_notice_subscription_and_report_with_the_keyboard(civic, live_server, browser, mailoutbox):
    from madoguchi.notices.models import Subscription
    from madoguchi.reports.models import ServiceRequest

    page = new_page(browser, live_server)
    try:
        # events: the ward chosen with the arrow keys, then the list's .ics link activated with Enter
        page.goto(f"{live_server.url}/events/")
        tab_to(page, "main form select[name=area]")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.value") == "中原区"
        tab_to(page, "main form button[type=submit]", "絞り込む")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"area=%E4%B8%AD"))
        assert "中原区 防災フェア" in page.locator("main").inner_text()
        tab_to(page, "a[href*='calendar.ics']")
        with page.expect_download() as download:
            page.keyboard.press("Enter")
        ics = download.value.path().read_text(encoding="utf-8")
        assert "BEGIN:VEVENT" in ics and "中原区 防災フェア" in ics

        # notices: a topic and a ward ticked with Space, the address typed, Enter on the button
        page.goto(f"{live_server.url}/notices/")
        tab_to(page, "input[type=checkbox]")
        page.keyboard.press("Space")
        assert page.evaluate("document.activeElement.checked")
        tab_to(page, "input[type=email]")
        with page.expect_navigation():
            page.keyboard.press("Enter")  # empty address first: the error is announced
        assert page.locator("[role=alert]").count() > 0, "the missing address is not announced"
        tab_to(page, "input[type=email]")
        page.keyboard.type("hanako@example.jp")
        tab_to(page, "main form button[type=submit]", "確認メールを送る")
        with page.expect_navigation():  # waits for the load event: the stylesheet is in force
            page.keyboard.press("Enter")
        assert page.get_by_role("heading", name="確認メールを送りました").is_visible()
        assert Subscription.objects.get().address == "hanako@example.jp"
        assert len(mailoutbox) == 1

        # a report without the map: the category with the arrow keys, the place by postal code and address
        page.goto(f"{live_server.url}/reports/new/")
        tab_to(page, "#id_service")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.value") != ""
        tab_to(page, "#id_address")
        page.keyboard.type("川崎市中原区小杉町3-245")
        tab_to(page, "#id_description")
        page.keyboard.type("公園のベンチが壊れています。")
        tab_to(page, "main form button[type=submit]", "通報を送る")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        report = ServiceRequest.objects.get()
        assert report.address.startswith("川崎市中原区") and "ベンチ" in report.description
        assert page.url.endswith(f"/reports/track/{report.token}/")
        live_region_with(page, "状況を確認できます")
    finally:
        page.context.close()


@pytest.fixture
def reservation_demo(transactional_db):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from madoguchi.reservations import services
    from madoguchi.reservations.models import Slot

    out = services.seed_demo()
    user = get_user_model().objects.create_user(public_pages.CITIZEN, email=public_pages.CITIZEN,
                                                password=public_pages.CITIZEN_PASSWORD)
    services.register_member(user=user, name="川崎 花子", email=public_pages.CITIZEN)
    out["slot"] = (Slot.objects.filter(lottery_period__isnull=True, start__gt=timezone.now() + dt.timedelta(days=2),
                                       unit__facility__slug="nakahara-tennis").order_by("start", "unit").first())
    out["lottery_slot"] = Slot.objects.filter(lottery_period=out["period"]).order_by("start", "unit").first()
    return out


def test_booking_and_lottery_with_their_cancel_with_the_keyboard(reservation_demo, live_server, browser):
    from madoguchi.reservations.models import Booking, LotteryEntry

    page = new_page(browser, live_server)
    try:
        page.goto(f"{live_server.url}/reservations/login/?next=/reservations/mine/")
        tab_to(page, "#id_username")
        page.keyboard.type(public_pages.CITIZEN)
        page.keyboard.press("Tab")
        assert focused(page, "#id_password")
        page.keyboard.type(public_pages.CITIZEN_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server.url}/reservations/mine/")

        # book a free slot, then cancel it through the confirmation page
        page.goto(f"{live_server.url}/reservations/slots/{reservation_demo['slot'].pk}/")
        tab_to(page, "main form button[type=submit]", "この枠を予約する")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/reservations/mine/"))
        booking = Booking.objects.get()
        assert booking.slot_id == reservation_demo["slot"].pk
        live_region_with(page, f"予約番号 {booking.pk}")
        tab_to(page, "main form button", "取り消す")
        with page.expect_navigation():  # waits for the load event: the stylesheet is in force
            page.keyboard.press("Enter")
        assert page.get_by_role("heading", name="この予約を取り消しますか").is_visible()
        assert Booking.objects.get().status == "active"  # not before the confirmation
        tab_to(page, "main form button[type=submit]", "取り消す")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/reservations/mine/"))
        live_region_with(page, f"予約番号 {booking.pk} を取り消しました")
        assert Booking.objects.get().status != "active"

        # enter the lottery for a slot, then withdraw the entry through its confirmation page
        page.goto(f"{live_server.url}/reservations/slots/{reservation_demo['lottery_slot'].pk}/")
        tab_to(page, "main form button[type=submit]", "抽選に申し込む")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/reservations/mine/"))
        entry = LotteryEntry.objects.get()
        assert entry.status == "active"
        tab_to(page, "main form[action*='withdraw'] button", "取り消す")
        with page.expect_navigation():  # waits for the load event: the stylesheet is in force
            page.keyboard.press("Enter")
        assert page.get_by_role("heading", name="この抽選申込を取り消しますか").is_visible()
        tab_to(page, "main form button[type=submit]", "取り消す")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/reservations/mine/"))
        entry.refresh_from_db()
        assert entry.status != "active"
    finally:
        page.context.close()


# --- procedures (issue #14): the life-event guide, an online application, a bulky-waste request --------------

def _type_over(page, text: str) -> None:
    """Replace the focused field's value: select all (Ctrl+A), then type."""
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def _poll(predicate, timeout_s: float = 10.0):
    """``predicate()`` once it is truthy, polled until the deadline (then its last value)."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def procedures_demo(settings, transactional_db):
    """The procedure guide's seed, the demo form ``water-start`` and a small bulky-waste fee table."""
    from madoguchi.bulky import services as bulky
    from madoguchi.bulky.models import CollectionArea, FeeRule
    from madoguchi.eforms import services as eforms
    from madoguchi.procedures import services as procedures

    public_pages.settings_for_pages(settings)
    procedures.install_seed()  # not in the browser tests' snapshot (TEST_NON_SERIALIZED_APPS)
    eforms.install_demo_form()
    bulky.install_form()
    FeeRule.objects.create(source=bulky.SOURCE, item="タンス", kind="size", tiers=[
        {"label": "長辺1m未満", "min": None, "max": 100, "unit": "cm", "yen": 600},
        {"label": "1m以上", "min": 100, "max": None, "unit": "cm", "yen": 1200}])
    CollectionArea.objects.create(source=bulky.SOURCE, name="旭町", weekdays="月火水木金土日", daily_capacity=5)


def test_life_event_guide_with_the_keyboard(procedures_demo, live_server, browser):
    """引越し → 転入, 家族, a child of 6–11 → the list of procedures (online ones first)."""
    page = new_page(browser, live_server)
    try:
        page.goto(f"{live_server.url}/procedures/life-events/")
        tab_to(page, "main a", "引越し")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_by_role("heading", name="引越しの手続").is_visible()
        tab_to(page, "input[name=move]")  # the group's first radio: 転入
        page.keyboard.press("Space")
        assert page.evaluate("document.activeElement.value") == "in" and page.evaluate("document.activeElement.checked")
        page.keyboard.press("Tab")  # the next group: 単身, then the arrow key moves to 家族 and checks it
        assert focused(page, "input[name=household][value=single]")
        page.keyboard.press("ArrowDown")
        assert focused(page, "input[name=household][value=family]:checked")
        tab_to(page, "input[name=children][value='6-11']")
        page.keyboard.press("Space")
        assert page.evaluate("document.activeElement.checked")
        tab_to(page, "main form button[type=submit]", "必要な手続を表示する")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "move=in" in page.url and "children=6-11" in page.url
        items = page.locator(".guide-item h3").all_inner_texts()
        joined = "\n".join(items)
        for name in ("転入届出", "児童手当の認定の請求", "小・中学校の転入学（転校）の手続"):
            assert name in joined, (name, items)
        assert page.get_by_role("heading", name=re.compile(r"必要な手続（\d+ 件）")).is_visible()
        tab_to(page, ".guide-item a")  # the list is reachable by Tab
    finally:
        page.context.close()


def test_online_application_with_the_keyboard(procedures_demo, live_server, browser, mailoutbox):
    """water-start: e-mail → the code from the mail (a wrong one first: announced) → three steps (a missing
    answer first: announced) → 確認 → 申請 → the reference number."""
    from madoguchi.applications.models import Application

    page = new_page(browser, live_server)
    try:
        page.goto(f"{live_server.url}/procedures/apply/water-start/")
        tab_to(page, "input[name=email]")
        page.keyboard.type(public_pages.CITIZEN)
        tab_to(page, "main form button[type=submit]", "確認コードを送る")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_by_role("heading", name="確認コードの入力").is_visible()
        code = re.search(r"確認コード: (\d{6})", mailoutbox[-1].body).group(1)
        tab_to(page, "input[name=code]")
        page.keyboard.type("000000" if code != "000000" else "111111")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        live_region_with(page, "確認コードが正しくありません")
        tab_to(page, "input[name=code]")
        _type_over(page, code)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/step/0/" in page.url

        # step 1: 氏名 and ふりがな (ふりがな left out first: the error is announced)
        tab_to(page, "input[name=name]")
        page.keyboard.type("川崎 花子")
        tab_to(page, "main form button[type=submit]", "次へ")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/step/0/" in page.url
        assert page.locator("[role=alert]").count() > 0, "the missing answer is not announced"
        tab_to(page, "input[name=name_kana]")
        page.keyboard.type("かわさき はなこ")
        with page.expect_navigation():
            page.keyboard.press("Enter")  # implicit submission: the first button, 次へ
        assert "/step/1/" in page.url

        # step 2: 次へ with nothing filled in: the errors are announced, each linked to its field (a radio too)
        tab_to(page, "main form button[type=submit]", "次へ")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        live_region_with(page, "入力内容を確認してください")
        targets = page.evaluate("""() => [...document.querySelectorAll('.error[role=alert] a[href^="#"]')]
            .map(a => [a.hash, !!document.getElementById(a.hash.slice(1))])""")
        assert len(targets) >= 4 and all(found for _hash, found in targets), targets
        # the postal code fills the address (eforms.js), the house number typed after it
        tab_to(page, "input[name=postal_code]")
        page.keyboard.type("2100005")
        page.keyboard.press("Tab")
        assert focused(page, "input[name=address]")
        assert _poll(lambda: page.evaluate("document.activeElement.value")) == "神奈川県川崎市川崎区東田町"
        page.keyboard.press("End")
        page.keyboard.type("1-1")
        tab_to(page, "input[name=start_date]")
        page.keyboard.type("04012027")  # a date input (eforms.rendering); headless Chromium's order is mm/dd/yyyy
        assert page.evaluate("document.activeElement.value") == "2027-04-01"
        tab_to(page, "input[name=usage]")
        page.keyboard.press("Space")
        assert page.evaluate("document.activeElement.checked")
        tab_to(page, "main form button[type=submit]", "次へ")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/step/2/" in page.url, page.locator("[role=alert]").all_inner_texts()

        # step 3: phone and e-mail, then 確認
        tab_to(page, "input[name=phone]")
        page.keyboard.type("044-200-0000")
        tab_to(page, "input[name=email]")
        _type_over(page, public_pages.CITIZEN)
        tab_to(page, "main form button[type=submit]", "次へ")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_by_role("heading", name="入力内容の確認").is_visible()
        answers = page.locator("dl.answers").inner_text()
        for expected in ("川崎 花子", "かわさき はなこ", "神奈川県川崎市川崎区東田町1-1", "令和9年4月1日", "家庭用"):
            assert expected in answers, expected
        tab_to(page, "main form button[type=submit]", "この内容で申請する")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        app = Application.objects.get()
        assert page.locator(".reference").inner_text() == app.reference
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", page.locator(".secret").inner_text())
        live_region_with(page, "申請を受け付けました")
        assert app.data["address"] == "神奈川県川崎市川崎区東田町1-1" and app.data["usage"] == "家庭用"
    finally:
        page.context.close()


def test_bulky_waste_request_with_the_keyboard(procedures_demo, live_server, browser):
    """An item, its size (arrow keys) and count → the area and a date → contact and tickets (too few first:
    announced) → 確認 → 申し込む → the reference number."""
    from madoguchi.bulky.models import BulkyRequest

    page = new_page(browser, live_server)
    try:
        page.goto(f"{live_server.url}/procedures/bulky-waste/")
        tab_to(page, "#bulky-q")
        page.keyboard.type("タンス")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        tab_to(page, ".bulky-results select[name=size]")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.value") == "1m以上"
        page.keyboard.press("Tab")
        assert focused(page, ".bulky-results input[name=count]")
        _type_over(page, "2")
        tab_to(page, ".bulky-results button[type=submit]", "追加")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_by_test_id("total").inner_text() == "2,400"
        tab_to(page, "main a.button", "次へ: 収集日を選ぶ")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        tab_to(page, "#area-pick")
        assert page.evaluate("document.activeElement.value") == "旭町"
        tab_to(page, "main form button[type=submit]", "収集日を表示")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        tab_to(page, "input[name=date]")
        page.keyboard.press("Space")
        date = page.evaluate("document.activeElement.value")
        assert page.evaluate("document.activeElement.checked") and date
        tab_to(page, "#address")
        page.keyboard.type("亀岡市旭町1-1")
        page.keyboard.press("Tab")
        page.keyboard.type("0771-00-0000")
        page.keyboard.press("Tab")
        page.keyboard.type("citizen@example.jp")
        tab_to(page, "#tickets")
        page.keyboard.type("123456001\n123456002")  # 2,400 yen needs 12 tickets of 200 yen
        tab_to(page, "main form button[type=submit]", "次へ: 確認")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        live_region_with(page, "処理券が12枚必要です")
        tab_to(page, "#tickets")
        page.keyboard.press("Control+End")
        page.keyboard.type("".join(f"\n1234560{k:02d}" for k in range(3, 13)))
        tab_to(page, "main form button[type=submit]", "次へ: 確認")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("h1").inner_text() == "申込内容の確認"
        tab_to(page, "main form button[type=submit]", "申し込む")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        req = BulkyRequest.objects.get()
        assert page.get_by_test_id("reference").inner_text() == req.application.reference
        assert (req.total_yen, req.tickets.count(), req.day.date.isoformat()) == (2400, 12, date)
    finally:
        page.context.close()
