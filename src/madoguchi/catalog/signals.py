"""Bump ``CatalogGeneration`` on every change that search results or facets depend on."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Dataset, Organization, Resource, Tag, Theme


def _changed(sender, **kwargs) -> None:
    # Fixtures too (``raw`` saves of loaddata): a loaded catalog must not be answered from an older index.
    from .index import bump_generation

    bump_generation()


for _model in (Dataset, Resource, Organization, Theme, Tag):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"catalog-generation-save-{_model.__name__}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"catalog-generation-delete-{_model.__name__}")


@receiver(m2m_changed, sender=Dataset.themes.through, dispatch_uid="catalog-generation-themes")
@receiver(m2m_changed, sender=Dataset.tags.through, dispatch_uid="catalog-generation-tags")
def _m2m_changed(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _changed(sender)
