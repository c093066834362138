"""Person names found by their values, in any column (issue #13 part 5).

A food-business permit list whose operator column (営業者名) mixes companies and private persons written
「姓　名」, with a kana reading column and the facility address, is blocked until staff record an override
with its legal basis; companies, facility and place names are not flagged; the threshold and the reading
column signal are checked on their own.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from madoguchi.privacy import detectors
from madoguchi.privacy import services as privacy
from madoguchi.privacy.forms import OverrideForm
from madoguchi.privacy.models import PrivacyOverride

PERSONS = [("山田\u3000太郎", "ヤマダ\u3000タロウ"), ("佐藤\u3000花子", "サトウ\u3000ハナコ"),
           ("鈴木\u3000一郎", "スズキ\u3000イチロウ"), ("高橋 美咲", "タカハシ ミサキ"), ("田中\u3000健", "タナカ\u3000ケン")]
COMPANIES = ["株式会社焼津フーズ", "有限会社大井川水産", "(株)サンライズ", "日清医療食品㈱", "合同会社ミドリ",
             "医療法人 桜会", "焼津漁業協同組合", "山田産業株式会社", "社会福祉法人 若葉会", "㈲駿河食品",
             "一般社団法人焼津市観光協会", "コスモ物産株式会社", "ヤマト商事株式会社", "株式会社フジ", "石津商店"]
FACILITIES = ["焼津市立東小学校", "大井川公民館", "中央公園", "焼津市総合体育館", "浜当目集会所", "石津保育園",
              "焼津市立図書館", "焼津神社", "大住地区交流センター", "焼津市立病院", "和食\u3000宏", "割烹 山田"]
PLACES = ["本町", "栄町２丁目", "大字 利右衛門", "東小川", "大字田尻", "石津港町", "中港", "焼津市浜当目", "関方"]
LEGAL_BASIS = "食品衛生法に基づく公表事項（営業許可の台帳記載事項）"


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in [header, *rows]) + "\n").encode()


def _permit_list() -> bytes:
    """営業者名 mixing companies and persons, a kana reading column beside it, the facility address."""
    operators = [(c, "カブシキガイシャ") for c in COMPANIES] + PERSONS
    rows = [[f"{i}", name, reading, f"焼津市本町{i}-1" + (" コーポ駿河101" if i % 4 == 0 else ""), "飲食店営業"]
            for i, (name, reading) in enumerate(operators, 1)]
    return _csv(["許可番号", "営業者名", "営業者名フリガナ", "営業所所在地", "業種"], rows)


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("suzuki", password="x", is_staff=True)


def test_permit_list__operator_column_blocked_with_masked_persons_and_rows(ingest, make_dataset):
    dataset = make_dataset("food-permits", "食品営業許可一覧")
    with pytest.raises(privacy.PrivacyBlocked) as err:
        ingest(_permit_list(), "permits.csv", dataset=dataset, resource="許可一覧")
    by_column = {f["column"]: f for f in err.value.findings}
    assert set(by_column) == {"営業者名", "営業者名フリガナ"}
    name = by_column["営業者名"]
    assert (name["kind"], name["count"], name["severity"]) == ("personal_name", 5, "error")
    assert name["rows"] == [17, 18, 19, 20, 21]  # the 5 persons (header row 1, 15 companies first)
    assert name["examples"] == ["山****", "佐****", "鈴****"]  # masked: no name in the finding
    assert "山田" not in name["message"] and "営業者名フリガナ" in name["message"]
    reading = by_column["営業者名フリガナ"]
    assert (reading["kind"], reading["rows"]) == ("personal_name", [17, 18, 19, 20, 21])


def test_permit_list__override_with_legal_basis__publishes(ingest, make_dataset, staff):
    dataset = make_dataset("food-permits", "食品営業許可一覧")
    # the existing form takes the legal basis in its reason field, unchanged
    form = OverrideForm({"column": "営業者名", "kind": "personal_name", "reason": LEGAL_BASIS})
    assert form.is_valid(), form.errors
    assert "根拠となる法令" in form.fields["reason"].label
    for column in ("営業者名", "営業者名フリガナ"):
        privacy.record_override(dataset=dataset, resource_name="許可一覧", column=column, kind="personal_name",
                                reason=form.cleaned_data["reason"], user=staff)
    version = ingest(_permit_list(), "permits.csv", dataset=dataset, resource="許可一覧")
    assert version.row_count == 20
    assert sorted((f["column"], f["override"]["reason"], f["override"]["by"]) for f in version.report["privacy"]) == [
        ("営業者名", LEGAL_BASIS, "suzuki"), ("営業者名フリガナ", LEGAL_BASIS, "suzuki")]
    assert PrivacyOverride.objects.filter(reason=LEGAL_BASIS).count() == 2
    assert privacy.unresolved_findings(dataset) == []


@pytest.mark.parametrize("values", [COMPANIES, FACILITIES, PLACES], ids=["companies", "facilities", "places"])
def test_not_persons__next_to_an_address__published(ingest, values):
    rows = [[v, f"焼津市本町{i}-1"] for i, v in enumerate(values, 1)]
    version = ingest(_csv(["名称", "所在地"], rows))
    assert version.report["privacy"] == []


def test_share_below_threshold__not_flagged_above__flagged():
    assert detectors.MIN_NAME_SHARE == 0.03 and detectors.MIN_NAME_VALUES == 3
    companies = [f"株式会社テスト{i}" for i in range(200)]
    persons = ["山田\u3000太郎", "佐藤\u3000花子", "鈴木\u3000一郎", "高橋\u3000美咲", "田中\u3000健", "伊藤\u3000陽子"]
    # 2 persons: under 3 values (and 1 %)
    assert detectors.find_person_names(companies[:198] + persons[:2]) == ([], [])
    # 5 of 200 distinct values = 2.5 %: under 3 %
    assert detectors.find_person_names(companies[:195] + persons[:5]) == ([], [])
    # 6 of 200 = 3 %: flagged, the 6 person values returned
    hits, examples = detectors.find_person_names(companies[:194] + persons)
    assert hits == list(range(194, 200)) and examples == ["山****", "佐****", "鈴****"]
    # a majority flags even a short column (2 of 3 values)
    assert detectors.find_person_names(["山田　太郎", "佐藤　花子", "株式会社テスト"])[0] == [0, 1]


def test_small_share_in_a_table__published(ingest):
    rows = [[f"株式会社テスト{i}", f"焼津市本町{i}"] for i in range(100)] + [["山田\u3000太郎", "焼津市栄町1"],
                                                                         ["佐藤\u3000花子", "焼津市栄町2"]]
    assert ingest(_csv(["営業者名", "所在地"], rows)).report["privacy"] == []


def test_reading_column__confirms_names_sudachi_does_not_know():
    rare = ["鴇浦\u3000煌星", "蔦宮\u3000心愛", "樒田\u3000蒼空"]
    assert [detectors.classify_name(v) for v in rare] == ["candidate"] * 3
    values = rare + COMPANIES
    assert detectors.find_person_names(values) == ([], [])
    readings = {0: "トキウラ\u3000コウセイ", 1: "ツタミヤ ココア", 2: "シキミダ\u3000ソラ", 3: "カブシキガイシャ"}
    assert detectors.find_person_names(values, readings=readings)[0] == [0, 1, 2]


def test_reading_column__in_a_table__rows_aligned(ingest):
    rows = [[name, reading, f"焼津市本町{i}"] for i, (name, reading) in enumerate(
        [("鴇浦\u3000煌星", "トキウラ\u3000コウセイ"), ("蔦宮\u3000心愛", "ツタミヤ\u3000ココア"),
         ("樒田\u3000蒼空", "シキミダ\u3000ソラ")] + [(c, "カブシキガイシャ") for c in COMPANIES], 1)]
    with pytest.raises(privacy.PrivacyBlocked) as err:
        ingest(_csv(["申請者", "フリガナ", "住所"], rows))
    assert sorted((f["column"], f["count"]) for f in err.value.findings) == [("フリガナ", 3), ("申請者", 3)]
    # without the reading column the same names are not confirmed
    without = ingest(_csv(["申請者", "住所"], [[r[0], r[2]] for r in rows]))
    assert without.report["privacy"] == []


def test_classify_name__shapes_and_organisations():
    # 甲斐 is a common noun to SudachiPy: after it a given name is taken for a shop's name (和食　宏), unless a
    # reading column confirms it
    cases = {"山田　太郎": "person", "山田 太郎": "person", "山田太郎": "person", "西村　さゆり": "person",
             "髙橋　喜代子": "person", "株式会社ヤマダ": "organisation", "日清医療食品㈱": "organisation",
             "焼津　港": "organisation", "大字 利右衛門": "organisation", "山田商店": "organisation",
             "和食　宏": "candidate", "甲斐　あゆみ": "candidate", "佐藤ビル": "candidate", "熊本": "other", "鈴木": "other"}
    assert {v: detectors.classify_name(v) for v in cases} == cases


def test_no_address_or_birth_date__persons_not_flagged(ingest):
    rows = [[n, "委員"] for n, _ in PERSONS]
    assert ingest(_csv(["委員名", "役職"], rows)).report["privacy"] == []
