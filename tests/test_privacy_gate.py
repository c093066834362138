"""The privacy gate before publishing (issue #3): detectors, blocking, overrides and their audit log.

Done when: a generated file with valid My Numbers is blocked; a file with 12-digit numbers whose check
digit is wrong (building codes) is not; an override writes the audit record.
"""

from __future__ import annotations

import io
import random

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from madoguchi.catalog.models import Resource
from madoguchi.privacy import services as privacy
from madoguchi.privacy.detectors import is_valid_my_number, looks_like_person, my_number_check_digit
from madoguchi.privacy.models import PrivacyOverride


def _my_number(rng: random.Random) -> str:
    first = "".join(rng.choice("0123456789") for _ in range(11))
    return first + str(my_number_check_digit(first))


def _wrong_check_digit(rng: random.Random) -> str:
    first = "".join(rng.choice("0123456789") for _ in range(11))
    return first + str((my_number_check_digit(first) + rng.randint(1, 9)) % 10)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in [header, *rows]) + "\n").encode()


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("tanaka", password="x", is_staff=True)


def test_check_digit__rule_of_the_ordinance():
    # 施行規則 第1条; 12345678901 → Σ = 212, 212 mod 11 = 3, 11 − 3 = 8
    assert my_number_check_digit("12345678901") == 8
    assert is_valid_my_number("123456789018") and not is_valid_my_number("123456789011")
    assert my_number_check_digit("00000000000") == 0  # remainder 0 → 0
    assert not is_valid_my_number("1234567890180")  # 13 digits


def test_gate__valid_my_numbers__blocked_with_rows_and_masked_examples(ingest, make_dataset):
    rng = random.Random(3)
    numbers = [_my_number(rng) for _ in range(30)]
    data = _csv(["受付番号", "個人番号", "区"], [[str(i), n, "中央区"] for i, n in enumerate(numbers, 1)])
    dataset = make_dataset("benefits", "給付一覧")
    with pytest.raises(privacy.PrivacyBlocked) as err:
        ingest(data, "benefits.csv", dataset=dataset)
    exc = err.value
    assert exc.code == "privacy_blocked" and exc.column == "個人番号"
    [finding] = exc.findings
    assert (finding["kind"], finding["column"], finding["count"]) == ("my_number", "個人番号", 30)
    assert finding["rows"] == list(range(2, 22))  # file rows (header is row 1), at most 20
    assert finding["examples"][0] == "********" + numbers[0][-4:]
    assert exc.as_dict()["findings"][0]["kind"] == "my_number"
    assert not Resource.objects.filter(dataset=dataset, current_version__isnull=False).exists()


def test_gate__my_numbers_with_hyphens_in_a_remark_column__blocked(ingest):
    rng = random.Random(5)
    n = _my_number(rng)
    data = _csv(["施設", "備考"], [["A館", "なし"], ["B館", f"マイナンバー {n[:4]}-{n[4:8]}-{n[8:]} 確認済"]])
    with pytest.raises(privacy.PrivacyBlocked) as err:
        ingest(data)
    assert [(f["kind"], f["column"], f["rows"]) for f in err.value.findings] == [("my_number", "備考", [3])]


def test_gate__building_codes_with_wrong_check_digit__published(ingest):
    rng = random.Random(7)
    codes = [_wrong_check_digit(rng) for _ in range(50)]
    assert not any(is_valid_my_number(c) for c in codes)
    version = ingest(_csv(["建物コード", "名称"], [[c, f"建物{i}"] for i, c in enumerate(codes)]), "buildings.csv")
    assert version.row_count == 50 and version.report["privacy"] == []


def test_gate__codes_where_a_few_pass_by_chance__column_not_flagged(ingest):
    # ~1 in 11 random codes has a "valid" check digit; a column of codes is not a column of My Numbers
    rng = random.Random(11)
    codes = [_wrong_check_digit(rng) for _ in range(45)] + [_my_number(rng) for _ in range(5)]
    version = ingest(_csv(["地番ID"], [[c] for c in codes]))
    assert version.report["privacy"] == []


def test_gate__13_digit_corporate_numbers__not_flagged(ingest):
    version = ingest(_csv(["法人番号", "名称"], [["8000020222127", "焼津市"], ["1234567890181", "株式会社テスト"]]))
    assert version.report["privacy"] == []


def test_gate__email__personal_blocks_public_body_is_info(ingest, make_dataset):
    data = _csv(["施設", "メール"], [["市役所", "info@city.yaizu.lg.jp"], ["総務省", "a@soumu.go.jp"],
                                   ["個人", "taro.yamada@gmail.com"]])
    with pytest.raises(privacy.PrivacyBlocked) as err:
        ingest(data, dataset=make_dataset("m1"))
    assert [(f["kind"], f["rows"], f["examples"]) for f in err.value.findings] == [
        ("email", [4], ["t***@gmail.com"])]
    version = ingest(_csv(["施設", "メール"], [["市役所", "info@city.yaizu.lg.jp"]]), dataset=make_dataset("m2"))
    [info] = version.report["privacy"]
    assert (info["kind"], info["severity"], info["blocking"], info["override"]) == ("email", "info", False, None)


