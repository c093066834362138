"""Django forms of the staff builder: a form's settings, and its fields as rows of a formset."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .definition import KINDS
from .models import Form

KIND_LABELS = {
    "text": "1行の文字", "textarea": "複数行の文字", "number": "数", "date": "日付", "choice": "選択 (1つ)",
    "multichoice": "選択 (複数)", "checkbox": "チェック (はい/いいえ)", "address": "住所", "postal_code": "郵便番号",
    "phone": "電話番号", "email": "メールアドレス", "file": "添付ファイル",
}


class FormSettingsForm(forms.ModelForm):
    """Title, slug, department, period, retention, fee; the procedure is a radio group of search results
    (``procedure_choices``) set by the view."""

    procedure = forms.TypedChoiceField(label=_("手続（手続ガイドとの関連付け）"), required=False, coerce=int,
                                       empty_value=None, widget=forms.RadioSelect,
                                       help_text=_("上の検索で手続を探して選びます。選ぶと公開時に手続ガイドにオンライン申請の案内が出ます。"))

    class Meta:
        model = Form
        fields = ["title", "title_en", "slug", "department", "kind", "opens_at", "closes_at", "retention_days",
                  "fee_yen"]
        labels = {"title": _("フォームの名前"), "title_en": _("フォームの名前（英語）"), "slug": _("URL 用の名前"),
                  "department": _("担当課"), "kind": _("種類"), "opens_at": _("受付開始"), "closes_at": _("受付終了"),
                  "retention_days": _("申請の保存期間（日）"), "fee_yen": _("手数料（円）")}
        help_texts = {"slug": _("英小文字・数字・ハイフン。市民向けの URL /procedures/apply/<名前>/ になります"),
                      "opens_at": _("空欄なら公開と同時に受付"), "closes_at": _("空欄なら終了なし"),
                      "retention_days": _("5年 = 1825日")}
        widgets = {"opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}

    def __init__(self, *args, procedure_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("関連付けない"))] + [(p.pk, f"{p.name}（{p.department or '担当課未設定'}）")
                                                                    for p in procedure_choices]
        if self.instance.pk and self.instance.procedure_id:
            self.initial.setdefault("procedure", self.instance.procedure_id)

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("受付終了は受付開始より後にしてください"))
        return cleaned


class FieldRowForm(forms.Form):
    """One field of the form being built. ``choices`` one per line; ``accept`` separated by spaces."""

    name = forms.CharField(label=_("項目名（英小文字）"), required=False, max_length=63)
    label = forms.CharField(label=_("見出し"), required=False, max_length=200)
    label_en = forms.CharField(label=_("見出し（英語）"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("種類"), choices=[(k, KIND_LABELS[k]) for k in KINDS], initial="text")
    required = forms.BooleanField(label=_("必須"), required=False)
    help = forms.CharField(label=_("説明"), required=False, max_length=500)
    choices = forms.CharField(label=_("選択肢（1行に1つ）"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    min = forms.DecimalField(label=_("最小値"), required=False)
    max = forms.DecimalField(label=_("最大値"), required=False)
    max_length = forms.IntegerField(label=_("最大文字数"), required=False, min_value=1)
    pattern = forms.CharField(label=_("入力の形（正規表現）"), required=False, max_length=300)
    accept = forms.CharField(label=_("ファイルの種類（例 .pdf .jpg）"), required=False, max_length=100)
    max_size_mb = forms.DecimalField(label=_("ファイルの上限（MB）"), required=False)
    show_if_field = forms.CharField(label=_("表示の条件: 項目名"), required=False, max_length=63)
    show_if_equals = forms.CharField(label=_("表示の条件: 値"), required=False, max_length=200)
    step = forms.CharField(label=_("手順（ページ）の名前"), required=False, max_length=100)


FieldRowFormSet = forms.formset_factory(FieldRowForm, extra=0, can_delete=True)


def row_to_field(row: dict) -> dict:
    """A cleaned formset row → a FieldDef (unchecked; ``definition.check_definition`` checks it)."""
    field = {"name": (row.get("name") or "").strip(), "label": (row.get("label") or "").strip(),
             "label_en": (row.get("label_en") or "").strip(), "kind": row.get("kind") or "text",
             "required": bool(row.get("required")), "help": (row.get("help") or "").strip()}
    choices = [c.strip() for c in (row.get("choices") or "").splitlines() if c.strip()]
    if choices:
        field["choices"] = choices
    for key in ("min", "max", "max_size_mb"):
        if row.get(key) is not None:
            value = float(row[key])
            field[key] = int(value) if value.is_integer() else value
    if row.get("max_length"):
        field["max_length"] = int(row["max_length"])
    if (row.get("pattern") or "").strip():
        field["pattern"] = row["pattern"].strip()
    if (row.get("accept") or "").strip():
        field["accept"] = [a for a in row["accept"].replace(",", " ").split() if a]
    if (row.get("show_if_field") or "").strip():
        field["show_if"] = {"field": row["show_if_field"].strip(), "equals": (row.get("show_if_equals") or "").strip()}
    if (row.get("step") or "").strip():
        field["step"] = row["step"].strip()
    return field


def field_to_row(field: dict) -> dict:
    """A FieldDef → the initial values of a formset row."""
    row = {k: field.get(k) for k in ("name", "label", "label_en", "kind", "required", "help", "min", "max",
                                      "max_length", "pattern", "max_size_mb", "step")}
    row["choices"] = "\n".join(field.get("choices") or [])
    row["accept"] = " ".join(field.get("accept") or [])
    cond = field.get("show_if") or {}
    row["show_if_field"], row["show_if_equals"] = cond.get("field", ""), cond.get("equals", "")
    return {k: v for k, v in row.items() if v is not None}
