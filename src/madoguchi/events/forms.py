"""Forms of the event pages. They parse input only; ``services`` checks the rules and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CommunityGroup, Event, EventFeed

FORM_FIELDS = (
    "title", "title_kana", "title_en", "category", "start_date", "end_date", "start_time", "end_time",
    "datetime_notes", "summary", "description", "place_name", "address", "building", "area", "latitude",
    "longitude", "access", "fee_basic", "fee_details", "target", "capacity", "capacity_notes", "organizer",
    "contact_name", "contact_phone", "application_deadline", "application_method", "application_url", "url",
    "listed_from", "listed_until", "notes",
)
REQUIRED = {"title", "start_date", "description", "place_name"}
HELP = {
    "title_kana": "カタカナで（例: イチマルマルシェ）",
    "start_time": "時刻が未定なら空欄（終日の催しとして表示します）",
    "end_date": "1日だけなら空欄",
    "area": "例: 中原区。空欄なら住所から区名を取ります",
    "latitude": "地図の座標（10進数の度、例: 35.5759）",
    "contact_phone": "例: 044-200-0000",
    "listed_until": "空欄なら期限なし",
}


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


class TimeInput(forms.TimeInput):
    input_type = "time"


class HttpsURLField(forms.URLField):
    """A URL typed without a scheme is taken as https (Django 6's default)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class EventForm(forms.ModelForm):
    """All the fields a person fills in for one event (standard event dataset columns)."""

    class Meta:
        model = Event
        fields = FORM_FIELDS
        field_classes = {"application_url": HttpsURLField, "url": HttpsURLField}
        widgets = {
            **{name: DateInput() for name in ("start_date", "end_date", "application_deadline", "listed_from",
                                               "listed_until")},
            **{name: TimeInput(format="%H:%M") for name in ("start_time", "end_time")},
            **{name: forms.Textarea(attrs={"rows": 3}) for name in ("summary", "access", "application_method",
                                                                    "notes")},
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = name in REQUIRED
            if name in HELP:
                field.help_text = HELP[name]
        if groups is not None:
            self.fields = {"group": forms.ModelChoiceField(groups, label="登録団体", empty_label=None),
                           **self.fields}

    def _post_clean(self):
        # Model validation is done by services (which name the field); skip Django's instance checks.
        pass

    def data_for_services(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in FORM_FIELDS}


class RejectForm(forms.Form):
    note = forms.CharField(label="差戻しの理由", widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="団体に表示されます。直してほしい点を具体的に書いてください。")


class FeedForm(forms.ModelForm):
    class Meta:
        model = EventFeed
        fields = ("name", "url", "format")
        field_classes = {"url": HttpsURLField}


class FilterForm(forms.Form):
    """Filters of the public list (GET; the same names as the API: ``q``, ``from``, ``to``, ``area``, ``category``)."""

    q = forms.CharField(label=_("キーワード"), required=False)

    def __init__(self, *args, facets: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = forms.DateField(label=_("この日から"), required=False, widget=DateInput())
        self.fields["to"] = forms.DateField(label=_("この日まで"), required=False, widget=DateInput())
        data = self.data or {}
        for name, label in (("area", _("区・地域")), ("category", _("ジャンル"))):
            values = list(facets[name])
            if data.get(name) and data[name] not in values:  # a value from a link or partner URL
                values.append(data[name])
            self.fields[name] = forms.ChoiceField(label=label, required=False,
                                                  choices=[("", _("すべて"))] + [(v, v) for v in values])


__all__ = ["EventForm", "RejectForm", "FeedForm", "FilterForm", "CommunityGroup"]
