"""Forms of the FAQ pages: the question, the hand-off to staff, and staff editing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import QaEntry, Synonym


class AskForm(forms.Form):
    q = forms.CharField(label=_("質問"), max_length=1000, required=False,
                        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
                        help_text=_("ふだんのことばで入力してください。例:「引っ越したときの手続きは?」"))


class HandoffForm(forms.Form):
    question = forms.CharField(label=_("質問"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                               error_messages={"required": _("質問を入力してください。")})
    email = forms.EmailField(label=_("回答の送り先メールアドレス"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                             error_messages={"required": _("メールアドレスを入力してください。"),
                                             "invalid": _("メールアドレスの形が正しくありません (例: name@example.jp)。")})
    consent = forms.BooleanField(label=_("質問とメールアドレスを、回答のために市の担当課へ送ることに同意します"),
                                 error_messages={"required": _("送るには同意が必要です。")})
    log_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    department = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)


class EntryForm(forms.ModelForm):
    """A Q&A with its related links, one per line: 「タイトル | URL」 (URL: https://…, http://… or a path of
    this site such as /garbage/ or /datasets/<slug>/)."""

    links_text = forms.CharField(
        label="関連リンク (手続き・データセット・ページ)", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="1行に1件、「タイトル | URL」。例: ごみ分別辞典 | /garbage/")

    class Meta:
        model = QaEntry
        fields = ["question", "answer", "category", "department", "state"]
        widgets = {"question": forms.Textarea(attrs={"rows": 2}), "answer": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.links:
            self.initial["links_text"] = "\n".join(f"{link['title']} | {link['url']}" for link in self.instance.links)

    def clean_links_text(self) -> list[dict]:
        links = []
        for n, line in enumerate(self.cleaned_data["links_text"].splitlines(), start=1):
            if not line.strip():
                continue
            title, sep, url = line.rpartition("|")
            title, url = title.strip(), url.strip()
            if not sep or not title or not url:
                raise forms.ValidationError(f"{n}行目: 「タイトル | URL」の形で書いてください")
            if not (url.startswith(("https://", "http://")) or (url.startswith("/") and not url.startswith("//"))):
                raise forms.ValidationError(f"{n}行目: URL は https:// で始まるか、/ で始まるこのサイトのパスにしてください")
            links.append({"title": title[:200], "url": url[:500]})
        return links

    def save(self, commit: bool = True):
        self.instance.links = self.cleaned_data.get("links_text") or []
        return super().save(commit=commit)


class ImportForm(forms.Form):
    file = forms.FileField(label="ファイル (CSV・XLSX・JSON)")
    publish = forms.BooleanField(label="取り込んだ Q&A をすぐ公開する", required=False)


class CallLogForm(forms.Form):
    file = forms.FileField(label="通話記録 (CSV・XLSX: 日付・受付チャネル・分類・問合せ内容)")


class AnswerForm(forms.Form):
    answer = forms.CharField(label="回答", widget=forms.Textarea(attrs={"rows": 8}),
                             error_messages={"required": "回答を入力してください。"})


class SynonymForm(forms.ModelForm):
    class Meta:
        model = Synonym
        fields = ["term", "variants"]
        widgets = {"variants": forms.TextInput()}
