"""eforms: definitions, JSON Schema, validation of every kind, conditional fields, versions, rendering."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils import timezone
from jsonschema import Draft202012Validator

from madoguchi.eforms import services as eforms
from madoguchi.eforms.models import Form

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32

ALL_KINDS = {
    "fields": [
        {"name": "name", "label": "氏名", "kind": "text", "required": True, "max_length": 10},
        {"name": "code", "label": "番号", "kind": "text", "pattern": r"^[A-Z]\d{3}$"},
        {"name": "note", "label": "備考", "kind": "textarea"},
        {"name": "count", "label": "人数", "kind": "number", "min": 1, "max": 10},
        {"name": "birth", "label": "生年月日", "kind": "date"},
        {"name": "usage", "label": "用途", "kind": "choice", "choices": ["家庭用", "事業用"], "required": True},
        {"name": "biz", "label": "事業所名", "kind": "text", "required": True,
         "show_if": {"field": "usage", "equals": "事業用"}},
        {"name": "days", "label": "曜日", "kind": "multichoice", "choices": ["月", "水", "金"]},
        {"name": "agree", "label": "同意", "kind": "checkbox"},
        {"name": "postal", "label": "郵便番号", "kind": "postal_code"},
        {"name": "address", "label": "住所", "kind": "address"},
        {"name": "tel", "label": "電話番号", "kind": "phone"},
        {"name": "mail", "label": "メールアドレス", "kind": "email"},
        {"name": "doc", "label": "添付書類", "kind": "file", "accept": [".pdf"], "max_size_mb": 1},
    ],
    "attachments_note": "",
}
VALID = {"name": "山田 花子", "usage": "家庭用"}


@pytest.fixture
def version(db):
    form = Form.objects.create(slug="all-kinds", title="全種類", published=True)
    return eforms.save_version(form, ALL_KINDS, None)


# ---------------------------------------------------------------- definition checks

@pytest.mark.parametrize("field, needle", [
    ({"name": "x", "label": "項目X", "kind": "colour"}, "項目X"),
    ({"name": "Bad-Name", "label": "悪い名前", "kind": "text"}, "悪い名前"),
    ({"name": "p", "label": "正規表現", "kind": "text", "pattern": "([a-"}, "正規表現"),
    ({"name": "s", "label": "条件つき", "kind": "text", "show_if": {"field": "nowhere", "equals": "1"}}, "条件つき"),
    ({"name": "c", "label": "選択", "kind": "choice", "choices": []}, "選択"),
    ({"name": "f", "label": "ファイル", "kind": "file", "accept": [".exe"]}, "ファイル"),
    ({"name": "n", "label": "範囲", "kind": "number", "min": 5, "max": 1}, "範囲"),
])
def test_bad_definition_names_the_field(field, needle):
    with pytest.raises(eforms.FormError) as err:
        eforms.check_definition({"fields": [{"name": "ok", "label": "よい", "kind": "text"}, field]})
    assert err.value.code == "invalid_definition"
    assert needle in err.value.message
    assert err.value.status == 400


def test_empty_definition_refused():
    with pytest.raises(eforms.FormError) as err:
        eforms.check_definition({"fields": []})
    assert "項目を1つ以上" in err.value.message


def test_duplicate_names_refused():
    with pytest.raises(eforms.FormError) as err:
        eforms.check_definition({"fields": [{"name": "a", "label": "一", "kind": "text"},
                                            {"name": "a", "label": "二", "kind": "text"}]})
    assert err.value.param == "a" and "重複" in err.value.message and "二" in err.value.message


# ---------------------------------------------------------------- JSON Schema

def test_json_schema_is_valid_2020_12(version):
    schema = eforms.to_json_schema(version)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    props = schema["properties"]
    assert props["birth"] == {"title": "生年月日", "type": "string", "format": "date"}
    assert props["mail"]["format"] == "email"
    assert props["count"]["minimum"] == 1 and props["count"]["maximum"] == 10
    assert props["name"]["maxLength"] == 10
    assert props["usage"]["enum"] == ["家庭用", "事業用"]
    assert props["code"]["pattern"] == r"^[A-Z]\d{3}$"
    assert props["doc"]["contentMediaType"] == "application/pdf" and props["doc"]["x-madoguchi-max-size-mb"] == 1
    assert schema["required"] == ["name", "usage"]
    assert schema["allOf"] == [{"if": {"properties": {"usage": {"const": "事業用"}}, "required": ["usage"]},
                                "then": {"required": ["biz"]}}]
    # clean answers satisfy the schema; a business use without its name does not
    validator = Draft202012Validator(schema)
    assert validator.is_valid(eforms.clean_data(version, {**VALID, "count": "3", "birth": "令和8年12月5日"}))
    assert not validator.is_valid({"name": "x", "usage": "事業用"})


# ---------------------------------------------------------------- validate, kind by kind

def test_valid_answers_have_no_errors(version):
    data = {**VALID, "code": "A123", "count": "３", "birth": "2026-12-05", "days": ["月", "金"], "agree": "on",
            "postal": "210-0005", "address": "川崎市川崎区東田町", "tel": "044-200-1234", "mail": "a@example.jp"}
    files = {"doc": SimpleUploadedFile("lease.pdf", PDF, "application/pdf")}
    assert eforms.validate(version, data, files) == {}
    clean = eforms.clean_data(version, data)
    assert clean["count"] == 3 and clean["birth"] == "2026-12-05" and clean["agree"] is True
    assert clean["days"] == ["月", "金"] and clean["tel"] == "0442001234" and clean["postal"] == "210-0005"
    assert "biz" not in clean


@pytest.mark.parametrize("field, value, needle", [
    ("name", "", "氏名: 入力してください"),
    ("name", "あ" * 11, "氏名: 10文字以内"),
    ("code", "a12", "番号: 入力の形が正しくありません"),
    ("count", "0", "人数: 1 以上 10 以下"),
    ("count", "11", "人数: 1 以上 10 以下"),
    ("count", "たくさん", "人数: 数を半角数字で"),
    ("count", "inf", "人数: 数を半角数字で"),
    ("note", "a\x00b", "備考: 使えない文字"),
    ("note", "あ" * 20001, "備考: 20000文字以内"),
    ("birth", "2026-02-30", "生年月日: 日付を 2026-12-05 または 令和8年12月5日 の形で入力してください"),
    ("birth", "令和8年2月30日", "生年月日: 日付を"),
    ("birth", "令和8年12月", "生年月日: 日付を"),
    ("usage", "農業用", "用途: 選択肢の中から"),
    ("days", ["月", "日"], "曜日: 選択肢の中から"),
    ("tel", "12345", "電話番号: 電話番号を"),
    ("tel", "044-200-12345", "電話番号: 電話番号を"),
    ("tel", "0000000000", "電話番号: 電話番号を"),  # ten digits after a 0, but no such number in Japan's plan
    ("mail", "not-an-address", "メールアドレス: メールアドレスの形"),
    ("mail", "a@b@c.jp", "メールアドレス: メールアドレスの形"),
    ("postal", "123", "郵便番号: 郵便番号は7けた"),
    ("postal", "999-9999", "郵便番号: 郵便番号 999-9999 は見つかりません"),
])
def test_invalid_value_named(version, field, value, needle):
    errors = eforms.validate(version, {**VALID, field: value}, {})
    assert list(errors) == [field], errors
    assert any(needle in m for m in errors[field]), errors


def test_wareki_and_full_width_accepted(version):
    assert eforms.validate(version, {**VALID, "birth": "令和8年12月5日", "count": "１０", "tel": "090-1234-5678",
                                     "postal": "〒２１０－０００５"}, {}) == {}
    assert eforms.clean_data(version, {**VALID, "birth": "R8.12.5"})["birth"] == "2026-12-05"
    assert eforms.clean_data(version, {**VALID, "tel": "+81 44 200 1234"})["tel"] == "0442001234"
    assert eforms.clean_data(version, {**VALID, "tel": "（０９０）１２３４－５６７８"})["tel"] == "09012345678"


def test_files_checked_by_size_and_bytes(version):
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024), "application/pdf")
    assert "添付書類: ファイルは 1 MB 以下" in eforms.validate(version, VALID, {"doc": big})["doc"][0]
    png_renamed = SimpleUploadedFile("photo.pdf", PNG, "application/pdf")  # a PNG renamed .pdf
    assert "添付書類: ファイルの中身が .pdf ではありません" in eforms.validate(version, VALID, {"doc": png_renamed})["doc"][0]
    wrong_ext = SimpleUploadedFile("photo.png", PNG, "image/png")
    assert "添付書類: 添付できるファイルの種類は .pdf" in eforms.validate(version, VALID, {"doc": wrong_ext})["doc"][0]


def test_conditional_field_required_only_when_shown(version):
    assert eforms.validate(version, {**VALID, "usage": "家庭用"}, {}) == {}
    errors = eforms.validate(version, {**VALID, "usage": "事業用"}, {})
    assert errors == {"biz": ["事業所名: 入力してください"]}
    # hidden answers are neither checked nor kept
    data = {**VALID, "usage": "家庭用", "biz": "x" * 500}
    assert eforms.validate(version, data, {}) == {}
    assert "biz" not in eforms.clean_data(version, data)


def test_querydict_and_required_checkbox(db):
    form = Form.objects.create(slug="agree", title="同意")
    v = eforms.save_version(form, {"fields": [
        {"name": "ok", "label": "規約に同意する", "kind": "checkbox", "required": True},
        {"name": "days", "label": "曜日", "kind": "multichoice", "choices": ["月", "水"], "required": True}]}, None)
    errors = eforms.validate(v, QueryDict(""), {})
    assert errors == {"ok": ["規約に同意する: チェックを入れてください"], "days": ["曜日: 選んでください"]}
    assert eforms.validate(v, QueryDict("ok=on&days=月&days=水"), {}) == {}
    assert eforms.clean_data(v, QueryDict("ok=on&days=月&days=水")) == {"ok": True, "days": ["月", "水"]}


# ---------------------------------------------------------------- versions, open period, display, steps

def test_new_version_leaves_old_unchanged(version):
    form = version.form
    before = dict(version.definition)
    changed = {"fields": ALL_KINDS["fields"] + [{"name": "extra", "label": "追加", "kind": "text"}]}
    v2 = eforms.save_version(form, changed, None)
    assert (version.number, v2.number) == (1, 2)
    version.refresh_from_db()
    assert version.definition == before and "extra" not in [f["name"] for f in version.definition["fields"]]
    assert form.current_version() == v2
    assert eforms.save_version(form, changed, None) == v2  # same definition: no new version
    with pytest.raises(eforms.FormError):
        eforms.save_version(form, {"fields": [{"name": "x", "label": "x", "kind": "nope"}]}, None)
    assert form.versions.count() == 2


def test_open_form_period_and_publication(version):
    form = version.form
    now = timezone.now()
    assert eforms.open_form("all-kinds", now=now) == form
    form.opens_at, form.closes_at = now + dt.timedelta(days=1), now + dt.timedelta(days=2)
    form.save()
    with pytest.raises(eforms.FormError) as err:
        eforms.open_form("all-kinds", now=now)
    assert err.value.code == "form_closed" and err.value.status == 409
    assert eforms.open_form("all-kinds", now=now + dt.timedelta(days=1, hours=1)) == form
    form.published = False
    form.save()
    with pytest.raises(eforms.FormError) as err:
        eforms.open_form("all-kinds", now=now + dt.timedelta(days=1, hours=1))
    assert err.value.code == "not_found" and err.value.status == 404


def test_display_value_and_steps(db):
    form = eforms.install_demo_form()
    assert eforms.install_demo_form() == form and form.versions.count() == 1  # idempotent
    v = form.current_version()
    assert eforms.display_value(v, "start_date", "2026-12-05") == "令和8年12月5日 (2026-12-05)"
    assert eforms.display_value(v, "postal_code", "210-0005") == "〒210-0005"
    assert [title for title, _ in eforms.steps(v)] == ["使用者", "使用場所", "連絡先"]
    assert [f["name"] for f in eforms.steps(v)[1][1]] == ["postal_code", "address", "start_date", "usage",
                                                          "business_name"]


def test_build_form_widgets_and_step_validation(db):
    v = eforms.install_demo_form().current_version()
    form = eforms.build_form(v)
    html = str(form["postal_code"])
    assert 'autocomplete="postal-code"' in html and 'inputmode="numeric"' in html
    assert 'data-postal-fill="address"' in html
    assert 'type="date"' in str(form["start_date"]) and 'autocomplete="tel"' in str(form["phone"])
    assert "data-show-if" in str(form["business_name"]) and not form.fields["business_name"].required
    assert 'accept=".pdf"' in str(form["contract"])
    step = eforms.build_form(v, step="使用場所", data={"postal_code": "210-0005", "address": "川崎市",
                                                       "start_date": "2026-02-30", "usage": "事業用"})
    assert list(step.fields) == ["postal_code", "address", "start_date", "usage", "business_name"]
    assert not step.is_valid()
    assert step.errors["start_date"] == ["使用開始日: 日付を 2026-12-05 または 令和8年12月5日 の形で入力してください"]
    assert step.errors["business_name"] == ["事業所名: 入力してください"]
    assert "name" not in step.errors  # other steps are not checked


def test_build_form_file_field_accepts_stored_file_by_name(db):
    form = Form.objects.create(slug="doc", title="書類")
    v = eforms.save_version(form, {"fields": [
        {"name": "doc", "label": "証明書", "kind": "file", "required": True, "accept": [".pdf"]}]}, None)
    empty = eforms.build_form(v, data={}, files={})
    assert "required" not in str(empty["doc"]) and empty.fields["doc"].required  # mark shown, browser not blocked
    assert not empty.is_valid() and empty.errors["doc"] == ["証明書: ファイルを添付してください"]
    stored = eforms.build_form(v, data={"doc": "certificate.pdf"}, files={})  # stored at an earlier submit
    assert stored.is_valid(), stored.errors
    uploaded = eforms.build_form(v, data={}, files={"doc": SimpleUploadedFile("c.pdf", PDF, "application/pdf")})
    assert uploaded.is_valid(), uploaded.errors
    fake = eforms.build_form(v, data={}, files={"doc": SimpleUploadedFile("c.pdf", PNG, "application/pdf")})
    assert not fake.is_valid() and "ファイルの中身が .pdf ではありません" in fake.errors["doc"][0]


# ---------------------------------------------------------------- messages in the page's language (issue #18)

def test_messages_follow_the_language_and_name_the_english_label(version):
    """In English, each message is English and names the field's ``label_en`` (its Japanese label when it has
    none); in Japanese, unchanged."""
    from django.utils import translation

    definition = {"fields": [dict(f, label_en="Number of people") if f["name"] == "count" else f
                             for f in ALL_KINDS["fields"]], "attachments_note": ""}
    english = eforms.save_version(version.form, definition, None)
    answers = {"name": "", "usage": "家庭用", "count": "99", "postal": "123"}
    with translation.override("en"):
        errors = eforms.validate(english, answers, {})
    assert errors == {"name": ["氏名: this is required"], "count": ["Number of people: enter a number from 1 to 10"],
                      "postal": ["郵便番号: enter the 7-digit postal code (e.g. 210-0005)"]}
    with translation.override("ja"):
        errors = eforms.validate(english, answers, {})
    assert errors["count"] == ["人数: 1 以上 10 以下の数を入力してください"] and errors["name"] == ["氏名: 入力してください"]


def test_english_step_page_shows_english_errors(client, db):
    """The online application's step page at /en/… shows the errors in English with the English labels."""
    import secrets

    from madoguchi.applications.models import Draft

    form = eforms.install_demo_form()
    draft = Draft.objects.create(token=secrets.token_urlsafe(24), form=form, version=form.current_version(),
                                 email="hanako@example.jp", expires_at=timezone.now() + dt.timedelta(days=1),
                                 email_verified=True, data={}, step=0)
    path = f"/procedures/apply/{form.slug}/d/{draft.token}/step/0/"
    answers = {"action": "next", "name": "", "name_kana": ""}
    response = client.post("/en" + path, answers)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Name: this is required" in html and "Name (kana): this is required" in html
    assert ": 入力してください" not in html
    html = client.post(path, answers).content.decode()
    assert "氏名: 入力してください" in html and "氏名（ふりがな）: 入力してください" in html
