"""Forms of the notices app."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import CHANNELS, Area, Notice, Topic


class TopicChoiceField(forms.ModelMultipleChoiceField):
    """Topics by name in the page's language (the default topics' names are in the catalogue)."""

    def label_from_instance(self, obj) -> str:
        return gettext(obj.name)


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("メールアドレス"), max_length=254)
    topics = TopicChoiceField(label=_("受け取る情報"), queryset=Topic.objects.filter(active=True),
                              to_field_name="slug", widget=forms.CheckboxSelectMultiple)
    areas = forms.ModelMultipleChoiceField(label=_("地域 (選ばないと市内全域)"), queryset=Area.objects.filter(kind="ward"),
                                           to_field_name="name", required=False, widget=forms.CheckboxSelectMultiple)


class NoticeForm(forms.ModelForm):
    areas = forms.ModelMultipleChoiceField(label="地域 (選ばないと全員)", queryset=Area.objects.all(),
                                           to_field_name="name", required=False, widget=forms.CheckboxSelectMultiple)
    channels = forms.MultipleChoiceField(label="チャネル (選ばないと購読者の選んだすべて)", choices=CHANNELS,
                                         required=False, widget=forms.CheckboxSelectMultiple)
    send_at = forms.DateTimeField(label="送信日時 (空欄: すぐ)", required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    link = forms.URLField(label="リンク", required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Notice
        fields = ["title", "body", "link", "topic", "areas", "channels", "send_at"]

    def clean_areas(self):
        return [a.name for a in self.cleaned_data["areas"]]
