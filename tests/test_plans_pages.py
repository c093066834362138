"""Pages, evaluation sheets (HTML and xlsx), JSON API and staff pages of plans (issue #5)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from madoguchi.plans import services
from madoguchi.plans.models import Actual, AuditLogEntry, Evaluation, Indicator, Plan, Policy, Target

COMPREHENSIVE = "kawasaki-comprehensive-plan"
POLICY = f"/plans/{COMPREHENSIVE}/policies/4-2-5/"


@pytest.fixture(scope="module")
def bundled_once(django_db_setup, django_db_blocker):
    """The four files loaded once for this module (committed), removed after it, even if loading fails."""
    try:
        with django_db_blocker.unblock():
            services.load_bundled(actor="test")
        yield
    finally:
        with django_db_blocker.unblock():
            Plan.objects.all().delete()
            AuditLogEntry.objects.all().delete()


@pytest.fixture
def bundled(bundled_once, db):
    return None


class Tables(HTMLParser):
    """Cell texts of every <table> of a page: ``{id or caption: [[cell, …], …]}``."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self._rows, self._cell, self._name, self._caption = {}, None, None, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._rows, self._name = [], attrs.get("id")
        elif tag == "caption":
            self._caption = ""
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = ""
        elif tag == "br" and self._cell is not None:
            self._cell += " "

    def handle_endtag(self, tag):
        if tag == "table" and self._rows is not None:
            self.tables[self._name or self._caption_text] = self._rows
            self._rows = None
        elif tag == "caption":
            self._caption_text, self._caption = self._caption.strip(), None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(re.sub(r"\s+", " ", self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        elif self._caption is not None:
            self._caption += data


def number(text):
    """A cell as shown on the page → a number (or ``None`` for —), for comparing with xlsx."""
    if text in ("—", "", None):
        return None
    text = text.replace(",", "")
    return float(text) if "." in text else int(text)


def test_plan_list__every_plan_with_period(bundled, client):
    html = client.get("/plans/").content.decode()
    for name in ("川崎市情報化推進プログラム(2016-2017)", "川崎市官民データ活用推進計画", "川崎市総合計画",
                 "相模原市情報マネジメント推進計画"):
        assert name in html
    assert "計画期間 2019年度〜2021年度" in html


def test_plan_page__ict_programme_counts_table_and_published_checks(bundled, client):
    html = client.get("/plans/kawasaki-ict-program-2016/").content.decode()
    tables = Tables(html).tables
    counts = tables["施策・区分ごとの取組の件数（再掲を含む）"]
    assert counts[0] == ["施策", "重点", "改修・再構築", "情報化施策", "計"]
    assert counts[1] == ["1-1 参加と協働による市民自治の地域づくりの推進", "4", "0", "13", "17"]
    assert counts[-1] == ["合計", "34", "15", "90", "139"]
    checks = tables["資料に示された集計値との照合"]
    assert len(checks) == 15 and all(row[-1] == "一致" for row in checks[1:])
    assert "川崎市情報化推進プラン" in html and "基本方針 1" in html


def test_plan_page__sagamihara_review_by_status(bundled, client):
    html = client.get("/plans/sagamihara-information-management-plan-2010-previous/").content.decode()
    table = Tables(html).tables["目標・状況ごとの事業の件数"]
    assert table[0] == ["目標", "完了・拡大", "構築中", "検討中", "未着手", "計"]
    assert table[-2] == ["合計", "29", "0", "1", "4", "34"]
    assert table[-1] == ["割合（%）", "85.3", "0.0", "2.9", "11.8", "100.0"]


def test_policy_page__indicators_chart_table_grades(bundled, client):
    html = client.get(POLICY).content.decode()
    assert ("<h1><span class=\"code\">施策 4-2-5</span> <span translate=\"no\">ICT(情報通信技術)の活用による市民利便性の"
            "向上</span></h1>") in html
    # grades with reasons
    assert '<span class="grade">B</span> 一定の進捗がある（目標未達成のものがあるが一定の進捗があった）' in html
    assert '<span class="grade">II</span> 概ね効果的な構成である（一部見直し等の余地がある）' in html
    # one chart per indicator: an image with a title and a description listing the numbers
    assert html.count('<svg class="trend"') == 3 and html.count('role="img"') == 3
    assert '<title id="chart-1-title">提供しているオープンデータのデータセット数の推移（単位: 件）</title>' in html
    assert ("策定時（2014年度）27。目標値 2017年度 100、2018年度 150、2019年度 200、2021年度 300、2025年度 500。"
            "実績値 2018年度 198、2019年度 226。") in html
    # readable without colour: dashed line + squares for targets, solid + circles for actuals, a legend in words
    assert 'stroke-dasharray="7 4"' in html and "<rect" in html and "<circle" in html
    assert "目標値（破線・四角）" in html and "実績値（実線・丸）" in html
    # the numbers in a table
    table = Tables(html).tables["指標1の目標値と実績値（単位: 件）"]
    assert table[0] == ["年度", "目標値", "実績値", "達成状況", "策定時との比較", "実績値の出典"]
    assert table[1] == ["2014年度（策定時）", "—", "27", "—", "—", "策定時の値"]
    assert table[4] == ["2019年度", "200 2019年度目標", "226", "目標達成 資料: 目標達成", "策定時を上回る", "公表資料"]
    table2 = Tables(html).tables["指標2の目標値と実績値（単位: 件（月平均））"]
    assert table2[4][:4] == ["2019年度", "4,500 2019年度目標", "3,942", "目標未達成 資料: 目標未達成"]
    # the revision of indicator 3's targets, with the reason
    assert "2021年度 第2期目標: 113,000 → 172,000（理由: H28 actual exceeded the 3rd-period target）" in html


def test_policy_page__measures_with_repeats(bundled, client):
    html = client.get("/plans/kawasaki-ict-program-2016/policies/2-2/").content.decode()
    assert "行政情報のオープンデータ化の推進（再掲）" in html
    assert 'href="/plans/kawasaki-ict-program-2016/policies/1-1/">1-1</a> の 1-1-2' in html


def sheet_cells_from_xlsx(data: bytes) -> tuple[list, list, list]:
    ws = load_workbook(io.BytesIO(data)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "No.")
    end = next(i for i in range(header_at + 1, len(rows)) if not any(rows[i]))
    grades_at = next(i for i, r in enumerate(rows) if r and r[0] == "評価")
    return rows[header_at], rows[header_at + 1:end], rows[grades_at + 1:grades_at + 4]


def test_evaluation_sheet__xlsx_holds_the_same_numbers_as_the_html(bundled, client):
    html = client.get(f"{POLICY}evaluations/2019/").content.decode()
    response = client.get(f"{POLICY}evaluations/2019.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="kawasaki-comprehensive-plan-4-2-5-2019.xlsx"' in response["Content-Disposition"]
    header, rows, grades = sheet_cells_from_xlsx(response.content)
    tables = Tables(html).tables
    html_rows = tables["sheet-table"]
    assert [h for h in header if h] == html_rows[0]
    assert header[:11] == ["No.", "指標", "算出方法", "単位", "策定時（年度）", "策定時の値", "2018年度 目標値",
                           "2018年度 実績", "2019年度 目標値", "2019年度 実績", "達成状況"]
    assert header[11:] == ["第1期目標（2017年度）", "第2期目標（2021年度）", "第3期目標（2025年度）"]
    assert len(rows) == len(html_rows) - 1 == 3
    for xrow, hrow in zip(rows, html_rows[1:]):
        assert xrow[1:5] == [hrow[1], hrow[2], hrow[3], hrow[4]]            # 指標, 算出方法, 単位, 策定時
        assert xrow[5:10] == [number(c) for c in hrow[5:10]]               # 策定時の値, 目標値, 実績
        assert xrow[10] == hrow[10]                                        # 達成状況
        assert xrow[11:] == [number(c) for c in hrow[11:]]                 # 期の目標
    # the published figures themselves
    assert rows[2][5:] == [103400, 152000, 178930, 159000, 226491, "目標達成", 108000, 172000, 200000]
    assert [r[10] for r in rows] == ["目標達成", "目標未達成", "目標達成"]
    # grades: suggestion, progress, direction — same as the HTML
    html_grades = tables["grades-table"][1:]
    assert [list(g[:2]) for g in grades] == [[g[0], g[1]] for g in html_grades]
    assert [g[1] for g in grades] == ["B", "B", "II"]


def test_evaluation_sheet__facts_and_number_formats(bundled, client):
    data = client.get(f"{POLICY}evaluations/2019.xlsx").content
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "施策評価シート 4-2-5 ICT(情報通信技術)の活用による市民利便性の向上（2019年度）"
    facts = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(3, 11)}
    assert facts["直接目標"] == "ICTにより、行政サービスを一層手軽に利用できるようにする"
    assert facts["評価対象年度"] == "2019年度（令和元年度）"
    cell = next(c for row in ws.iter_rows() for c in row if c.value == 226491)
    assert cell.number_format == "#,##0"


def test_evaluation_sheet__year_without_evaluation(bundled, client):
    html = client.get("/plans/sagamihara-information-management-plan-2010/policies/1-1/evaluations/2014/").content.decode()
    grades = Tables(html).tables["grades-table"]
    assert grades[1] == ["指標からの判定", "—", "—", "目標と実績のそろった指標がないため判定できません"]
    assert grades[2][:2] == ["進捗状況", "—"]
    rows = Tables(html).tables["sheet-table"]
    assert rows[1][5:] == ["43.8", "—", "—", "53.8", "—", "実績なし", "49.8", "53.8"]


def test_api__plan_policy_and_sheet(bundled, client):
    plan = client.get("/api/v1/plans/kawasaki-ict-program-2016").json()
    assert plan["item_counts"]["total"] == 139
    assert plan["item_counts"]["by_category"] == {"重点": 34, "改修・再構築": 15, "情報化施策": 90}
    assert plan["parent"] == "kawasaki-ict-plan-2016" and len(plan["policies"]) == 7
    assert all(c["ok"] for c in plan["published_checks"])
    policy = client.get(f"/api/v1/plans/{COMPREHENSIVE}/policies/4-2-5").json()
    assert [i["code"] for i in policy["indicators"]] == ["1", "2", "3"]
    ind3 = policy["indicators"][2]
    assert (ind3["baseline_year"], ind3["baseline_value"]) == (2014, 103400)
    assert ind3["revisions"][0] == {"year": 2021, "value": 113000, "kind": "period", "label": "第2期目標",
                                    "comparison": ">=", "revision_reason": "", "revised_to": 172000}
    y2019 = next(y for y in ind3["years"] if y["year"] == 2019)
    assert (y2019["target"], y2019["actual"], y2019["status"], y2019["actual_source"]) == (
        159000, 226491, "achieved", "document")
    assert policy["evaluations"][0]["progress_grade"] == "B" and policy["evaluations"][0]["direction_grade"] == "II"
    assert policy["evaluations"][0]["xlsx_url"] == f"{POLICY}evaluations/2019.xlsx"
    sheet = client.get(f"/api/v1/plans/{COMPREHENSIVE}/policies/4-2-5/evaluations/2019").json()
    assert sheet["suggested_progress_grade"] == "B"
    assert [i["status"] for i in sheet["indicators"]] == ["achieved", "not_achieved", "achieved"]
    assert sheet["rows"][1][5:10] == [2000, 4250, 3372, 4500, 3942]


@pytest.mark.parametrize("path", ["/plans/nope/", "/plans/kawasaki-comprehensive-plan/policies/9-9-9/",
                                  f"{POLICY}evaluations/2019x/"])
def test_unknown_pages_are_404(bundled, client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path, message", [
    ("/api/v1/plans/nope", "計画「nope」はありません"),
    ("/api/v1/plans/kawasaki-comprehensive-plan/policies/9", "計画「kawasaki-comprehensive-plan」に施策「9」はありません"),
])
def test_api_unknown__error_body(bundled, client, path, message):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error": {"code": "not_found", "param": None, "message": message}}


def test_api_audit__staff_only(bundled, client, admin_client):
    assert client.get(f"/api/v1/plans/{COMPREHENSIVE}/audit").status_code == 403
    entries = admin_client.get(f"/api/v1/plans/{COMPREHENSIVE}/audit", {"limit": 5}).json()
    assert len(entries) == 5 and all(e["actor"] == "test" for e in entries)


# -- staff pages ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/plans/staff/", "/plans/staff/new/", f"/plans/staff/{COMPREHENSIVE}/",
                                  f"/plans/staff/{COMPREHENSIVE}/policies/4-2-5/",
                                  f"/plans/staff/{COMPREHENSIVE}/policies/4-2-5/evaluations/2019/",
                                  f"/plans/staff/{COMPREHENSIVE}/audit/"])
