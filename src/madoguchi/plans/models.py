"""Plans and KPIs (計画・成果指標): Plan, PolicyArea, Policy, Measure, MeasureCount,
Indicator, Target, Actual, Evaluation, AuditLogEntry.

Names follow DESIGN.md section 3: a Plan (計画) has PolicyAreas (基本施策 / 基本方針 /
基本目標…, nested when a document has more layers, e.g. 川崎市総合計画's 基本政策 → 政策),
which hold Policies (施策); a Policy has Measures (取組・事業) and Indicators (成果指標)
with a baseline (策定時), Targets (目標値, per period or per year, revisions kept) and
yearly Actuals (実績値). An Evaluation (評価) grades a Policy for one fiscal year:
``progress_grade`` A–D and ``direction_grade`` I–IV (川崎市政策評価の区分).

Years are fiscal years (年度, April–March) stored as the integer of the year in which
they start (FY2019 = 2019 = 令和元年度). Every write goes through ``plans.services``,
which keeps the ``AuditLogEntry`` rows (who, when, old → new).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

VALUE = {"max_digits": 20, "decimal_places": 4}


class Plan(models.Model):
    """A plan (計画), programme (実施計画 / プログラム) or the earlier plan a document reviews."""

    class Kind(models.TextChoices):
        PLAN = "plan", "計画"
        PROGRAM = "program", "実施計画・プログラム"
        COMPREHENSIVE = "comprehensive", "総合計画"
        PREVIOUS = "previous", "前計画"

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField("名称", max_length=300)
    kind = models.CharField("種類", max_length=20, choices=Kind.choices, default=Kind.PLAN)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
                               verbose_name="上位計画")
    parent_note = models.CharField("上位計画（資料の表記）", max_length=500, blank=True)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="successors",
                                 verbose_name="前計画")
    start_year = models.PositiveSmallIntegerField("計画期間（開始年度）", null=True, blank=True)
    end_year = models.PositiveSmallIntegerField("計画期間（終了年度）", null=True, blank=True)
    extended_to_year = models.PositiveSmallIntegerField("延長後の終了年度", null=True, blank=True)
    vision = models.TextField("目指す姿・基本理念", blank=True)
    progress_management = models.TextField("進行管理", blank=True)
    note = models.TextField("備考", blank=True)
    source = models.CharField("出典資料", max_length=500, blank=True)
    source_file = models.CharField("読み込んだファイル", max_length=200, blank=True)
    item_categories = models.JSONField("取組の区分", default=list, blank=True)
    measure_statuses = models.JSONField("取組の状況区分", default=list, blank=True)
    periods = models.JSONField("期", default=list, blank=True, help_text='[{"name": "第2期目標", "year": 2021}]')
    grade_definitions = models.JSONField("評価区分の定義", default=dict, blank=True,
                                         help_text='{"progress": {"A": "…"}, "direction": {"I": "…"}}')
    published_figures = models.JSONField("資料に示された集計値", default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", models.F("start_year").asc(nulls_first=True), "slug"]
        verbose_name = verbose_name_plural = "計画"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("plans:plan", args=[self.slug])


class PolicyArea(models.Model):
    """A layer above the policies (基本施策 / 基本方針 / 基本方向 / 基本目標 / 政策…)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.CharField("番号", max_length=30)
    name = models.CharField("名称", max_length=300)
    level_name = models.CharField("階層の名称", max_length=30, blank=True, help_text="例: 基本方針, 基本政策")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plans_area_unique_code")]
        verbose_name = verbose_name_plural = "基本施策"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Policy(models.Model):
    """A policy (施策): measures, indicators and yearly evaluations."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="policies")
    area = models.ForeignKey(PolicyArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="policies")
    code = models.CharField("番号", max_length=30)
    name = models.CharField("名称", max_length=300)
    short_name = models.CharField("略称", max_length=100, blank=True)
    direct_goal = models.TextField("直接目標", blank=True)
    programs = models.JSONField("構成する事務事業", default=list, blank=True)
    supplementary = models.JSONField("参考データ", default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plans_policy_unique_code")]
        verbose_name = verbose_name_plural = "施策"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("plans:policy", args=[self.plan.slug, self.code])


class Measure(models.Model):
    """An item (取組・事業) of a policy; ``repeat_of`` links a 再掲 to the item it repeats."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="measures")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.CharField("番号", max_length=30)
    name = models.CharField("名称", max_length=300)
    detail = models.TextField("内容", blank=True)
    category = models.CharField("区分", max_length=50, blank=True, help_text="例: 重点, 改修・再構築, 情報化施策")
    status = models.CharField("状況", max_length=50, blank=True, help_text="例: 完了・拡大, 未着手")
    department = models.CharField("所管局", max_length=100, blank=True)
    repeat_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats",
                                  verbose_name="再掲元")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["policy", "code"], name="plans_measure_unique_code")]
        verbose_name = verbose_name_plural = "取組"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MeasureCount(models.Model):
    """The number of items a document gives for a policy or area without listing them all.

    E.g. 川崎市情報化推進プログラム policy 1-1: 重点 4, 改修・再構築 0, 情報化施策 13; or
    相模原市 (review of the previous plan) goal 1: 完了・拡大 19, 構築中 0, 検討中 1, 未着手 1.
    Where counts exist for a policy or area, they are what item counts use (listed
    Measures are then examples of those items); elsewhere the listed Measures are counted.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measure_counts")
    area = models.ForeignKey(PolicyArea, null=True, blank=True, on_delete=models.CASCADE, related_name="measure_counts")
    policy = models.ForeignKey(Policy, null=True, blank=True, on_delete=models.CASCADE, related_name="measure_counts")
    category = models.CharField("区分", max_length=50, blank=True)
    status = models.CharField("状況", max_length=50, blank=True)
    count = models.PositiveIntegerField("件数")

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "取組の件数"


class Indicator(models.Model):
    """A KPI (成果指標) of a policy: unit, method, direction, baseline (策定時)."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "高いほどよい（以上）"
        LOWER = "lower", "低いほどよい（以下）"
        AT_MOST = "at_most", "上限を超えない（上回らないこと）"

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField("番号", max_length=30)
    name = models.CharField("指標名", max_length=300)
    method = models.TextField("算出方法", blank=True)
    unit = models.CharField("単位", max_length=50, blank=True)
    direction = models.CharField("方向", max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    baseline_year = models.PositiveSmallIntegerField("策定時（年度）", null=True, blank=True)
    baseline_value = models.DecimalField("策定時の値", null=True, blank=True, **VALUE)
    metric_id = models.CharField("自動集計の指標 (metric)", max_length=100, blank=True,
                                 help_text="例: catalog.datasets_published")
    note = models.TextField("備考", blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["policy", "code"], name="plans_indicator_unique_code")]
        verbose_name = verbose_name_plural = "成果指標"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Target(models.Model):
    """A target value (目標値) for a fiscal year: a period target (第2期目標, 中間値) or a yearly one.

    A revision keeps the old row with ``superseded_by`` set; the new row carries
    ``revision_reason`` (e.g. H28 の実績が第3期目標を上回ったため).
    """

    class Kind(models.TextChoices):
        PERIOD = "period", "期の目標"
        YEAR = "year", "年度の目標"

    class Comparison(models.TextChoices):
        GTE = ">=", "以上"
        LTE = "<=", "以下"
        GT = ">", "超"
        LT = "<", "未満"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField("年度")
    value = models.DecimalField("目標値", **VALUE)
    kind = models.CharField("種類", max_length=10, choices=Kind.choices, default=Kind.PERIOD)
    label = models.CharField("名称", max_length=50, blank=True, help_text="例: 第2期目標, 中間値")
    comparison = models.CharField("判定", max_length=2, choices=Comparison.choices, default=Comparison.GTE)
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="revises")
    revision_reason = models.TextField("見直しの理由", blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "kind", "id"]
        verbose_name = verbose_name_plural = "目標値"

    def __str__(self) -> str:
        return f"{self.indicator.code} FY{self.year} {self.value}"


