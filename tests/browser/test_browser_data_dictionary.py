"""The data dictionary page in a browser at phone width: label a column, set its type, see the cells
that do not fit, and publish with them blank (issue #13 part 4)."""

from __future__ import annotations

import re

import pytest

from madoguchi.catalog import services as catalog
from madoguchi.datastore import services as datastore

pytestmark = pytest.mark.browser

OVER = """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 321)
  .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).slice(0, 10)"""
CSV = ("地区,人数\n" + "\n".join(f"地区{i},{i * 10}" for i in range(1, 20)) + "\n地区X,約30\n").encode()


@pytest.fixture
def resource(transactional_db):
    org = catalog.ensure_organization("dict-city", "辞書市 情報政策課")
    dataset = catalog.ensure_dataset("dict-browser", title="地区別人数", organization=org, standard="")
    return datastore.ingest_file(dataset=dataset, resource_name="人数表", data=CSV, file_name="ninzu.csv").resource


def test_dictionary_page__label_type_override_and_blank_unfit(resource, live_server, page_factory, login, axe):
    page = page_factory({"width": 320, "height": 720})
    login(page)
    page.goto(f"{live_server.url}/staff/resources/{resource.pk}/dictionary/")
    assert page.locator("h1").inner_text() == "データ辞書：人数表"
    wide = page.evaluate(OVER)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, wide  # usable at 320 px
    violations = axe(page)
    assert violations == [], f"axe violations on the dictionary page:\n{violations.describe()}"

    page.get_by_label("表示名（地区）").fill("地区名")
    page.get_by_label("説明（人数）").fill("住民基本台帳の人数")
    page.get_by_label("型の指定（人数）").select_option("integer")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_url(re.compile(r"/staff/jobs/[0-9a-f-]{36}/$"))
    page.locator("[data-state=failed]").wait_for(timeout=30_000)
    error = page.locator("#job-status").inner_text()
    assert "約30" in error and "21行目" in error and "前の版はそのまま公開されています" in error, error
    violations = axe(page)
    assert violations == [], f"axe violations on the failed job page:\n{violations.describe()}"

    page.get_by_role("button", name="合わない値を空欄にして公開する").click()
    page.locator("[data-state=done]").wait_for(timeout=30_000)
    assert "第2版" in page.locator("#job-status").inner_text()
    entries = datastore.data_dictionary(type(resource).objects.get(pk=resource.pk))
    assert [(e["label"], e["notes"], e["type"], e["type_override"]) for e in entries] == [
        ("地区名", "", "string", ""), ("", "住民基本台帳の人数", "integer", "integer")]
