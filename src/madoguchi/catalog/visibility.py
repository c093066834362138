"""Who may see a dataset, a resource or a version: the one rule, used by every path.

The rule (CKAN's): a dataset is visible to everyone when it is ``active`` and
not ``private``; staff also see private active datasets; nobody sees a
``deleted`` one through the public interfaces (pages, /api/v1, CKAN actions,
DCAT, Data Package, downloads, quality reports, counts, feeds). A resource and
every version of it are visible exactly when their dataset is.

Every caller goes through these functions (re-exported by ``catalog.services``):

* ``can_view(user, dataset)`` — one object in hand;
* ``visible_datasets(user)`` / ``visible_resources(user)`` — querysets to filter
  further;
* ``visible_resource(user, resource_id)`` — the hot path of the records API,
  answered from the per-process resource cache.

``user`` is a Django user (``AnonymousUser`` for anonymous requests), ``None``
(anonymous), or a bool ``include_private`` (legacy callers that already decided
whether the requester is staff).

Deletion (``delete_dataset``) changes the catalog generation in the same
transaction, so every process drops its search index and resource cache at
the next request.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from .models import Dataset, Resource

ACTIVE = "active"
DELETED = "deleted"


def _sees_private(user) -> bool:
    if isinstance(user, bool):
        return user
    return bool(getattr(user, "is_staff", False) and getattr(user, "is_active", True))


def can_view(user, dataset: Dataset) -> bool:
    """Whether ``user`` may see ``dataset`` (and its resources and versions)."""
    if dataset is None or dataset.state != ACTIVE:
        return False
    return not dataset.private or _sees_private(user)


def dataset_filter(user, prefix: str = "") -> dict:
    """The rule as ``filter(**…)`` keyword arguments on a model reaching ``Dataset`` by ``prefix``
    (``""`` for Dataset itself, ``"dataset__"`` for Resource, ``"resource__dataset__"`` for
    ResourceVersion and DownloadCount)."""
    conditions = {f"{prefix}state": ACTIVE}
    if not _sees_private(user):
        conditions[f"{prefix}private"] = False
    return conditions


def visible_datasets(user=None) -> QuerySet:
    """Datasets ``user`` may see (organization loaded)."""
    return Dataset.objects.select_related("organization").filter(**dataset_filter(user))


def visible_resources(user=None) -> QuerySet:
    """Resources ``user`` may see (dataset and current version loaded)."""
    return Resource.objects.select_related("dataset", "current_version").filter(**dataset_filter(user, "dataset__"))


def visible_resource(user, resource_id: int) -> Resource | None:
    """Resource ``resource_id`` if ``user`` may see it, else ``None`` (unknown, private or deleted).

    Read from the per-process cache keyed by the catalog generation (``index.cached_resource``);
    the instance is shared between requests: read it, never change it.
    """
    from .index import cached_resource

    resource = cached_resource(resource_id)
    if resource is None or not can_view(user, resource.dataset):
        return None
    return resource


def delete_dataset(dataset: Dataset) -> None:
    """Mark ``dataset`` deleted (CKAN semantics: files and versions are kept) and make every
    process forget it at once (catalog generation bumped in the same transaction)."""
    from .index import bump_generation

    with transaction.atomic():
        Dataset.objects.filter(pk=dataset.pk).update(state=DELETED)
        dataset.state = DELETED
        bump_generation()
