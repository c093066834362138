"""Loading plan files (issue #5): idempotent reloads with an audit trail, the command, and
bad files rejected with the file and the place in it named, nothing written."""

from __future__ import annotations

import io
import textwrap

import pytest
from django.core.management import CommandError, call_command

from madoguchi.plans import services
from madoguchi.plans.models import AuditLogEntry, Plan, Target

KAWASAKI_DATA = "kawasaki-data-utilization-plan-2019"
KAWASAKI_ICT = "kawasaki-ict-program-2016"
SAGAMIHARA = "sagamihara-information-management-plan-2010"


@pytest.fixture
def bundled(db):
    return services.load_bundled(actor="test")


def test_parent_loaded_after_child__is_linked_then(db):
    services.load_plan_file(services.FIXTURES / f"{KAWASAKI_DATA}.yaml", actor="test")
    assert Plan.objects.get(slug=KAWASAKI_DATA).parent is None
    services.load_plan_file(services.FIXTURES / f"{KAWASAKI_ICT}.yaml", actor="test")
    assert Plan.objects.get(slug=KAWASAKI_DATA).parent.slug == "kawasaki-ict-plan-2016"


def test_reload__unchanged_file_changes_nothing_and_logs_nothing(bundled):
    entries = AuditLogEntry.objects.count()
    again = services.load_bundled(actor="test")
    assert [(r.created, r.changed) for r in again] == [(0, 0)] * 4
    assert AuditLogEntry.objects.count() == entries


def test_reload__changed_value_is_updated_and_logged(db, tmp_path):
    source = (services.FIXTURES / "kawasaki-policy-4-2-5-evaluation-2020.yaml").read_text()
    services.load_plan_file(services.FIXTURES / "kawasaki-policy-4-2-5-evaluation-2020.yaml", actor="first")
    path = tmp_path / "kawasaki-policy-4-2-5-evaluation-2020.yaml"
    path.write_text(source.replace("{year: FY2019, target: 200, actual: 226}", "{year: FY2019, target: 200, actual: 230}"))
    result = services.load_plan_file(path, actor="second")
    assert (result.created, result.changed) == (0, 1)
    entry = AuditLogEntry.objects.filter(model="actual").first()
    assert (entry.actor, entry.action, entry.changes["value"]) == ("second", "update", ["226", "230"])
    assert entry.changes["entered_at"][0] != entry.changes["entered_at"][1]


