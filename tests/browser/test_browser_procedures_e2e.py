"""Issue #14 "Done when" (b) and (c) in Chromium, each at 375 px and 1280 px, every page visited axe-core clean
and without sideways scrolling:

* (c) staff build a procedure's form from nothing in the builder (settings, five kinds of field incl. a choice with
  a conditional field and a file with a type/size limit), preview it, publish it; a citizen finds it through the
  procedure guide, verifies the e-mail code, fills it in (a wrong file type is refused), confirms and submits; the
  staff queue shows the application with the attached file;
* (b) a correction cycle: staff ask for a correction of one field, the citizen answers it on the status page
  (reference + secret), staff see the new value and the history, the status is back to 審査中.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

from .conftest import DESKTOP

from .conftest import poll_until as _wait

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
VIEWPORTS = [pytest.param(PHONE, id="375px"), pytest.param(DESKTOP, id="1280px")]
DEPARTMENT = "こども未来局 こども保育課"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _check(page, axe, what: str) -> None:
    """The page fits the viewport's width and has no axe-core (WCAG 2.1 A/AA) violations (once it has loaded:
    right after a click the next document may not exist yet)."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{what} ({page.url}) is {width}px wide: " + page.evaluate(
        """w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w)
            .slice(-3).map(e => e.outerHTML.slice(0, 160)).join(' | ')""", page.viewport_size["width"])
    violations = axe(page)
    assert violations == [], f"axe violations on {what} ({page.viewport_size['width']}px):\n{violations.describe()}"


@pytest.fixture
def member(staff_user):
    from madoguchi.applications.models import DepartmentMember

    DepartmentMember.objects.create(user=staff_user, department=DEPARTMENT)
    return staff_user


# ---------------------------------------------------------------------------------------------------- (c)

@pytest.fixture
def procedure(transactional_db):
    from madoguchi.procedures.models import Procedure

    return Procedure.objects.create(name="放課後児童クラブの利用申請", department=DEPARTMENT, offered=True,
                                    how_to_apply="区役所 地域みまもり支援センター")


