"""Staff upload through the browser: log in, send a file, watch the job, see the new resource."""

from __future__ import annotations

import os
import re

import pytest

pytestmark = pytest.mark.browser

DATASET_TITLE = "町名・条丁目別世帯数及び男女別人口（札幌市）"
CSV_ROWS = [("大通東２丁目", "1,234"), ("北１条西３丁目", "567"), ("南３条東１丁目", "89")]


def upload(page, base_url: str, path, resource_name: str) -> None:
    page.goto(base_url + "/staff/upload/")
    page.get_by_label(re.compile("^データセット")).select_option(label=DATASET_TITLE)
    page.get_by_label(re.compile("^リソース名")).fill(resource_name)
    page.get_by_label(re.compile("^ファイル")).set_input_files(str(path))
    page.get_by_role("button", name="取り込む").click()
    page.wait_for_url(re.compile(r"/staff/jobs/[0-9a-f-]{36}/$"))


def test_upload_cp932_csv_shows_progress_report_and_preview(bundle, live_server, page, login, tmp_path, axe):
    csv = tmp_path / "人口_テスト.csv"
    lines = ["町名,人口"] + [f'{town},"{n}"' if "," in n else f"{town},{n}" for town, n in CSV_ROWS]
    csv.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    login(page)

    upload(page, live_server.url, csv, "ブラウザテスト人口")

    assert page.locator("h1").inner_text() == "取り込み：人口_テスト.csv"
    progress = page.locator("#job-status progress")
    assert progress.is_visible()
    assert progress.get_attribute("max") == "100"
    state = page.locator("[data-state=done]")
    state.wait_for(timeout=30_000)  # htmx polls /staff/jobs/<id>/status every second
    assert state.inner_text() == "完了"
    assert page.locator("#job-status progress").get_attribute("value") == "100"
    report = page.locator("#job-status .report").inner_text()
    assert "3 行、2 列" in report, report
    assert "cp932" in report.lower() or "shift_jis" in report.lower(), report
    violations = axe(page)
    assert violations == [], f"axe violations on the job page:\n{violations.describe()}"

    page.get_by_role("link", name=re.compile("公開されたリソースを見る")).click()
    assert page.locator("h1").inner_text() == "ブラウザテスト人口"
    rows = page.locator(".table-wrap tbody tr")
    assert rows.count() == 3
    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(3)]
    assert [c[1:] for c in cells] == [["大通東２丁目", "1234"], ["北１条西３丁目", "567"], ["南３条東１丁目", "89"]], cells
    headers = page.locator(".table-wrap thead th").all_inner_texts()
    assert headers[1:] == ["町名", "人口"], headers


def test_upload_broken_xlsx_fails_with_message_naming_the_file(bundle, live_server, page, login, tmp_path):
    broken = tmp_path / "こわれた表.xlsx"
    broken.write_bytes(os.urandom(2048))
    login(page)

    upload(page, live_server.url, broken, "")

    state = page.locator("[data-state=failed]")
    state.wait_for(timeout=30_000)
    assert state.inner_text() == "失敗"
    error = page.locator("#job-status .error").inner_text()
    assert "こわれた表.xlsx" in error, error
    assert "前の版はそのまま公開されています" in error
    assert page.get_by_role("alert").count() >= 1