def test_staff_pages_need_a_staff_login(bundled, client, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_staff__create_plan_policy_indicator_target_actual_evaluation(bundled, admin_client, admin_user):
    r = admin_client.post("/plans/staff/new/", {"slug": "city-ict-2026", "name": "テスト市DX推進計画", "kind": "plan",
                                                 "start_year": 2026, "end_year": 2030})
    assert r.status_code == 302 and r["Location"] == "/plans/staff/city-ict-2026/"
    r = admin_client.post("/plans/staff/city-ict-2026/", {"form": "policy", "policy-code": "1",
                                                          "policy-name": "オープンデータの推進"})
    assert r["Location"] == "/plans/staff/city-ict-2026/policies/1/"
    r = admin_client.post("/plans/staff/city-ict-2026/policies/1/", {
        "form": "indicator", "indicator-code": "1", "indicator-name": "データセット数", "indicator-unit": "件",
        "indicator-direction": "higher", "indicator-baseline_year": "2025", "indicator-baseline_value": "100",
        "indicator-metric_id": ""})
    assert r["Location"] == "/plans/staff/city-ict-2026/policies/1/indicators/1/"
    base = "/plans/staff/city-ict-2026/policies/1/indicators/1/"
    admin_client.post(base, {"form": "target", "target-year": "2026", "target-value": "150", "target-kind": "year",
                             "target-label": "2026年度目標", "target-comparison": ">="})
    admin_client.post(base, {"form": "actual", "actual-year": "2026", "actual-value": "140"})
    target = Target.objects.get(indicator__policy__plan__slug="city-ict-2026")
    r = admin_client.post(base, {"form": "revise", "revise-target": target.pk, "revise-value": "130",
                                 "revise-reason": "国の方針変更による"})
    assert r.status_code == 302
    assert Actual.objects.get(indicator__policy__plan__slug="city-ict-2026").entered_by == admin_user
    # the evaluation: suggestion A (140 ≥ 130); C without a reason is refused with the message on the form
    evaluation_url = "/plans/staff/city-ict-2026/policies/1/evaluations/2026/"
    page = admin_client.get(evaluation_url).content.decode()
    assert "指標からの判定: A" in page
    r = admin_client.post(evaluation_url, {"progress_grade": "C", "direction_grade": "II"})
    assert r.status_code == 200 and "指標からの判定は A です。C とする理由を入力してください" in r.content.decode()
    assert not Evaluation.objects.filter(policy__plan__slug="city-ict-2026").exists()
    r = admin_client.post(evaluation_url, {"progress_grade": "C", "override_reason": "実績の一部が暫定値のため",
                                           "direction_grade": "II", "direction_reason": "一部見直し"})
    assert r["Location"] == "/plans/city-ict-2026/policies/1/evaluations/2026/"
    sheet = admin_client.get(r["Location"]).content.decode()
    assert "判定と異なる理由: 実績の一部が暫定値のため" in sheet
    # the audit log: who, when, old → new
    audit = admin_client.get("/plans/staff/city-ict-2026/audit/").content.decode()
    assert "value: 150 → 130" not in audit  # a revision adds a target; it does not overwrite one
    assert "<li>value: — → 150</li>" in audit and "<li>value: — → 130</li>" in audit
    assert "<li>superseded_by: — → 1 FY2026 130</li>" in audit
    assert "progress_grade: — → C" in audit and "国の方針変更による" in audit
    mine = AuditLogEntry.objects.filter(plan__slug="city-ict-2026")
    assert mine.filter(user=admin_user).count() == mine.count() == 8


def test_staff__bad_input_shows_errors_and_writes_nothing(bundled, admin_client):
    base = f"/plans/staff/{COMPREHENSIVE}/policies/4-2-5/indicators/1/"
    before = AuditLogEntry.objects.count()
    r = admin_client.post(base, {"form": "target", "target-year": "2019", "target-value": "1", "target-kind": "year",
                                 "target-comparison": ">="})
    assert "2019年度の目標値はすでにあります" in r.content.decode()
    r = admin_client.post(base, {"form": "actual", "actual-year": "令和元年", "actual-value": "1"})
    assert r.status_code == 200 and 'aria-invalid="true"' in r.content.decode()
    r = admin_client.post(f"/plans/staff/{COMPREHENSIVE}/policies/4-2-5/", {
        "form": "indicator", "indicator-code": "1", "indicator-name": "重複", "indicator-direction": "higher"})
    assert "番号「1」はすでにあります" in r.content.decode()
    assert AuditLogEntry.objects.count() == before


def test_staff__bind_metric_from_the_indicator_page(bundled, admin_client):
    base = "/plans/staff/kawasaki-data-utilization-plan-2019/policies/1/indicators/1-1/"
    page = admin_client.get(base).content.decode()
    assert '<option value="catalog.datasets_published">' in page
    data = {"form": "indicator", "indicator-code": "1-1", "indicator-name": "オープンデータのデータセット数",
            "indicator-unit": "セット", "indicator-direction": "higher", "indicator-baseline_year": "2017",
            "indicator-baseline_value": "108", "indicator-metric_id": "catalog.datasets_published"}
    assert admin_client.post(base, data).status_code == 302
    ind = Indicator.objects.get(policy__plan__slug="kawasaki-data-utilization-plan-2019", code="1-1")
    assert ind.metric_id == "catalog.datasets_published"
    entry = AuditLogEntry.objects.filter(model="indicator").first()
    assert entry.changes == {"metric_id": ["", "catalog.datasets_published"]}


def test_staff__dashboard_loads_a_plan_file_or_shows_its_error(bundled, admin_client):
    good = (services.FIXTURES / "sagamihara-information-management-plan-2010.yaml").read_bytes()
    r = admin_client.post("/plans/staff/", {"file": SimpleUploadedFile(
        "sagamihara-information-management-plan-2010.yaml", good)}, follow=True)
    assert "sagamihara-information-management-plan-2010.yaml を読み込みました" in r.content.decode()
    assert Policy.objects.filter(plan__slug="sagamihara-information-management-plan-2010").count() == 6
    r = admin_client.post("/plans/staff/", {"file": SimpleUploadedFile("broken.yaml", b"plan: [x\n")})
    assert r.status_code == 200 and "broken.yaml: 2行目: YAML として読めません" in r.content.decode()
    r = admin_client.post("/plans/staff/", {"form": "bundled"}, follow=True)
    assert "同梱の計画ファイルを読み込みました" in r.content.decode()
    assert Plan.objects.count() == 6


@pytest.mark.parametrize("path, text", [
    ("/plans/staff/", "同梱の計画ファイル（4件）を読み込む"),
    ("/plans/staff/new/", "識別子（URL）"),
    (f"/plans/staff/{COMPREHENSIVE}/", "施策 4-2-5 ICT(情報通信技術)の活用による市民利便性の向上"),
    (f"/plans/staff/{COMPREHENSIVE}/policies/4-2-5/", "2019年度（令和元年度）の評価"),
    (f"/plans/staff/{COMPREHENSIVE}/policies/4-2-5/indicators/3/", "見直す目標値"),
    (f"/plans/staff/{COMPREHENSIVE}/policies/4-2-5/evaluations/2019/", "指標からの判定: B"),
    (f"/plans/staff/{COMPREHENSIVE}/audit/", "<td>test</td>"),
])
def test_staff_pages_render_for_staff(bundled, admin_client, path, text):
    response = admin_client.get(path)
    assert response.status_code == 200
    assert text in response.content.decode()
