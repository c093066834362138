"""Forms of the public comment pages (public opinion form, staff entry and editing)."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from . import services
from .models import AnswerClass, Channel, Consultation, OpinionGroup


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (each checked by ``services.attachment_error``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(services.ATTACHMENT_TYPES)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = [single(d, initial) for d in data] if isinstance(data, (list, tuple)) else [single(data, initial)]
        files = [f for f in files if f]
        if len(files) > services.ATTACHMENT_MAX_COUNT:
            raise forms.ValidationError(_("添付ファイルは %(n)s 個までです。") % {"n": services.ATTACHMENT_MAX_COUNT})
        errors = [e for e in (services.attachment_error(f) for f in files) if e]
        if errors:
            raise forms.ValidationError(errors)
        return files


def _format(message, values: dict) -> str:
    return str(message) % values


_lazy_format = lazy(_format, str)


class OpinionForm(forms.Form):
    """The public form: the opinion, optional contact details, consent, attachments (labels in the page's
    language: ``gettext_lazy``)."""

    text = forms.CharField(label=_("御意見"), widget=forms.Textarea(attrs={"rows": 8}),
                           max_length=services.OPINION_MAX_CHARS,
                           help_text=_lazy_format(_("%(n)s 文字まで。案のどの部分への御意見かを書いてください。"),
                                                  {"n": f"{services.OPINION_MAX_CHARS:,}"}))
    name = forms.CharField(label=_("お名前（任意）"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("メールアドレス（任意）"), required=False,
                             help_text=_("入力すると受付のお知らせを送ります。"),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    address = forms.CharField(label=_("住所（任意）"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    attachments = MultipleFileField(
        label=_("添付ファイル（任意）"), required=False,
        help_text=_lazy_format(_("PDF, Word (DOCX), JPEG, PNG, テキスト。%(count)s 個まで、1 ファイル %(mb)s MB まで。"),
                               {"count": services.ATTACHMENT_MAX_COUNT,
                                "mb": services.ATTACHMENT_MAX_BYTES // 1024 // 1024}))
    consent = forms.BooleanField(
        label=_("御意見の内容を、個人が特定されない形で市の考え方とともに公表すること、お名前・連絡先は公表せず"
                "この意見募集の事務にだけ使うことに同意します"), required=True,
        error_messages={"required": _("公表と個人情報の取扱いに同意してください。")})


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["title", "slug", "department", "summary", "starts_at", "ends_at", "channels", "announced_via",
                  "announced", "outcome"]
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "channels": forms.CheckboxSelectMultiple, "summary": forms.Textarea(attrs={"rows": 4}),
                   "announced_via": forms.Textarea(attrs={"rows": 3}), "outcome": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"slug": "URL に使う英数字 (例: ict-plan-2026)", "starts_at": "日本時間",
                      "ends_at": "日本時間。この日時になると受付を終了します"}


class DocumentForm(forms.Form):
    title = forms.CharField(label="資料名", max_length=200)
    file = forms.FileField(label="ファイル", required=False)
    url = forms.URLField(label="リンク", required=False, assume_scheme="https")


class EntryForm(forms.Form):
    """Staff entry of a letter received by e-mail, FAX, post or in person."""

    channel = forms.ModelChoiceField(Channel.objects.all(), label="提出方法")
    received_on = forms.DateField(label="受付日", widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label="意見", widget=forms.Textarea(attrs={"rows": 8}),
                           help_text="1 通に複数の意見があるときは「---」だけの行で区切ります。")
    name = forms.CharField(label="氏名", max_length=100, required=False)
    email = forms.EmailField(label="メールアドレス", required=False)
    address = forms.CharField(label="住所", max_length=200, required=False)
    phone = forms.CharField(label="電話番号", max_length=30, required=False)


class SplitForm(forms.Form):
    text = forms.CharField(label="意見 (分ける位置に「---」だけの行を入れる)", widget=forms.Textarea(attrs={"rows": 10}))


class GroupForm(forms.ModelForm):
    answer_class = forms.ModelChoiceField(AnswerClass.objects.all(), label="対応区分", required=False)

    class Meta:
        model = OpinionGroup
        fields = ["summary", "answer", "answer_class", "keep_unmasked"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4}), "answer": forms.Textarea(attrs={"rows": 6})}


def split_parts(text: str) -> list[str]:
    """The parts of a text separated by lines holding only ``---``."""
    parts, current = [], []
    for line in text.splitlines():
        if line.strip() == "---":
            parts.append("\n".join(current))
            current = []
        else:
            current.append(line)
    parts.append("\n".join(current))
    return [p.strip() for p in parts if p.strip()]
