"""Standard schema pages (/standards/…) and API (/api/v1/standards…)."""

from __future__ import annotations

import json

import pytest

from madoguchi.standards import services


@pytest.fixture
def declared(make_dataset):
    make_dataset("aed-a", title="AED A", standard="aed-v1")
    make_dataset("aed-b", title="AED B", standard="aed-v1")
    make_dataset("aed-hidden", title="AED 非公開", standard="aed-v1", private=True)
    make_dataset("toilet", title="トイレ", standard="public-toilet-2024")


@pytest.mark.django_db
def test_list_page__every_standard_with_field_and_dataset_counts(client, declared):
    response = client.get("/standards/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>標準データセット" in html
    for standard in services.all_standards():
        assert f'href="/standards/{standard.id}/"' in html
        assert f'href="/standards/{standard.id}.json"' in html
    assert '<a href="/datasets/?standard=aed-v1">2 件</a>' in html  # the private one is not counted
    assert '<a href="/datasets/?standard=public-toilet-2024">1 件</a>' in html
    assert "<td>2024（再構成）</td>" in html
    assert "<td>22</td>" in html  # AED: 22 fields


@pytest.mark.django_db
def test_detail_page__fields_table(client, declared):
    response = client.get("/standards/aed-v1/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>AED設置箇所一覧" in html
    assert html.count('<th scope="row">') == 22
    assert '<th scope="row">小児対応設備の有無</th>' in html
    assert "値: 有／無" in html
    assert "形式 0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}" in html
    assert "範囲 -90〜90" in html
    assert '<a href="/datasets/?standard=aed-v1">2 件</a>' in html
    assert "NEC-FIWARE/smart-data-models" in html


@pytest.mark.django_db
def test_detail_page__reconstructed_standard_says_so(client):
    html = client.get("/standards/event-2024/").content.decode()
    assert "公開されている市のファイルの見出しから再構成" in html
    assert html.count('<th scope="row">') == 80


@pytest.mark.django_db
def test_detail_page__flag_columns_required_but_cells_may_be_empty(client):
    html = client.get("/standards/evacuation-space-v1/").content.decode()
    assert "列は必須 (空欄可)" in html


@pytest.mark.django_db
def test_schema_download__is_the_table_schema(client):
    response = client.get("/standards/aed-v1.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="aed-v1.json"'
    assert json.loads(response.content) == services.get_standard("aed-v1").schema


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/standards/aed-v9/", "/standards/aed-v9.json", "/standards/AED-v1/"])
def test_unknown_standard__404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_api_list(client, declared):
    response = client.get("/api/v1/standards")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 17
    first = body["results"][0]
    assert first == {
        "id": "aed-v1", "title": "AED設置箇所一覧", "generation": "v1",
        "generation_title": "推奨データセット 基本編 (政府CIOポータル)", "reconstructed": False, "field_count": 22,
        "required": ["名称", "名称_カナ", "住所", "設置位置"], "dataset_count": 2, "url": "/standards/aed-v1/",
        "schema_url": "/standards/aed-v1.json", "datasets_url": "/datasets/?standard=aed-v1"}
    assert [r["id"] for r in body["results"]][-3:] == ["public-toilet-2024", "fire-water-2024", "event-2024"]


@pytest.mark.django_db
def test_api_detail(client):
    response = client.get("/api/v1/standards/fire-water-2024")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "fire-water-2024" and body["reconstructed"] is True and body["dataset_count"] == 0
    assert body["table_schema"] == services.get_standard("fire-water-2024").schema
    assert body["table_schema"]["fields"][3]["constraints"]["enum"][:3] == ["消火栓", "私設消火栓", "防火水そう"]


@pytest.mark.django_db
def test_api_unknown__404_error_body(client):
    response = client.get("/api/v1/standards/aed-v9")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error": {"code": "not_found", "param": None,
                                                      "message": "標準データセット「aed-v9」はありません"}}


@pytest.mark.django_db
def test_api_not_a_slug__400(client):
    response = client.get("/api/v1/standards/AED!")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"