def test_gate__mobile_numbers_block_landlines_do_not(ingest, make_dataset):
    landlines = _csv(["施設", "電話番号"], [["市役所", "054-626-1111"], ["図書館", "0120-123-456"], ["IP", "050-1234-5678"]])
    assert ingest(landlines, dataset=make_dataset("p1")).report["privacy"] == []
    mobiles = _csv(["名称", "連絡先"], [["A", "054-626-1111"], ["B", "090-1234-5678"], ["C", "０８０（１２３４）５６７８"]])
    with pytest.raises(privacy.PrivacyBlocked) as err:
        ingest(mobiles, dataset=make_dataset("p2"))
    [f] = err.value.findings
    assert (f["kind"], f["column"], f["rows"], f["examples"]) == (
        "personal_phone", "連絡先", [3, 4], ["090-****-5678", "080-****-5678"])


NAMES = ["山田 太郎", "佐藤 花子", "鈴木 一郎", "田中 美咲", "高橋 健"]


def test_gate__person_names_with_addresses__blocked(ingest):
    rows = [[n, f"熊本市中央区手取本町{i}-1"] for i, n in enumerate(NAMES, 1)]
    with pytest.raises(privacy.PrivacyBlocked) as err:
        ingest(_csv(["申請者氏名", "申請者住所"], rows))
    [f] = err.value.findings
    assert (f["kind"], f["column"], f["count"], f["examples"][0]) == ("personal_name", "申請者氏名", 5, "山****")


def test_gate__names_without_address_or_corporations__published(ingest, make_dataset):
    assert ingest(_csv(["氏名", "役職"], [[n, "委員"] for n in NAMES]),
                  dataset=make_dataset("n1")).report["privacy"] == []
    corporations = [["株式会社ヤマダ", "熊本市中央区1"], ["医療法人社団 桜会", "熊本市北区2"], ["熊本市", "熊本市中央区3"],
                    ["有限会社 佐藤商店", "熊本市東区4"], ["社会福祉法人 若葉会", "熊本市南区5"]]
    assert ingest(_csv(["開設者", "所在地"], corporations), dataset=make_dataset("n2")).report["privacy"] == []


def test_looks_like_person__sudachi_name_tags_and_organisations():
    assert looks_like_person("山田太郎") and looks_like_person("佐藤　花子")
    assert not looks_like_person("株式会社ヤマダ") and not looks_like_person("医療法人 桜会")
    assert not looks_like_person("焼津市") and not looks_like_person("中央図書館")


def test_gate__birth_date_column__blocked(ingest):
    with pytest.raises(privacy.PrivacyBlocked) as err:
        ingest(_csv(["番号", "生年月日"], [["1", "1980-04-01"], ["2", "1975-12-31"]]))
    assert [(f["kind"], f["column"], f["rows"]) for f in err.value.findings] == [("birth_date", "生年月日", [2, 3])]


def test_mask__keeps_only_the_last_characters_asked_for():
    """The birth-date finding's example is ``mask(value, 0)``: it once returned the whole date (``text[-0:]``)."""
    from madoguchi.privacy.detectors import mask

    assert mask("1980-04-01", 0) == "**********"
    assert mask("123456789018") == "********9018"
    assert mask("123", 4) == "***"


def test_gate__private_dataset__findings_recorded_not_blocking(ingest, make_dataset):
    dataset = make_dataset("permits", "営業許可", private=True)
    version = ingest(_csv(["代表者氏名", "営業所所在地"], [[n, "熊本市"] for n in NAMES]), dataset=dataset)
    [f] = version.report["privacy"]
    assert (f["kind"], f["column"], f["override"]) == ("personal_name", "代表者氏名", None)
    assert [u["column"] for u in privacy.unresolved_findings(dataset)] == ["代表者氏名"]