class Actual(models.Model):
    """An actual value (実績値) of an indicator for a fiscal year, with its source."""

    class Source(models.TextChoices):
        DOCUMENT = "document", "公表資料"
        ENTERED = "entered", "職員入力"
        METRIC = "metric", "自動集計"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="actuals")
    year = models.PositiveSmallIntegerField("年度")
    value = models.DecimalField("実績値", null=True, blank=True, **VALUE)
    source = models.CharField("出典", max_length=10, choices=Source.choices, default=Source.ENTERED)
    source_note = models.CharField("出典の詳細", max_length=300, blank=True,
                                   help_text="資料名、または自動集計の metric id")
    published_status = models.CharField("公表された達成状況", max_length=30, blank=True)
    entered_at = models.DateTimeField("入力日時")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["year", "id"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="plans_actual_unique_year")]
        verbose_name = verbose_name_plural = "実績値"


class Evaluation(models.Model):
    """The yearly evaluation (評価) of a policy: progress A–D, direction I–IV, reasons."""

    PROGRESS_GRADES = [("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")]
    DIRECTION_GRADES = [("I", "I"), ("II", "II"), ("III", "III"), ("IV", "IV")]

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="evaluations")
    year = models.PositiveSmallIntegerField("評価対象年度")
    progress_grade = models.CharField("進捗状況", max_length=1, choices=PROGRESS_GRADES, blank=True)
    progress_reason = models.TextField("進捗状況の理由", blank=True)
    suggested_progress_grade = models.CharField("指標からの判定", max_length=1, blank=True)
    override_reason = models.TextField("判定と異なる区分にした理由", blank=True)
    direction_grade = models.CharField("今後の方向性", max_length=3, choices=DIRECTION_GRADES, blank=True)
    direction_reason = models.TextField("今後の方向性の理由", blank=True)
    source = models.CharField("出典", max_length=300, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    confirmed_at = models.DateTimeField("確定日時", null=True, blank=True)

    class Meta:
        ordering = ["-year", "id"]
        constraints = [models.UniqueConstraint(fields=["policy", "year"], name="plans_evaluation_unique_year")]
        verbose_name = verbose_name_plural = "評価"


class AuditLogEntry(models.Model):
    """One change made through ``plans.services``: who, when, what, old → new.

    ``changes`` is ``{field: [old, new]}`` with values as JSON (decimals as strings);
    a creation has ``old`` null, a deletion ``new`` null.
    """

    class Action(models.TextChoices):
        CREATE = "create", "作成"
        UPDATE = "update", "変更"
        DELETE = "delete", "削除"

    at = models.DateTimeField("日時", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    actor = models.CharField("実行者", max_length=200, help_text="利用者名、またはコマンド")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    model = models.CharField("対象の種類", max_length=50)
    object_id = models.CharField("対象の ID", max_length=50)
    object_repr = models.CharField("対象", max_length=300)
    changes = models.JSONField("変更内容", default=dict)
    reason = models.TextField("理由", blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = verbose_name_plural = "変更履歴"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"
