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
    polls = []
    page.on("response", lambda r: polls.append(r.status) if r.url.endswith("/status") else None)

    upload(page, live_server.url, csv, "ブラウザテスト人口")

    job_url = page.url
    assert page.locator("h1").inner_text() == "取り込み：人口_テスト.csv"
    progress = page.locator("#job-status progress")
    assert progress.is_visible()
    assert progress.get_attribute("max") == "100"
    assert progress.get_attribute("aria-label") == "取り込みの進み具合"
    state = page.locator("[data-state=done]")
    state.wait_for(timeout=30_000)  # htmx polls /staff/jobs/<id>/status every second
    assert state.inner_text() == "完了"
    assert page.locator("#job-status progress").get_attribute("value") == "100"
    assert "100%" in page.locator("#job-status p").first.inner_text()
    report = page.locator("#job-status .report").inner_text()
    assert "3 行、2 列" in report, report
    assert "cp932" in report.lower() or "shift_jis" in report.lower(), report
    # Completion is announced once, in the live region outside the polled fragment.
    announce = page.locator("#job-announce")
    assert announce.get_attribute("role") == "status"
    if polls:  # the page was shown before the job ended: htmx swapped the fragment in
        assert set(polls) == {200}, polls
        assert announce.inner_text() == "取り込みが完了しました。3 行を公開しました。"
    else:  # it ended before the page was shown: the fragment htmx would get carries the announcement
        fragment = page.request.get(job_url + "status", headers={"HX-Request": "true"}).text()
        assert 'id="job-announce" hx-swap-oob="innerHTML"' in fragment
    violations = axe(page)
    assert violations == [], f"axe violations on the job page:\n{violations.describe()}"

    page.get_by_role("link", name=re.compile("公開されたリソースを見る")).click()
    assert page.locator("h1").inner_text() == "ブラウザテスト人口"
    rows = page.locator("#preview tbody tr")
    assert rows.count() == 3
    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(3)]
    assert [c[1:] for c in cells] == [["大通東２丁目", "1234"], ["北１条西３丁目", "567"], ["南３条東１丁目", "89"]], cells
    headers = page.locator("#preview thead th").all_inner_texts()
    assert headers[1:] == ["町名", "人口"], headers


def test_upload_broken_xlsx_fails_with_message_naming_the_file(bundle, live_server, page, login, tmp_path, axe):
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
    violations = axe(page)
    assert violations == [], f"axe violations on the failed job page:\n{violations.describe()}"


# The staff pages are in Japanese only: an English browser gets Japanese messages there too (issue #18: no
# English messages mixed into Japanese forms); English pages live under /en/.
@pytest.mark.parametrize(("locale", "lang", "required"), [("ja-JP", "ja", "このフィールドは必須です。"),
                                                       ("en-US", "ja", "このフィールドは必須です。")])
def test_upload_form_errors_are_tied_to_their_fields(locale, lang, required, bundle, live_server, page_factory,
                                                     login):
    page = page_factory(locale=locale)
    login(page)
    page.goto(live_server.url + "/staff/upload/")
    for name in ("resource_name", "file", "sheet", "json_path"):  # help texts are read with their field
        described = page.locator(f"#id_{name}").get_attribute("aria-describedby").split()
        assert f"id_{name}_helptext" in described
        assert page.locator(f"#id_{name}_helptext").count() == 1, name
    page.get_by_role("button", name="取り込む").click()  # nothing chosen

    assert page.url == live_server.url + "/staff/upload/"
    for name in ("dataset", "file"):
        field = page.locator(f"#id_{name}")
        assert field.get_attribute("aria-invalid") == "true"
        ids = field.get_attribute("aria-describedby").split()
        assert f"id_{name}_error" in ids
        texts = [page.locator(f"#{i}").inner_text() for i in ids]
        assert required in texts, texts
        # the message's language is marked (the page's language here, whatever the browser's)
        assert page.locator(f"#id_{name}_error p").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("lang") == "ja"
