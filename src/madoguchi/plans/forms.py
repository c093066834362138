"""Forms of the staff pages. They only parse and validate input; ``services`` writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from . import metrics
from .models import Evaluation, Indicator, Plan, Policy, Target


class StaffForm(forms.Form):
    """Every staff form carries its name (``form_name``, posted as ``form`` by
    ``plans/_form.html``), so one page can hold several forms."""

    form_name = ""


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["name", "kind", "start_year", "end_year", "extended_to_year", "parent", "parent_note", "vision",
                  "progress_management", "note", "source"]
        widgets = {"vision": forms.Textarea(attrs={"rows": 3}), "progress_management": forms.Textarea(attrs={"rows": 2}),
                   "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].queryset = Plan.objects.exclude(pk=self.instance.pk)


class PlanCreateForm(PlanForm):
    slug = forms.SlugField(label="識別子（URL）", help_text="半角英数字とハイフン。例: city-ict-plan-2026")

    class Meta(PlanForm.Meta):
        fields = ["slug"] + PlanForm.Meta.fields


class AreaForm(StaffForm):
    form_name = "area"
    code = forms.CharField(label="番号", max_length=30)
    name = forms.CharField(label="名称", max_length=300)
    level_name = forms.CharField(label="階層の名称", max_length=30, required=False, help_text="例: 基本方針")

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = forms.ModelChoiceField(plan.areas.all(), label="上位の階層", required=False)


class PolicyForm(StaffForm):
    form_name = "policy"
    code = forms.CharField(label="番号", max_length=30)
    name = forms.CharField(label="名称", max_length=300)
    short_name = forms.CharField(label="略称", max_length=100, required=False)
    direct_goal = forms.CharField(label="直接目標", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = forms.ModelChoiceField(plan.areas.all(), label="基本施策（上位の階層）", required=False)


class MeasureForm(StaffForm):
    form_name = "measure"
    code = forms.CharField(label="番号", max_length=30)
    name = forms.CharField(label="名称", max_length=300)
    category = forms.CharField(label="区分", max_length=50, required=False, help_text="例: 重点")
    status = forms.CharField(label="状況", max_length=50, required=False, help_text="例: 完了・拡大")
    department = forms.CharField(label="所管局", max_length=100, required=False)

    def __init__(self, *args, policy: Policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["repeat_of"] = forms.ModelChoiceField(
            policy.measures.model.objects.filter(policy__plan=policy.plan), label="再掲元", required=False)


def metric_choices() -> list[tuple[str, str]]:
    return [("", "（手入力）")] + [(m.id, f"{m.title}（{m.id}）") for m in metrics.all_metrics("yearly")]


class IndicatorForm(StaffForm):
    form_name = "indicator"
    code = forms.CharField(label="番号", max_length=30)
    name = forms.CharField(label="指標名", max_length=300)
    method = forms.CharField(label="算出方法", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    unit = forms.CharField(label="単位", max_length=50, required=False)
    direction = forms.ChoiceField(label="方向", choices=Indicator.Direction.choices)
    baseline_year = forms.IntegerField(label="策定時（年度）", required=False, min_value=1900, max_value=2200,
                                       help_text="西暦の年度。例: 2019")
    baseline_value = forms.DecimalField(label="策定時の値", required=False, max_digits=20, decimal_places=4)
    metric_id = forms.ChoiceField(label="実績値の自動集計", required=False,
                                  help_text="選ぶと、実績値を窓口のデータから自動で集計します")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric_id"].choices = metric_choices()


class TargetForm(StaffForm):
    form_name = "target"
    year = forms.IntegerField(label="年度", min_value=1900, max_value=2200, help_text="西暦。例: 2021")
    value = forms.DecimalField(label="目標値", max_digits=20, decimal_places=4)
    kind = forms.ChoiceField(label="種類", choices=Target.Kind.choices)
    label = forms.CharField(label="名称", max_length=50, required=False, help_text="例: 第2期目標, 中間値")
    comparison = forms.ChoiceField(label="判定", choices=Target.Comparison.choices)


class ReviseTargetForm(StaffForm):
    form_name = "revise"
    value = forms.DecimalField(label="見直し後の目標値", max_digits=20, decimal_places=4)
    reason = forms.CharField(label="見直しの理由", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, indicator: Indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"] = forms.ModelChoiceField(indicator.targets.filter(superseded_by=None),
                                                       label="見直す目標値")
        self.order_fields(["target", "value", "reason"])


class ActualForm(StaffForm):
    form_name = "actual"
    year = forms.IntegerField(label="年度", min_value=1900, max_value=2200, help_text="西暦。例: 2024")
    value = forms.DecimalField(label="実績値", required=False, max_digits=20, decimal_places=4,
                               help_text="空欄は「—」（値なし）")


class EvaluationForm(forms.Form):
    progress_grade = forms.ChoiceField(label="進捗状況", required=False,
                                       choices=[("", "（未評価）")] + Evaluation.PROGRESS_GRADES)
    progress_reason = forms.CharField(label="進捗状況の理由", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    override_reason = forms.CharField(label="指標からの判定と異なる区分にする理由", required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text="判定と同じ区分なら空欄で構いません")
    direction_grade = forms.ChoiceField(label="今後の方向性", required=False,
                                        choices=[("", "（未評価）")] + Evaluation.DIRECTION_GRADES)
    direction_reason = forms.CharField(label="今後の方向性の理由", required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))


class PlanFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("計画ファイル (YAML)"),
                           help_text=gettext_lazy("例: kawasaki-data-utilization-plan-2019.yaml"))

