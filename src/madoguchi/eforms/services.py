"""Forms staff build without code — the public API of ``madoguchi.eforms`` (issue #14 point 2).

* ``open_form`` — a published form that accepts answers now (``check_open`` for a form already read)
* ``validate`` / ``clean_data`` — check answers (JSON Schema 2020-12 + checks it cannot express), make them JSON-safe
* ``to_json_schema`` / ``steps`` / ``display_value`` / ``build_form`` — the shapes of a version
* ``save_version`` — publish a definition as a new version (old versions stay unchanged)
* ``install_demo_form`` — the sample 「水道の使用開始届」
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from . import answers
from . import definition as defs
from . import postal
from .errors import FormError
from .models import Form, FormVersion

__all__ = [
    "FormError",
    "build_form",
    "check_definition",
    "check_open",
    "clean_data",
    "display_value",
    "get_version",
    "install_demo_form",
    "open_form",
    "postal_lookup",
    "published_forms",
    "save_version",
    "steps",
    "to_json_schema",
    "validate",
]

DEMO_SLUG = "water-start"


def open_form(slug: str, *, now: dt.datetime | None = None) -> Form:
    """The published form ``slug`` if it accepts answers at ``now`` (default: now).

    :raises FormError: ``not_found`` (404) — no such form, unpublished, or no version yet;
        ``form_closed`` (409) — before ``opens_at`` or from ``closes_at`` on (the message gives the period)
    """
    form = Form.objects.filter(slug=slug, published=True).first()
    if form is None or form.current_version() is None:
        raise FormError("not_found", "この申請フォームは見つかりません", param="slug")
    check_open(form, now=now)
    return form


def check_open(form: Form, *, now: dt.datetime | None = None) -> Form:
    """``form`` (already read, with a version) if it is published and accepts answers at ``now``; no query.

    :raises FormError: ``not_found`` (404) — unpublished; ``form_closed`` (409) — before ``opens_at`` or from
        ``closes_at`` on (the message gives the period)
    """
    if not form.published:
        raise FormError("not_found", "この申請フォームは見つかりません", param="slug")
    now = now or timezone.now()
    if (form.opens_at and now < form.opens_at) or (form.closes_at and now >= form.closes_at):
        raise FormError("form_closed", f"「{form.title}」はいま受け付けていません ({period_text(form)})", param="slug")
    return form


def period_text(form: Form) -> str:
    """The opening period for people: ``"2026年12月1日 9:00 から 2027年1月31日 17:00 まで"``; ``""`` when always open."""
    def fmt(moment):
        local = timezone.localtime(moment)
        return f"{local.year}年{local.month}月{local.day}日 {local.hour}:{local.minute:02d}"

    parts = []
    if form.opens_at:
        parts.append(f"{fmt(form.opens_at)} から")
    if form.closes_at:
        parts.append(f"{fmt(form.closes_at)} まで")
    return " ".join(parts) or "常時受付"


def published_forms() -> list[Form]:
    """Published forms that have a version, by slug."""
    return [f for f in Form.objects.filter(published=True).select_related("procedure") if f.current_version()]


def get_version(form: Form, number: int | None = None) -> FormVersion:
    """Version ``number`` of ``form`` (default: the current one).

    :raises FormError: ``not_found`` (404)
    """
    version = form.current_version() if number is None else form.versions.filter(number=number).first()
    if version is None:
        raise FormError("not_found", "この版は見つかりません", param="version")
    return version


def _postal_known(code: str) -> bool:
    try:
        return postal.lookup(code) is not None
    except Exception:  # noqa: BLE001 — a malformed code is reported by the pattern check already
        return False


def postal_lookup(code: str) -> dict | None:
    """``"210-0005"`` → ``{"postal_code", "prefecture", "city", "town", "address"}``, None if unknown.

    :raises madoguchi.errors.ServiceError: ``invalid_parameter`` (param ``postal_code``) if not 7 digits
    """
    return postal.lookup(code)


def validate(version: FormVersion, data: dict, files: dict | None = None, *,
             step: str | None = None) -> dict[str, list[str]]:
    """Errors of answers to ``version``: ``{field name: [message, …]}``, empty when valid.

    Messages are in the active language (Japanese, or English on /en/ pages) and start with the field's label
    (「生年月日: 日付を …」). Hidden conditional
    fields (``show_if`` not met) are not checked. Dates may be ISO or 和暦; phone numbers Japanese;
    postal codes must exist; files are checked by extension, first bytes and size.

    :param data: a dict or a QueryDict (multichoice via ``getlist``); the answers of earlier steps too
    :param files: ``{field name: UploadedFile}``
    :param step: check only the fields of this step (``steps``); show_if still reads all of ``data``
    """
    fields = defs.fields_of(version)
    only = None
    if step is not None:
        only = {f["name"] for title, group in answers.step_groups(fields) if title == step for f in group}
    return answers.validate_fields(fields, data, files or {}, only=only, check_postal=_postal_known)


def clean_data(version: FormVersion, data: dict) -> dict:
    """The answers JSON-safe, for ``Application.data``: numbers, ISO dates (``"2026-12-05"``), booleans,
    lists for multichoice, phone digits, postal codes ``"210-0005"``, file fields by name. Hidden fields
    are dropped. Call after ``validate`` said the answers are valid."""
    return answers.clean_fields(defs.fields_of(version), data)


def to_json_schema(version: FormVersion) -> dict:
    """JSON Schema 2020-12 of the clean answers (``clean_data``) to ``version``; ``$id`` is the API URL."""
    return defs.schema_of(version.definition, title=version.form.title,
                          schema_id=f"/api/v1/forms/{version.form.slug}/schema?version={version.number}")


def steps(version: FormVersion) -> list[tuple[str, list[dict]]]:
    """``[(step title, [FieldDef, …]), …]`` in order; a single 「入力」 step when no field names one."""
    return answers.step_groups(defs.fields_of(version))


def display_value(version: FormVersion, name: str, value) -> str:
    """An answer for people (confirmation page, staff queue): ``"令和8年12月5日 (2026-12-05)"``, はい/いいえ,
    choices joined with 「、」, ``"〒210-0005"``, ``"1,200"``."""
    field = next((f for f in defs.fields_of(version) if f["name"] == name), None)
    return answers.display(field, value)


def check_definition(definition: dict) -> dict:
    """The definition tidied (see ``eforms.definition``).

    :raises FormError: ``invalid_definition``, ``param`` = the field's name, message naming it
    """
    return defs.check_definition(definition)


def save_version(form: Form, definition: dict, user=None) -> FormVersion:
    """Publish ``definition`` as the next version of ``form`` (number = last + 1); earlier versions are
    never changed. When the definition equals the current version's, the current version is returned.

    :raises FormError: ``invalid_definition`` (nothing saved)
    """
    clean = defs.check_definition(definition)
    with transaction.atomic():
        Form.objects.select_for_update().filter(pk=form.pk).first()
        current = form.current_version()
        if current is not None and current.definition == clean:
            return current
        number = (current.number if current else 0) + 1
        return FormVersion.objects.create(form=form, number=number, definition=clean,
                                          created_by=user if getattr(user, "pk", None) else None)


def build_form(version: FormVersion, *, step: str | None = None, data=None, files=None):
    """A ``django.forms.Form`` for ``version`` (or one of its ``steps``), widgets and ARIA included;
    ``is_valid()`` runs ``validate``; ``form.clean_answers`` is ``clean_data`` of the whole ``data``.
    Render each field with ``templates/_field.html``; include ``eforms/eforms.js`` for show_if and
    the postal lookup (the form works without it)."""
    from .rendering import build_form as build

    return build(version, step=step, data=data, files=files)


DEMO_DEFINITION = {
    "fields": [
        {"name": "name", "label": "氏名", "label_en": "Name", "kind": "text", "required": True, "max_length": 50,
         "step": "使用者"},
        {"name": "name_kana", "label": "氏名（ふりがな）", "label_en": "Name (kana)", "kind": "text",
         "required": True, "max_length": 50, "pattern": r"^[ぁ-ゖー\s　]+$", "help": "ひらがなで入力してください"},
        {"name": "postal_code", "label": "郵便番号", "label_en": "Postal code", "kind": "postal_code",
         "required": True, "step": "使用場所"},
        {"name": "address", "label": "使用場所の住所", "label_en": "Address", "kind": "address", "required": True,
         "max_length": 200},
        {"name": "start_date", "label": "使用開始日", "label_en": "Start date", "kind": "date", "required": True,
         "help": "カレンダーから選べます（確認画面では和暦でも表示します）"},
        {"name": "usage", "label": "用途", "label_en": "Use", "kind": "choice", "required": True,
         "choices": ["家庭用", "事業用"]},
        {"name": "business_name", "label": "事業所名", "label_en": "Business name", "kind": "text",
         "required": True, "show_if": {"field": "usage", "equals": "事業用"}},
        {"name": "phone", "label": "電話番号", "label_en": "Phone", "kind": "phone", "required": True,
         "step": "連絡先"},
        {"name": "email", "label": "メールアドレス", "label_en": "Email", "kind": "email", "required": True},
        {"name": "contract", "label": "賃貸契約書の写し", "label_en": "Lease (copy)", "kind": "file",
         "required": False, "accept": [".pdf"], "max_size_mb": 5, "help": "PDF、5 MB まで（任意）"},
    ],
    "attachments_note": "賃貸の方は契約書の写しを添付できます（任意）。",
}


def citizen_url(form: Form) -> str:
    """The citizen's address of a form: ``/procedures/apply/<slug>/`` (applications' flow)."""
    return f"/procedures/apply/{form.slug}/"


@transaction.atomic
def publish(form: Form, definition: dict, user=None) -> FormVersion:
    """Save ``definition`` as the form's next version (``save_version``), publish the form, and mark its
    procedure (if linked) as online here with the form's address, so the procedure guide links it.

    :raises FormError: ``invalid_definition`` naming the field (nothing is published)
    :raises ServiceError: from ``procedures.services.update_procedure`` (the whole publication rolls back)
    """
    from madoguchi.procedures import services as procedures

    version = save_version(form, definition, user)
    if not form.published:
        form.published = True
        form.save(update_fields=["published"])
    if form.procedure_id:
        procedures.update_procedure(form.procedure, online_here=True, online_url=citizen_url(form))
    return version


@transaction.atomic
def unpublish(form: Form) -> None:
    """Stop showing the form to citizens (versions and applications stay); its procedure is no longer online
    here if it linked this form."""
    from madoguchi.procedures import services as procedures

    form.published = False
    form.save(update_fields=["published"])
    if form.procedure_id and form.procedure.online_url == citizen_url(form):
        procedures.update_procedure(form.procedure, online_here=False, online_url="")


def install_demo_form() -> Form:
    """The sample generic form 「水道の使用開始届」 (slug ``water-start``), published with version 1.
    Idempotent: an existing form keeps its versions (none is added when the definition is unchanged)."""
    form, _ = Form.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={"title": "水道の使用開始届", "title_en": "Starting water service", "department": "上下水道局 お客さまセンター",
                  "retention_days": 365 * 5, "fee_yen": 0, "kind": "generic", "published": False})
    if form.current_version() is None:
        from madoguchi.procedures import services as procedures

        if form.procedure_id is None and (water := procedures.by_key("水道の開始・中止")) is not None:
            form.procedure = water
            form.save(update_fields=["procedure"])
        publish(form, DEMO_DEFINITION, None)
    return form