def test_override__writes_audit_record_and_lets_the_column_through(ingest, make_dataset, staff):
    dataset = make_dataset("hospitals", "病院一覧")
    data = _csv(["病院名", "管理者氏名", "所在地"], [[f"{n[:2]}病院", n, "熊本市"] for n in NAMES])
    with pytest.raises(privacy.PrivacyBlocked):
        ingest(data, dataset=dataset, resource="病院")
    record = privacy.record_override(dataset=dataset, resource_name="病院", column="管理者氏名", kind="personal_name",
                                     reason="医療法第6条の3により公表される事項", user=staff)
    saved = PrivacyOverride.objects.get()
    assert (saved.created_by, saved.reason, saved.column, saved.kind) == (
        staff, "医療法第6条の3により公表される事項", "管理者氏名", "personal_name")
    assert saved.created is not None
    version = ingest(data, dataset=dataset, resource="病院")
    [f] = version.report["privacy"]
    assert f["override"] == {"id": record.pk, "reason": "医療法第6条の3により公表される事項", "by": "tanaka",
                             "at": saved.created.isoformat()}
    assert privacy.unresolved_findings(dataset) == []
    # an override is per resource: another resource of the dataset is still blocked
    with pytest.raises(privacy.PrivacyBlocked):
        ingest(data, dataset=dataset, resource="別の表")


@pytest.mark.parametrize("kw, message", [
    ({"reason": "  "}, "理由を入力してください"),
    ({"column": ""}, "列名を指定してください"),
    ({"kind": "shoe_size"}, "解除の対象ではありません"),
])
def test_override__invalid__nothing_written(make_dataset, staff, kw, message):
    args = {"dataset": make_dataset(), "resource_name": "r", "column": "氏名", "kind": "personal_name",
            "reason": "理由", "user": staff, **kw}
    with pytest.raises(ValueError, match=message):
        privacy.record_override(**args)
    assert PrivacyOverride.objects.count() == 0


def test_unresolved_findings__private_dataset_made_public(ingest, make_dataset, staff):
    dataset = make_dataset("list", private=True)
    ingest(_csv(["氏名", "住所", "電話"], [[n, "熊本市", "090-1111-2222"] for n in NAMES]), dataset=dataset,
           resource="名簿")
    assert sorted((u["resource"], u["column"], u["kind"]) for u in privacy.unresolved_findings(dataset)) == [
        ("名簿", "氏名", "personal_name"), ("名簿", "電話", "personal_phone")]
    privacy.record_override(dataset=dataset, resource_name="", column="電話", kind="personal_phone",
                            reason="本人の同意を得て公開", user=staff)  # dataset-wide
    assert [u["column"] for u in privacy.unresolved_findings(dataset)] == ["氏名"]


def test_cli_ingest__blocked__prints_findings_and_fails(make_dataset, tmp_path):
    make_dataset("benefits")
    path = tmp_path / "b.csv"
    n = _my_number(random.Random(1))
    path.write_bytes(_csv(["個人番号"], [[n]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="個人情報と思われるデータがあるため公開を止めました"):
        call_command("ingest", str(path), "--dataset", "benefits", "--no-progress", stderr=err)
    assert f"my_number 列「個人番号」 1行 rows 2 e.g. ********{n[-4:]}" in err.getvalue()
    assert "madoguchi privacy-override --dataset benefits" in err.getvalue()


def test_cli_privacy_override__records_and_lists(make_dataset, staff):
    make_dataset("hospitals")
    out = io.StringIO()
    call_command("privacy_override", "--dataset", "hospitals", "--column", "管理者氏名", "--kind", "personal_name",
                 "--reason", "医療法により公表", "--user", "tanaka", stdout=out)
    o = PrivacyOverride.objects.get()
    assert (o.resource_name, o.created_by.username, o.reason) == ("", "tanaka", "医療法により公表")
    assert f"記録しました #{o.pk}" in out.getvalue()
    listing = io.StringIO()
    call_command("privacy_override", "--dataset", "hospitals", "--list", stdout=listing)
    assert "tanaka * 「管理者氏名」 personal_name: 医療法により公表" in listing.getvalue()
    with pytest.raises(CommandError, match="--reason"):
        call_command("privacy_override", "--dataset", "hospitals", "--column", "c", "--kind", "email",
                     "--user", "tanaka")
    assert PrivacyOverride.objects.count() == 1


def test_admin__audit_log_is_read_only(admin_client, make_dataset, staff):
    o = privacy.record_override(dataset=make_dataset(), resource_name="r", column="氏名", kind="personal_name",
                                reason="理由", user=staff)
    assert admin_client.get(f"/admin/privacy/privacyoverride/{o.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/privacy/privacyoverride/{o.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PrivacyOverride.objects.filter(pk=o.pk).exists()


def test_bundle__hospitals_published_with_declared_override(db):
    from madoguchi.bundle.loader import load_bundle

    load_bundle(only={"kumamoto-hospitals"})
    version = Resource.objects.get(dataset__slug="kumamoto-hospitals", name="病院一覧 (CSV)").current_version
    [f] = version.report["privacy"]
    assert (f["kind"], f["column"], f["count"]) == ("personal_name", "管理者氏名", 90)
    assert "医療法第6条の3" in f["override"]["reason"] and f["override"]["by"] == ""