def test_cli_plans_load__all_bundled_prints_each_file(db):
    out = io.StringIO()
    call_command("plans", "load", "--all-bundled", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("kawasaki-ict-program-2016.yaml: 川崎市情報化推進プラン、川崎市情報化推進プログラム(2016-2017)（作成 ")
    assert len(lines) == 4 and "注意" not in out.getvalue()
    assert AuditLogEntry.objects.filter(actor="madoguchi plans load kawasaki-ict-program-2016.yaml").exists()


def test_cli_plans_load__one_file(db):
    out = io.StringIO()
    call_command("plans", "load", str(services.FIXTURES / f"{SAGAMIHARA}.yaml"), stdout=out)
    assert out.getvalue().startswith(f"{SAGAMIHARA}.yaml: 相模原市情報マネジメント推進計画の前計画（主要事業の評価）、相模原市情報マネジメント推進計画")
    assert Plan.objects.count() == 2


GOOD_HEAD = """\
source: テスト市計画
plan:
  name: テスト計画
  period: {start: FY2020, end: FY2024}
directions:
  - {id: "1", name: 方向, policies: ["1"]}
"""

BAD_FILES = [
    ("bad-yaml.yaml", "plan: [unclosed\n", r"bad-yaml\.yaml: 2行目: YAML として読めません"),
    ("list.yaml", "- a\n- b\n", r"list\.yaml: YAML の最上位はキーと値の組"),
    ("unknown.yaml", "plan: {name: x}\n", r"unknown\.yaml: 形式がわかりません"),
    ("year.yaml", GOOD_HEAD + """policies:
  - id: "1"
    name: 施策
    indicators:
      - {id: "1", name: 指標, baseline: {year: 2017年, value: 1}, targets: [{year: FY2024, value: 2}]}
""", r"year\.yaml: policies\[0\]\.indicators\[0\]\.baseline\.year: 年度 '2017年' が読めません \(FY2019 の形式\)"),
    ("value.yaml", GOOD_HEAD + """policies:
  - id: "1"
    name: 施策
    indicators:
      - {id: "1", name: 指標, targets: [{year: FY2024, value: たくさん}]}
""", r"value\.yaml: policies\[0\]\.indicators\[0\]\.targets\[0\]\.value: 数値が必要です \('たくさん'\)"),
    ("missing.yaml", GOOD_HEAD + """policies:
  - id: "1"
    indicators: []
""", r"missing\.yaml: policies\[0\]\.name: 必須の項目がありません"),
    ("comparison.yaml", GOOD_HEAD + """policies:
  - id: "1"
    name: 施策
    indicators:
      - {id: "1", name: 指標, targets: [{year: FY2024, value: 2, comparison: "=="}]}
""", r"comparison\.yaml: policies\[0\]\.indicators\[0\]\.targets\[0\]\.comparison: 判定 '==' は"),
    ("orphan.yaml", GOOD_HEAD.replace('policies: ["1"]', 'policies: ["1", "9"]') + """policies:
  - {id: "1", name: 施策}
""", r"orphan\.yaml: directions: 施策「9」が policies にありません"),
    ("category.yaml", """\
plan: {name: プラン, period: {start: FY2016, end: FY2020}}
program: {name: プログラム, period: {start: FY2016, end: FY2017}, item_categories: [重点]}
basic_policies:
  - id: "1"
    name: 方針
    policies:
      - {id: "1-1", name: 施策, item_counts: {重点: 1, その他: 2}}
""", r"category\.yaml: basic_policies\[0\]\.policies\[0\]\.item_counts: 区分「その他」は item_categories にありません"),
    ("repeat.yaml", """\
plan: {name: プラン, period: {start: FY2016, end: FY2020}}
basic_policies:
  - id: "1"
    name: 方針
    policies:
      - id: "1-1"
        name: 施策
        priority_items: [{id: 1-1-1, name: 取組（再掲）, repeat_of: 9-9-9}]
""", r"repeat\.yaml: 取組 1-1-1 の再掲元 9-9-9 がこのファイルにありません"),
    ("review.yaml", """\
plan: {name: 計画, period: {start: FY2010, end: FY2014}}
previous_plan_review:
  statuses: [完了, 未着手]
  rows:
    - {goal: 目標, total: 5, counts: [3, 1]}
  total: {total: 5, counts: [3, 1]}
goals: []
""", r"review\.yaml: previous_plan_review\.rows\[0\]\.counts: 件数の合計 4 が total 5 と合いません"),
    ("grade.yaml", """\
source: 川崎市 施策1-1-1「テスト」評価資料
policy:
  hierarchy: {basic_policy: 基本, policy: 政策, measure: 施策}
indicators:
  - {id: "1", name: 指標, yearly: [{year: FY2019, target: 1, actual: 2}]}
evaluation: {progress_grade: E}
""", r"grade\.yaml: evaluation\.progress_grade: 進捗状況 'E' は A–D です"),
]


@pytest.mark.parametrize("name, text, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file__error_names_file_and_place_and_nothing_is_written(db, tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(services.PlanFileError, match=message):
        services.load_plan_file(path, actor="test")
    assert Plan.objects.count() == 0 and AuditLogEntry.objects.count() == 0 and Target.objects.count() == 0
    with pytest.raises(CommandError, match=message):
        call_command("plans", "load", str(path), stdout=io.StringIO())


def test_cli_plans_load__no_file_is_an_error(db):
    with pytest.raises(CommandError, match="ファイルを指定してください"):
        call_command("plans", "load", stdout=io.StringIO())


def test_cli_plans_load__missing_file(db, tmp_path):
    with pytest.raises(CommandError, match=r"nope\.yaml: 読めません"):
        call_command("plans", "load", str(tmp_path / "nope.yaml"), stdout=io.StringIO())


def test_fixtures_are_the_copies_with_attribution():
    names = sorted(p.name for p in services.FIXTURES.glob("*.yaml"))
    assert names == sorted(services.BUNDLED_FILES)
    attribution = (services.FIXTURES / "ATTRIBUTION.md").read_text()
    import yaml

    for name in names:
        source = yaml.safe_load((services.FIXTURES / name).read_text())["source"]
        assert name in attribution and source in attribution
