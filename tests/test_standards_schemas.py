"""Standard schemas: the committed Table Schemas are a fresh conversion of the sources, valid
Frictionless descriptors, and spell every field exactly as the standard does."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from frictionless import Schema

from madoguchi.standards import convert, services

ROOT = Path(__file__).resolve().parents[1]
IDS = ["aed-v1", "care-service-v1", "medical-institution-v1", "cultural-property-v1", "tourism-v1", "event-v1",
       "public-wifi-v1", "public-toilet-v1", "fire-water-v1", "evacuation-space-v1", "population-v1",
       "public-facility-v1", "childcare-v1", "open-data-list-v1", "public-toilet-2024", "fire-water-2024",
       "event-2024"]


def test_registry__lists_every_standard_in_definition_order():
    assert [s.id for s in services.all_standards()] == IDS


def test_sources__are_the_14_models_unchanged():
    files = sorted(p.name for p in convert.SOURCES.glob("*.model.yaml"))
    assert files == sorted(convert.V1_MODELS.values())
    assert "MIT" in (convert.SOURCES / "PROVENANCE.md").read_text(encoding="utf-8")
    # sha256 of the files in NEC-FIWARE/smart-data-models cio/ @ 4ae28f2f3e8e (bytes unchanged)
    digest = {name: hashlib.sha256((convert.SOURCES / name).read_bytes()).hexdigest() for name in files}
    assert digest["01_AED設置箇所一覧.model.yaml"] == "fa638acfb52a795022257cd8d41a8d79a9447c1500dbbaa8b47a3cc8687f4a04"
    assert digest["14_オープンデータ一覧.model.yaml"] == "595cf3a146d5dad7a172356f86d96be11bb400d8f261c3ac0a876dcbf2fd57b8"


@pytest.mark.parametrize("standard_id", IDS)
def test_committed_schema__equals_a_fresh_conversion(standard_id):
    fresh = convert.build_all()[standard_id]
    committed = (convert.SCHEMAS / f"{standard_id}.json").read_text(encoding="utf-8")
    assert committed == convert.dumps(fresh), "run: madoguchi build-standard-schemas"


@pytest.mark.parametrize("standard_id", IDS)
def test_schema__is_a_valid_frictionless_table_schema(standard_id):
    descriptor = services.get_standard(standard_id).schema
    report = Schema.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["type", "note"])
    meta = descriptor["x-madoguchi"]
    assert meta["id"] == standard_id
    assert meta["generation"] in ("v1", "2024")
    assert meta["reconstructed"] is (meta["generation"] == "2024")
    assert meta["source"]["title"]
    assert set(meta["requiredColumns"]) <= {f["name"] for f in descriptor["fields"]}


def test_check_command__passes_on_the_committed_schemas(capsys):
    from django.core.management import call_command

    call_command("build_standard_schemas", "--check")
    assert "17 schemas are up to date" in capsys.readouterr().out


def test_aed_v1__fields_types_and_rules():
    s = services.get_standard("aed-v1")
    assert s.title == "AED設置箇所一覧" and s.generation == "v1" and s.label == "AED設置箇所一覧 (v1)"
    assert s.field_names == [
        "都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "名称", "名称_カナ", "住所", "方書", "緯度", "経度",
        "設置位置", "電話番号", "内線番号", "法人番号", "団体名", "利用可能曜日", "開始時間", "終了時間", "利用可能日時特記事項",
        "小児対応設備の有無", "URL", "備考"]  # NGSI's "location" is not a column
    assert s.required_names == ["名称", "名称_カナ", "住所", "設置位置"]
    fields = {f["name"]: f for f in s.fields}
    assert fields["NO"]["type"] == "string" and fields["NO"]["constraints"] == {"unique": True}
    assert fields["緯度"]["type"] == "number"
    assert fields["緯度"]["constraints"] == {"minimum": -90, "maximum": 90}
    assert fields["開始時間"]["type"] == "time" and fields["開始時間"]["format"] == "%H:%M"
    assert fields["小児対応設備の有無"]["constraints"] == {"enum": ["有", "無"]}
    assert fields["URL"]["format"] == "uri"
    assert fields["都道府県コード又は市区町村コード"]["constraints"] == {"pattern": "[0-9]{6}"}
    assert fields["電話番号"]["constraints"] == {"pattern": "0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}"}
    assert fields["法人番号"]["constraints"] == {"pattern": "[0-9]{13}"}
    assert fields["名称"]["constraints"] == {"required": True}
    assert fields["名称"]["description"] == "AEDが設置場所の建物等の名称を記載。"
    assert "推奨データセット 共通ルール" in fields["電話番号"]["description"]  # an added rule names its source


def test_evacuation_space_v1__flags_are_required_columns_whose_cells_may_be_empty():
    s = services.get_standard("evacuation-space-v1")
    fields = {f["name"]: f for f in s.fields}
    assert fields["災害種別_津波"]["constraints"] == {"enum": ["1"]}
    assert "災害種別_津波" in s.required_names and "災害種別_津波" not in s.required_cell_names
    assert s.required_cell_names == ["NO", "名称", "名称_カナ", "住所", "電話番号", "市区町村コード"]


def test_population_v1__counts_are_numbers_and_date_is_iso():
    s = services.get_standard("population-v1")
    fields = {f["name"]: f for f in s.fields}
    assert fields["0-4歳の男性"]["type"] == "number" and fields["0-4歳の男性"]["constraints"] == {"required": True}
    assert fields["調査年月日"]["type"] == "date" and "format" not in fields["調査年月日"]
    assert len(s.required_names) == 41


def test_2024_layouts__are_marked_reconstructed_and_carry_v1_rules():
    toilet = services.get_standard("public-toilet-2024")
    assert toilet.reconstructed and toilet.generation == "2024" and len(toilet.field_names) == 39
    assert toilet.required_names == ["名称", "名称_カナ", "所在地_連結表記", "設置位置", "車椅子使用者用トイレ有無",
                                     "乳幼児用設備設置トイレ有無", "オストメイト設置トイレ有無"]
    fields = {f["name"]: f for f in toilet.fields}
    assert fields["町字ID"]["constraints"] == {"pattern": "[0-9]{7}"}
    assert fields["バリアフリートイレ数"]["type"] == "number"
    assert "再構成" in fields["名称"]["description"]
    event = services.get_standard("event-2024")
    assert len(event.field_names) == 80 and event.field_names[-1] == "イベントジャンル"
    efields = {f["name"]: f for f in event.fields}
    assert efields["掲載開始日"]["type"] == "date" and efields["申込URL"]["format"] == "uri"
    assert services.get_standard("fire-water-2024").required_names == ["種別"]


def test_standard_choices__id_and_title_with_generation():
    choices = services.standard_choices()
    assert choices[0] == ("aed-v1", "AED設置箇所一覧 (v1)")
    assert ("event-2024", "イベント一覧 (2024)") in choices
    assert len(choices) == 17


def test_get_standard__unknown_id_is_a_clear_error():
    with pytest.raises(services.UnknownStandard) as exc:
        services.get_standard("aed-v9")
    assert "aed-v9" in str(exc.value) and "aed-v1" in str(exc.value)
    # a dataset declaring an unregistered id still ingests; the report says what is wrong
    report = services.validate_table("nope", None)
    assert report["valid"] is False and report["error_count"] == 1
    assert report["errors"][0]["code"] == "unknown-standard"
    assert report["errors"][0]["message"].startswith("標準データセット「nope」はありません (unknown standard id). 使える ID: ")