def _row(page, i: int, **values) -> None:
    """Fill row ``i`` of the builder (``f-<i>-<name>``): text inputs, ``kind`` (select), ``required`` (bool)."""
    for key, value in values.items():
        locator = page.locator(f"#id_f-{i}-{key}")
        if key == "kind":
            locator.select_option(value)
        elif key == "required":
            locator.set_checked(value)
        else:
            locator.fill(value)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_staff_build_a_form_and_a_citizen_applies(viewport, procedure, member, live_server, page_factory,
                                                   login, axe):
    from madoguchi.applications.models import Application
    from madoguchi.eforms.models import Form

    staff = page_factory(viewport)
    login(staff)
    # settings: link the procedure (search, pick), name, URL and department
    staff.goto(f"{live_server.url}/staff/forms/new/")
    _check(staff, axe, "builder: new form")
    staff.get_by_label("関連付ける手続を探す").fill("児童クラブ")
    staff.get_by_role("button", name="手続を検索").click()
    staff.get_by_label(re.compile("放課後児童クラブの利用申請")).check()
    staff.get_by_label("フォームの名前", exact=False).first.fill("放課後児童クラブ利用申請")
    staff.locator("#id_slug").fill("jido-club")
    staff.locator("#id_department").fill(DEPARTMENT)
    staff.get_by_role("button", name="作成して項目の編集へ進む").click()
    staff.get_by_role("heading", name="放課後児童クラブ利用申請: 項目の編集").wait_for()
    _check(staff, axe, "builder: no fields yet")
    for n in range(1, 6):
        staff.get_by_role("button", name="項目を追加").click()
        staff.locator(f"#id_f-{n - 1}-name").wait_for()
    _row(staff, 0, name="child_name", label="児童の氏名", kind="text", required=True, max_length="50",
         step="児童")
    _row(staff, 1, name="start_date", label="利用開始日", kind="date", required=True)
    _row(staff, 2, name="reason", label="利用の理由", kind="choice", required=True, choices="就労\nその他",
         step="理由")
    _row(staff, 3, name="reason_other", label="その他の理由", kind="textarea", required=True,
         show_if_field="reason", show_if_equals="その他")
    _row(staff, 4, name="proof", label="就労証明書", kind="file", required=True, accept=".pdf",
         max_size_mb="1", help="PDF、1 MB まで")
    staff.get_by_role("button", name="下書きを保存").click()
    staff.get_by_text("下書きを保存しました").wait_for()
    _check(staff, axe, "builder: five fields")
    # preview: the conditional field shows only for その他
    staff.get_by_role("link", name="プレビュー", exact=True).first.click()
    staff.get_by_role("heading", name="放課後児童クラブ利用申請: プレビュー").wait_for()
    other = staff.get_by_label(re.compile("^その他の理由"))
    assert _wait(lambda: not other.is_visible())  # eforms.js hides it (after the page's deferred script ran)
    staff.get_by_label("その他", exact=True).check()
    assert _wait(other.is_visible)
    _check(staff, axe, "builder: preview")
    staff.goto(f"{live_server.url}/staff/forms/jido-club/fields/")
    staff.get_by_role("button", name="下書きを新しい版として公開").click()
    staff.get_by_text("第1版として公開しました").wait_for()
    _check(staff, axe, "builder: versions")
    form = Form.objects.get(slug="jido-club")
    assert form.published and form.department == DEPARTMENT and form.procedure_id == procedure.pk
    assert [f["name"] for f in form.current_version().definition["fields"]] == [
        "child_name", "start_date", "reason", "reason_other", "proof"]

    # the citizen, in another browser context: the guide → the form
    citizen = page_factory(viewport)
    citizen.goto(f"{live_server.url}/procedures/")
    citizen.get_by_role("searchbox", name="手続名・キーワード").fill("児童クラブ")
    citizen.get_by_role("button", name="探す").click()
    citizen.get_by_role("link", name="放課後児童クラブの利用申請").click()
    _check(citizen, axe, "procedure guide")
    citizen.get_by_role("link", name="オンラインで申請する").click()
    citizen.get_by_role("heading", name="放課後児童クラブ利用申請").wait_for()
    assert citizen.url == f"{live_server.url}/procedures/apply/jido-club/"
    _check(citizen, axe, "apply: start")
    citizen.get_by_label("メールアドレス").fill("hanako@example.jp")
    citizen.get_by_role("button", name="確認コードを送る").click()
    citizen.get_by_role("heading", name="確認コードの入力").wait_for()
    _check(citizen, axe, "apply: verify")
    code = re.search(r"確認コード: (\d{6})", mail.outbox[-1].body).group(1)
    citizen.get_by_label("確認コード（6桁の数字）").fill(code)
    citizen.get_by_role("button", name="次へ").click()
    citizen.get_by_label(re.compile("^児童の氏名")).fill("川崎 花子")
    citizen.get_by_label(re.compile("^利用開始日")).fill("2027-04-01")
    _check(citizen, axe, "apply: step 1")
    citizen.get_by_role("button", name="次へ").click()
    citizen.get_by_label("その他", exact=True).check()
    other = citizen.get_by_label(re.compile("^その他の理由"))
    assert _wait(other.is_visible)
    other.fill("求職中のため")
    proof = citizen.get_by_label(re.compile("^就労証明書"))
    proof.set_input_files({"name": "proof.txt", "mimeType": "text/plain", "buffer": b"not a pdf"})
    citizen.get_by_role("button", name="次へ").click()
    citizen.get_by_role("alert").first.wait_for()
    assert ".pdf" in citizen.get_by_role("alert").first.inner_text()  # the type limit, named
    _check(citizen, axe, "apply: step 2 with the file refused")
    big = PDF + b"0" * (1024 * 1024)  # a real PDF signature, over the 1 MB limit
    citizen.get_by_label(re.compile("^就労証明書")).set_input_files(
        {"name": "big.pdf", "mimeType": "application/pdf", "buffer": big})
    citizen.get_by_role("button", name="次へ").click()
    citizen.get_by_text("1 MB 以下にしてください").first.wait_for()  # the size limit, named
    citizen.get_by_label(re.compile("^その他の理由")).fill("求職中のため")
    citizen.get_by_label(re.compile("^就労証明書")).set_input_files(
        {"name": "shomei.pdf", "mimeType": "application/pdf", "buffer": PDF})
    citizen.get_by_role("button", name="次へ").click()
    citizen.get_by_role("heading", name="入力内容の確認").wait_for()
    confirm = citizen.locator("dl.answers").inner_text()
    for expected in ("hanako@example.jp", "川崎 花子", "令和9年4月1日", "求職中のため", "shomei.pdf"):
        assert expected in confirm, expected
    _check(citizen, axe, "apply: confirm")
    citizen.get_by_role("button", name="この内容で申請する").click()
    citizen.get_by_role("heading", name="申請を受け付けました").wait_for()
    _check(citizen, axe, "apply: done")
    app = Application.objects.get(form=form)
    assert citizen.locator(".reference").inner_text() == app.reference
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", citizen.locator(".secret").inner_text())
    assert app.department == DEPARTMENT and app.data["reason_other"] == "求職中のため"
    assert [f.name for f in app.files.all()] == ["shomei.pdf"]

    # the staff queue shows it, with its answers and the file
    staff.goto(f"{live_server.url}/staff/applications/")
    row = staff.locator("tbody tr", has_text=app.reference)
    assert "放課後児童クラブ利用申請" in row.inner_text() and "受付" in row.inner_text()
    _check(staff, axe, "staff queue")
    row.get_by_role("link", name=app.reference).click()
    staff.get_by_role("heading", name=f"申請 {app.reference}").wait_for()
    assert "川崎 花子" in staff.content()
    assert staff.get_by_role("link", name="shomei.pdf").is_visible()
    _check(staff, axe, "staff application")


# ---------------------------------------------------------------------------------------------------- (b)

