"""A django.forms.Form for a form version (or one step of it): widgets, autocomplete, show_if attributes.

Django's fields only carry the widgets and the ``required`` mark; the checking is ``answers.validate_fields``
(``clean()`` adds its messages), so the browser form and the API give the same messages. A conditional
field is never ``required`` for Django (the browser must not block a hidden field); ``validate`` requires
it when it is shown. ``eforms/eforms.js`` hides / shows ``[data-show-if]`` fields and fills the address
after the postal code; without the script every field shows and hidden answers are ignored on the server.
"""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import answers
from . import definition as defs

_AUTOCOMPLETE_BY_NAME = {"name": "name", "full_name": "name", "name_kana": "off", "email": "email", "phone": "tel",
                         "tel": "tel", "postal_code": "postal-code", "address": "street-address"}


def _label(f: dict) -> str:
    if (get_language() or "ja").startswith("en") and f.get("label_en"):
        return f["label_en"]
    return f["label"]


def _django_field(f: dict, all_fields: list[dict]) -> forms.Field:
    kind, label = f["kind"], _label(f)
    required = bool(f["required"]) and not f.get("show_if")
    help_text = f.get("help", "")
    if f.get("show_if") and f["required"]:
        help_text = f"{help_text} {_('この項目は表示されたときは必須です。')}".strip()
    common = {"label": label, "required": required, "help_text": help_text,
              "error_messages": {"required": answers._message(f, "required", None),
                                 "invalid_choice": f"{f['label']}: 選択肢の中から選んでください"}}
    attrs: dict = {}
    if kind in ("text", "address", "textarea") and f.get("max_length"):
        attrs["maxlength"] = int(f["max_length"])
    auto = _AUTOCOMPLETE_BY_NAME.get(f["name"])
    if kind == "text":
        widget = forms.TextInput
        if auto:
            attrs["autocomplete"] = auto
    elif kind == "textarea":
        widget = forms.Textarea
        attrs["rows"] = 5
    elif kind == "address":
        widget = forms.TextInput
        attrs["autocomplete"] = "street-address"
    elif kind == "postal_code":
        widget = forms.TextInput
        attrs.update(autocomplete="postal-code", inputmode="numeric", maxlength=8, size=9, pattern=r"[0-9０-９\-－]{7,8}")
        target = _address_after(f, all_fields)
        if target:
            attrs["data-postal-fill"] = target
    elif kind == "phone":
        widget = forms.TextInput
        attrs.update(type="tel", autocomplete="tel", inputmode="tel")
    elif kind == "email":
        widget = forms.TextInput
        attrs.update(type="email", autocomplete="email", inputmode="email")
    elif kind == "number":
        widget = forms.TextInput
        attrs.update(inputmode="decimal")
        if "min" in f:
            attrs["data-min"] = f["min"]
        if "max" in f:
            attrs["data-max"] = f["max"]
    elif kind == "date":
        widget = forms.TextInput
        attrs.update(type="date")
    elif kind == "checkbox":
        field = forms.BooleanField(**common, widget=forms.CheckboxInput(attrs=_show_if_attrs(f)))
        return field
    elif kind == "choice":
        choices = [(c, c) for c in f["choices"]]
        widget_cls = forms.RadioSelect if len(choices) <= 5 else forms.Select
        if widget_cls is forms.Select:
            choices = [("", "選んでください")] + choices
        return forms.ChoiceField(**common, choices=choices, widget=widget_cls(attrs=_show_if_attrs(f)))
    elif kind == "multichoice":
        return forms.MultipleChoiceField(**common, choices=[(c, c) for c in f["choices"]],
                                         widget=forms.CheckboxSelectMultiple(attrs=_show_if_attrs(f)))
    elif kind == "file":
        attrs["accept"] = ",".join(f.get("accept") or defs.DEFAULT_ACCEPT)
        attrs["data-max-size-mb"] = f.get("max_size_mb") or defs.DEFAULT_MAX_SIZE_MB
        attrs.update(_show_if_attrs(f))
        return _FileField(**common, widget=_FileInput(attrs=attrs))
    else:  # pragma: no cover — check_definition refuses unknown kinds
        widget = forms.TextInput
    attrs.update(_show_if_attrs(f))
    return forms.CharField(**common, strip=True, widget=widget(attrs=attrs))


class _FileInput(forms.ClearableFileInput):
    """No ``required`` attribute: a file stored at an earlier submit of the step counts (the server checks)."""

    def use_required_attribute(self, initial) -> bool:
        return False


class _FileField(forms.FileField):
    """``required`` is checked by ``answers.validate_fields``, which also accepts a file stored earlier
    (its name in ``data``); the mark 「（必須）」 still shows."""

    def validate(self, value) -> None:
        return None


def _show_if_attrs(f: dict) -> dict:
    cond = f.get("show_if")
    if not cond:
        return {}
    return {"data-show-if": json.dumps({"field": cond["field"], "equals": cond["equals"]}, ensure_ascii=False),
            "data-required-when-shown": "true" if f["required"] else "false"}


def _address_after(f: dict, fields: list[dict]) -> str | None:
    """The first address field after a postal-code field (the one the lookup fills)."""
    names = [x["name"] for x in fields]
    for x in fields[names.index(f["name"]) + 1:]:
        if x["kind"] == "address":
            return x["name"]
    return None


class VersionForm(forms.Form):
    """A form of a FormVersion; ``version``, ``step`` and ``fielddefs`` are set by ``build_form``."""

    version = None
    step: str | None = None
    fielddefs: list[dict] = []

    def clean(self):
        cleaned = super().clean()
        data = self.data
        errors = answers.validate_fields(defs.fields_of(self.version), data, self.files,
                                      only={f["name"] for f in self.fielddefs},
                                      check_postal=_postal_checker())
        for name, messages in errors.items():
            if name in self.fields and name not in self.errors:
                for message in messages:
                    self.add_error(name, message)
        return cleaned

    @property
    def clean_answers(self) -> dict:
        """``services.clean_data`` of the whole ``data`` (all steps' answers it holds)."""
        return answers.clean_fields(defs.fields_of(self.version), self.data)


def _postal_checker():
    from .services import _postal_known

    return _postal_known


def build_form(version, *, step: str | None = None, data=None, files=None) -> VersionForm:
    """See ``services.build_form``. ``step`` is a step title from ``services.steps`` (None: all fields).

    :raises FormError: ``not_found`` for an unknown step
    """
    from .errors import FormError

    all_fields = defs.fields_of(version)
    if step is None:
        chosen = all_fields
    else:
        groups = dict(answers.step_groups(all_fields))
        if step not in groups:
            raise FormError("not_found", f"手順「{step}」はこのフォームにありません", param="step")
        chosen = groups[step]
    form = VersionForm(data=data, files=files)
    form.fields = {f["name"]: _django_field(f, all_fields) for f in chosen}
    form.version, form.step, form.fielddefs = version, step, chosen
    return form
