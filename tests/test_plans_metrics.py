"""Live metrics (issue #5): the registry, the catalog's built-in metrics, and the Kawasaki data
plan's dataset-count and monthly-download indicators filled from a catalog built in the test."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from madoguchi.catalog import services as catalog
from madoguchi.catalog.models import Resource
from madoguchi.plans import metrics, services
from madoguchi.plans.models import Actual, AuditLogEntry, Indicator

TOKYO = ZoneInfo("Asia/Tokyo")
LATER = dt.date(2026, 1, 15)  # a day after every year the tests measure
CSV = "町名,人口\n大通東,120\n".encode()
DATA_PLAN = "kawasaki-data-utilization-plan-2019"


def at(year: int, month: int, day: int = 15) -> dt.datetime:
    return dt.datetime(year, month, day, 12, 0, tzinfo=TOKYO)


def download(resource, when: dt.datetime, times: int = 1) -> None:
    for _ in range(times):
        catalog.record_download(resource, when=when)


@pytest.fixture
def city(make_dataset, ingest):
    """A catalog: 2 datasets published in FY2018, 1 in FY2019 (+1 private, +1 deleted), 1 in FY2020.

    Downloads in FY2019 (April 2019 – March 2020): 3 a month of 人口 (36) and 6 of ごみ in May
    2019 → 42, 3.5 a month → 4. Outside FY2019: March 2019 (FY2018) and April 2020 (FY2020).
    """
    theme = catalog.ensure_theme("population", "人口・世帯")
    pop = make_dataset("pop", "川崎市の世帯数・人口", issued=dt.date(2018, 6, 1), themes=[theme])
    gomi = make_dataset("gomi", "ごみの分別", issued=dt.date(2019, 3, 31))
    menu = make_dataset("menu", "小学校の給食献立表", issued=dt.date(2019, 4, 1))
    hidden = make_dataset("hidden", "非公開データ", issued=dt.date(2018, 5, 1), private=True)
    make_dataset("gone", "削除したデータ", issued=dt.date(2018, 5, 1), state="deleted")
    make_dataset("new", "新しいデータ", issued=dt.date(2020, 4, 1))
    r_pop = ingest(CSV, "pop.csv", dataset=pop, resource="世帯数・人口").resource
    r_gomi = ingest(CSV, "gomi.csv", dataset=gomi, resource="分別").resource
    r_hidden = ingest(CSV, "h.csv", dataset=hidden, resource="内部").resource
    for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3):
        download(r_pop, at(2019 if month >= 4 else 2020, month), 3)
    download(r_gomi, at(2019, 5), 6)
    download(r_pop, at(2019, 3, 31))          # FY2018
    download(r_pop, at(2020, 4, 1))           # FY2020
    download(r_hidden, at(2019, 6), 50)       # private: never counted
    return {"pop": r_pop, "gomi": r_gomi, "hidden": r_hidden, "menu": menu}


def test_registry__builtins_are_registered():
    ids = {m.id: m.kind for m in metrics.all_metrics()}
    assert ids["catalog.datasets_published"] == "yearly"
    assert ids["catalog.downloads_monthly_average"] == "yearly"
    assert ids["catalog.top_downloads"] == "monthly_table"


def test_registry__duplicates_rejected_unknown_named():
    with pytest.raises(ValueError, match="already registered"):
        metrics.register_metric("catalog.datasets_published", lambda year, today: 1, title="x")
    with pytest.raises(metrics.UnknownMetric) as exc:
        metrics.get_metric("procedures.nope")
    assert "「procedures.nope」は登録されていません" in str(exc.value)
    assert "catalog.datasets_published" in str(exc.value)


@pytest.mark.parametrize("year, count", [(2017, 0), (2018, 2), (2019, 3), (2020, 4)])
def test_datasets_published__public_active_at_fiscal_year_end(city, year, count):
    assert metrics.metric_value("catalog.datasets_published", year, today=LATER) == count


def test_datasets_published__running_year_counts_to_today_and_future_is_none(city):
    assert metrics.metric_value("catalog.datasets_published", 2019, today=dt.date(2019, 4, 1)) == 3
    assert metrics.metric_value("catalog.datasets_published", 2019, today=dt.date(2019, 3, 31)) is None


def test_downloads_monthly_average__fiscal_year(city):
    assert metrics.metric_value("catalog.downloads_monthly_average", 2019, today=LATER) == Decimal(4)  # 42 / 12
    assert metrics.metric_value("catalog.downloads_monthly_average", 2018, today=LATER) == Decimal(0)  # 1 / 12


def test_downloads_monthly_average__running_year_uses_completed_months(city):
    # on 10 June 2019: April (3) and May (3 + 6) are complete → 12 / 2
    assert metrics.metric_value("catalog.downloads_monthly_average", 2019, today=dt.date(2019, 6, 10)) == 6
    assert metrics.metric_value("catalog.downloads_monthly_average", 2019, today=dt.date(2019, 4, 20)) is None


def test_top_downloads__ten_files_of_a_month_public_only(city, make_dataset):
    dataset = make_dataset("many", "多くのファイル", issued=dt.date(2019, 1, 1))
    for n in range(1, 12):
        resource = Resource.objects.create(dataset=dataset, name=f"ファイル{n:02d}", format="CSV")
        download(resource, at(2020, 3), n)
    download(city["pop"], at(2020, 3), 20)
    rows = metrics.metric_table("catalog.top_downloads", dt.date(2020, 3, 7), today=LATER)
    assert len(rows) == 10
    assert rows[0] == {"rank": 1, "theme": "人口・世帯", "dataset": "川崎市の世帯数・人口", "resource": "世帯数・人口",
                       "resource_id": city["pop"].pk, "count": 23}  # 3 a month + 20
    assert [r["count"] for r in rows] == [23, 11, 10, 9, 8, 7, 6, 5, 4, 3]
    assert [r["resource"] for r in rows[1:3]] == ["ファイル11", "ファイル10"]
    assert all(r["dataset"] != "非公開データ" for r in rows)


@pytest.fixture
def data_plan(db):
    services.load_plan_file(services.FIXTURES / f"{DATA_PLAN}.yaml", actor="test")
    count = Indicator.objects.get(policy__plan__slug=DATA_PLAN, code="1-1")
    downloads = Indicator.objects.get(policy__plan__slug=DATA_PLAN, code="1-2")
    services.bind_metric(count, "catalog.datasets_published", actor="test")
    services.bind_metric(downloads, "catalog.downloads_monthly_average", actor="test")
    return count, downloads


def test_data_plan__indicators_show_actuals_from_the_catalog(city, data_plan, client):
    body = client.get(f"/api/v1/plans/{DATA_PLAN}/policies/1").json()
    count, downloads = body["indicators"]
    assert (count["code"], count["metric_id"]) == ("1-1", "catalog.datasets_published")
    assert [(y["year"], y["actual"], y["actual_source"], y["computed"]) for y in count["years"]] == [
        (2019, 3, "metric", True), (2020, 4, "metric", True), (2021, 4, "metric", True)]
    assert count["years"][-1]["target"] == 300 and count["years"][-1]["status"] == "not_achieved"
    assert count["years"][0]["versus_baseline"] == "far_below"  # 3 datasets against 108 in FY2017
    assert [(y["year"], y["actual"], y["actual_source_note"]) for y in downloads["years"]] == [
        (2019, 4, "catalog.downloads_monthly_average"), (2020, 0, "catalog.downloads_monthly_average"),
        (2021, 0, "catalog.downloads_monthly_average")]
    assert not Actual.objects.exists()  # computed on demand, nothing stored


def test_data_plan__policy_page_marks_metric_actuals(city, data_plan, client):
    html = client.get(f"/plans/{DATA_PLAN}/policies/1/").content.decode()
    assert "窓口のデータから自動集計（catalog.datasets_published）" in html
    assert "自動集計（catalog.datasets_published）・表示時に計算" in html
    assert "実績値 2019年度 3、2020年度 4、2021年度 4" in html  # the chart's text alternative


def test_refresh__stores_metric_actuals_then_nothing_changes(city, data_plan):
    plan = data_plan[0].policy.plan
    assert services.refresh_metric_actuals(plan, actor="test") == 6
    stored = Actual.objects.filter(indicator=data_plan[0]).order_by("year")
    assert [(a.year, a.value, a.source, a.source_note) for a in stored] == [
        (2019, 3, "metric", "catalog.datasets_published"), (2020, 4, "metric", "catalog.datasets_published"),
        (2021, 4, "metric", "catalog.datasets_published")]
    assert services.refresh_metric_actuals(plan, actor="test") == 0
    # a new dataset published in FY2021 changes the stored FY2021 actual on the next refresh, logged old → new
    catalog.ensure_dataset("later", title="後で公開", organization=city["menu"].organization, issued=dt.date(2021, 5, 1))
    assert services.refresh_metric_actuals(plan, actor="test") == 1
    entry = AuditLogEntry.objects.filter(model="actual").first()
    assert entry.changes["value"] == ["4", "5"] and entry.actor == "test"


def test_entered_actual_wins_over_the_metric(city, data_plan):
    count, _ = data_plan
    services.set_actual(count, 2020, 226, actor="test")
    rows = {r.year: r for r in services.indicator_report(count).rows}
    assert (rows[2020].actual, rows[2020].actual_source, rows[2020].computed) == (226, "entered", False)
    assert (rows[2019].actual, rows[2019].actual_source) == (3, "metric")
    services.refresh_metric_actuals(count, actor="test")
    assert Actual.objects.get(indicator=count, year=2020).value == 226


def test_a_later_module_registers_a_metric_the_same_way(data_plan):
    @metrics.register_metric("test.applications", title="電子申請の利用件数", unit="件（年間）")
    def applications(year, *, today):
        return 150000 + (year - 2019) * 10000

    try:
        ind = Indicator.objects.get(policy__plan__slug=DATA_PLAN, code="3-2")
        services.bind_metric(ind, "test.applications", actor="test")
        rows = services.indicator_report(ind).rows
        assert [(r.year, r.actual, r.status) for r in rows] == [
            (2019, 150000, "no_target"), (2020, 160000, "no_target"), (2021, 170000, "not_achieved")]
    finally:
        metrics.unregister_metric("test.applications")


@pytest.mark.parametrize("metric_id, code, message", [
    ("catalog.nope", "unknown_metric", "「catalog.nope」は登録されていません"),
    ("catalog.top_downloads", "invalid_parameter", "年度の値ではないため指標に結び付けられません"),
])
def test_bind_metric__bad_id_is_refused(data_plan, metric_id, code, message):
    ind = Indicator.objects.get(policy__plan__slug=DATA_PLAN, code="3-1")
    with pytest.raises(services.PlanError, match=message) as exc:
        services.bind_metric(ind, metric_id, actor="test")
    assert exc.value.code == code
    ind.refresh_from_db()
    assert ind.metric_id == ""


def test_cli_bind_refresh_and_metrics(city, db):
    services.load_plan_file(services.FIXTURES / f"{DATA_PLAN}.yaml", actor="test")
    out = io.StringIO()
    call_command("plans", "bind", DATA_PLAN, "1", "1-1", "catalog.datasets_published", stdout=out)
    assert out.getvalue() == "1-1 オープンデータのデータセット数 → catalog.datasets_published\n"
    out = io.StringIO()
    call_command("plans", "refresh", DATA_PLAN, stdout=out)
    assert out.getvalue() == f"{DATA_PLAN}: 実績値 3 件を更新\n"
    out = io.StringIO()
    call_command("plans", "metrics", stdout=out)
    assert "catalog.downloads_monthly_average\tyearly\tオープンデータの月平均ダウンロード数（件（月平均））" in out.getvalue()
    with pytest.raises(CommandError, match="指標 nope / 施策 1 / 1-1 はありません"):
        call_command("plans", "bind", "nope", "1", "1-1", "catalog.datasets_published")
    with pytest.raises(CommandError, match="登録されていません"):
        call_command("plans", "bind", DATA_PLAN, "1", "1-1", "x.y")


def test_api_metric_values(city, client):
    body = client.get("/api/v1/plans/metrics/catalog.datasets_published/years/2019").json()
    assert (body["id"], body["year"], body["value"], body["unit"]) == ("catalog.datasets_published", 2019, 3, "件")
    body = client.get("/api/v1/plans/metrics/catalog.top_downloads/months/2019-05").json()
    assert [(r["resource"], r["count"]) for r in body["rows"]] == [("分別", 6), ("世帯数・人口", 3)]
    assert body["month"] == "2019-05-01"
    ids = [m["id"] for m in client.get("/api/v1/plans/metrics").json()]
    assert {"catalog.datasets_published", "catalog.downloads_monthly_average", "catalog.top_downloads"} <= set(ids)


@pytest.mark.parametrize("path, status, code, param", [
    ("/api/v1/plans/metrics/catalog.datasets_published/years/abc", 400, "invalid_parameter", "year"),
    ("/api/v1/plans/metrics/catalog.datasets_published/years/1800", 400, "invalid_parameter", "year"),
    ("/api/v1/plans/metrics/catalog.top_downloads/months/2020-13", 400, "invalid_parameter", "month"),
    ("/api/v1/plans/metrics/catalog.top_downloads/months/2020-3", 400, "invalid_parameter", "month"),
    ("/api/v1/plans/metrics/catalog.top_downloads/years/2019", 404, "not_found", None),
    ("/api/v1/plans/metrics/catalog.datasets_published/months/2020-03", 404, "not_found", None),
    ("/api/v1/plans/metrics/catalog.nope/years/2019", 404, "not_found", None),
])
def test_api_metric_errors(db, client, path, status, code, param):
    response = client.get(path)
    assert response.status_code == status
    body = response.json()
    assert body["ok"] is False and body["error"]["code"] == code and body["error"]["param"] == param