@pytest.fixture
def submitted(member):
    """A published form and an application to it, submitted through ``applications.services.submit``."""
    from madoguchi.applications import services as applications
    from madoguchi.eforms import services as eforms
    from madoguchi.eforms.models import Form

    form = Form.objects.create(slug="inkan", title="印鑑登録証明書の交付申請", department=DEPARTMENT, published=True)
    version = eforms.save_version(form, {"fields": [
        {"name": "name", "label": "氏名", "kind": "text", "required": True},
        {"name": "address", "label": "住所", "kind": "text", "required": True},
        {"name": "copies", "label": "必要な通数", "kind": "number", "required": True, "min": 1, "max": 10},
    ]}, None)
    app, created, secret = applications.submit(
        version, {"name": "川崎 太郎", "address": "川崎市中原区小杉町1-1", "copies": "1"}, {},
        email="taro@example.jp", client_token="correction-cycle-0001")
    assert created
    return app, secret


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_correction_cycle(viewport, submitted, live_server, page_factory, login, axe):
    from madoguchi.applications.models import Application

    app, secret = submitted
    ref = app.reference
    staff = page_factory(viewport)
    login(staff)
    staff.goto(f"{live_server.url}/staff/applications/")
    _check(staff, axe, "staff queue")
    staff.get_by_role("link", name=ref).click()
    staff.get_by_role("heading", name=f"申請 {ref}").wait_for()
    _check(staff, axe, "staff application")
    staff.get_by_role("group", name="補正を依頼する項目").get_by_label("住所").check()
    staff.get_by_label("補正をお願いする内容").fill("住所に番地の続き（号）を書いてください。")
    staff.get_by_role("button", name="補正を依頼").click()
    staff.get_by_text("補正を依頼しました").wait_for()
    app.refresh_from_db()
    assert app.status == Application.Status.CORRECTION
    assert "補正要求" in staff.locator("dl.facts").first.inner_text()
    _check(staff, axe, "staff application awaiting a correction")

    citizen = page_factory(viewport)
    citizen.goto(f"{live_server.url}/procedures/status/")
    _check(citizen, axe, "status lookup")
    citizen.get_by_label("受付番号").fill(ref)
    citizen.get_by_label("確認コード").fill(secret)
    citizen.get_by_role("button", name="確認する").click()
    citizen.get_by_role("heading", name="申請の状況").wait_for()
    assert citizen.locator(".status").inner_text() == "補正要求"
    assert "住所に番地の続き（号）を書いてください。" in citizen.locator(".notice").inner_text()
    address = citizen.get_by_label(re.compile("^住所"))
    assert address.input_value() == "川崎市中原区小杉町1-1"  # the current value, to be corrected
    assert citizen.get_by_label(re.compile("^氏名")).count() == 0  # only the listed field
    _check(citizen, axe, "status with a correction request")
    address.fill("川崎市中原区小杉町1-1-101")
    citizen.get_by_role("button", name="補正の内容を送る").click()
    citizen.get_by_text("補正の内容を送信しました").wait_for()
    assert citizen.locator(".status").inner_text() == "審査中"
    assert citizen.get_by_role("button", name="補正の内容を送る").count() == 0
    _check(citizen, axe, "status after the answer")
    app.refresh_from_db()
    assert app.status == Application.Status.REVIEWING
    assert app.data["address"] == "川崎市中原区小杉町1-1-101"
    assert app.corrections.get().answer_data == {"address": "川崎市中原区小杉町1-1-101"}

    staff.reload()
    staff.get_by_role("heading", name=f"申請 {ref}").wait_for()
    answers = staff.locator("dl.facts").nth(1).inner_text()
    assert "川崎市中原区小杉町1-1-101" in answers
    history = staff.locator("table", has_text="変更後").inner_text()
    assert [s for s in ("受付", "補正要求", "審査中") if s in history] == ["受付", "補正要求", "審査中"]
    assert "補正の回答がありました" in history
    corrections = staff.locator("h2:text-is('補正要求') + ul").inner_text()
    assert "住所に番地の続き" in corrections and "address = 川崎市中原区小杉町1-1-101" in corrections
    assert "審査中" in staff.locator("dl.facts").first.inner_text()
    _check(staff, axe, "staff application after the answer")


# ---------------------------------------------------------------------------------------------------- #18

@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_plain_japanese_procedures_page(viewport, transactional_db, live_server, page_factory, axe):
    """/procedures/ links the plain-Japanese page; it has ruby, fits, is axe clean and links the real pages."""
    page = page_factory(viewport)
    page.goto(f"{live_server.url}/procedures/")
    page.get_by_role("link", name="やさしい にほんご").click()
    page.wait_for_url(f"{live_server.url}/easy/procedures/")
    assert page.locator("h1 ruby").count() >= 2 and "てつづき" in page.locator("h1").inner_text()
    _check(page, axe, "/easy/procedures/")
    page.get_by_role("link", name=re.compile("状況")).click()
    page.get_by_role("heading", name="申請の状況の確認").wait_for()
