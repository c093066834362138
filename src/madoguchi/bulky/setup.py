"""Setup of bulky-waste collection: the built-in form, the collection areas and the fee table (public
through ``services``)."""

from __future__ import annotations

import re

from madoguchi.eforms import services as eforms
from madoguchi.eforms.models import Form, FormVersion
from madoguchi.gomi import services as gomi
from madoguchi.procedures import services as procedures

from . import fees
from .errors import BulkyError
from .models import CollectionArea, FeeRule

SOURCE = "kameoka"
FORM_SLUG = "bulky-waste"
DEPARTMENT = "環境局 収集課"
CATEGORY = "粗大ごみ"
TICKET_VALUE_YEN = 200
TICKET_NUMBER = re.compile(r"^[0-9]{6,12}$")
MAX_COUNT = 10  # of one item in one request
MAX_LINES = 20
HORIZON_DAYS = 35  # dates offered ahead
WEEKDAYS = "月火水木金土日"
SEED_WEEKDAYS = "月火水木金"

#: what an application of the bulky form stores (so exports and the JSON Schema describe it)
DEFINITION = {
    "fields": [
        {"name": "area", "label": "収集地区 (町名)", "label_en": "Area", "kind": "text", "required": True,
         "max_length": 200},
        {"name": "collection_date", "label": "収集日", "label_en": "Collection date", "kind": "date",
         "required": True},
        {"name": "items", "label": "品目", "label_en": "Items", "kind": "textarea", "required": True,
         "max_length": 4000},
        {"name": "total_yen", "label": "料金 (円)", "label_en": "Fee (yen)", "kind": "number", "required": True,
         "min": 0},
        {"name": "address", "label": "住所", "label_en": "Address", "kind": "text", "required": True,
         "max_length": 300},
        {"name": "phone", "label": "電話番号", "label_en": "Phone", "kind": "phone", "required": True},
        {"name": "tickets", "label": "処理券番号", "label_en": "Ticket numbers", "kind": "textarea",
         "required": True, "max_length": 2000},
    ],
    "attachments_note": "",
}


def form() -> Form:
    """The built-in bulky form (``install`` first). :raises BulkyError: ``not_found``"""
    f = Form.objects.filter(slug=FORM_SLUG).first()
    if f is None:
        raise BulkyError("not_found", "粗大ごみ収集の申込は準備中です", status=404)
    return f


def current_version() -> FormVersion:
    """The bulky form's current version with its form, in one query (``install`` first).

    Not cached across requests: it is one indexed query, and a cache would need a generation read (also one
    query) to notice a new version or a changed period. :raises BulkyError: ``not_found``"""
    v = (FormVersion.objects.select_related("form").filter(form__slug=FORM_SLUG).order_by("-number").first())
    if v is None:
        raise BulkyError("not_found", "粗大ごみ収集の申込は準備中です", status=404)
    return v


def install(source: str = SOURCE) -> Form:
    """Create (if missing) the bulky form with a first version describing ``DEFINITION``, the source's
    collection areas and its fee table. Idempotent; returns the form."""
    gomi.install_default_sources()  # the garbage source the areas and fees are read from (idempotent)
    f = install_form()
    install_areas(source)
    if not FeeRule.objects.filter(source=source).exists():
        install_fees(source)
    return f


def install_form() -> Form:
    """The bulky form alone (published, department ``DEPARTMENT``, first version ``DEFINITION``). Idempotent."""
    f, _ = Form.objects.get_or_create(slug=FORM_SLUG, defaults={
        "title": "粗大ごみ収集の申込", "title_en": "Bulky waste collection", "department": DEPARTMENT,
        "kind": "bulky", "published": True, "retention_days": 365})
    if f.procedure_id is None and (guide := procedures.by_key("粗大ごみ")) is not None:
        f.procedure = guide  # the procedure guide lists this form (and its JSON Schema) under 粗大ごみ
        f.save(update_fields=["procedure"])
    if f.current_version() is None:
        eforms.save_version(f, DEFINITION, None)
    return f


def install_areas(source: str = SOURCE) -> int:
    """One ``CollectionArea`` per 町名 of the source's ``area_days`` (weekday ``SEED_WEEKDAYS`` in file
    order); existing areas are kept. Returns the number of areas."""
    book = gomi.load_book(gomi.get_source(source))
    for i, area in enumerate(book.areas.values()):
        CollectionArea.objects.get_or_create(source=source, name=area.label,
                                             defaults={"weekdays": SEED_WEEKDAYS[i % len(SEED_WEEKDAYS)]})
    return CollectionArea.objects.filter(source=source).count()


def fee_items(source: str = SOURCE) -> list[tuple[str, str]]:
    """``(item name, notice)`` of every 粗大ごみ item of the source's published dictionary."""
    book = gomi.load_book(gomi.get_source(source))
    return [(it.name, it.notes) for it in book.items if it.category == CATEGORY]


def install_fees(source: str = SOURCE) -> dict[str, int]:
    """Parse the source's 粗大ごみ notices into ``FeeRule`` rows (``fees.sync``: reviewed rows kept)."""
    return fees.sync(source, fee_items(source))
