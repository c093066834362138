"""Shared fixtures: every test gets its own MEDIA_ROOT; helpers to make datasets and ingest."""

from __future__ import annotations

import pytest

from madoguchi.catalog import services as catalog
from madoguchi.datastore import services as datastore


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Background tasks run inside ``enqueue`` (Django's setting_changed signal resets django-tasks' backend
    cache). A test that needs the queue sets ``settings.TASKS`` to the database backend itself."""
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in Japanese: ``reverse()`` of a page inside ``i18n_patterns`` follows the thread's active
    language, which a test that activated English (or a request handled in English) would otherwise leave
    behind for the next test in the same process."""
    from django.utils import translation

    translation.activate("ja")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    """Tests share one client address and run fast: rate limits are off except where a test turns them on
    (tests/test_security.py)."""
    settings.RATE_LIMITS_ENABLED = False


@pytest.fixture
def org(db):
    return catalog.ensure_organization("test-city", "テスト市 情報政策課")


@pytest.fixture
def make_dataset(org):
    def make(slug: str = "test", title: str = "テストデータ", **kw):
        return catalog.ensure_dataset(slug, title=title, organization=org, **kw)
    return make


@pytest.fixture
def ingest(make_dataset):
    """``ingest(data, name, dataset=…, resource=…, **options)`` → ResourceVersion."""
    def run(data: bytes, file_name: str = "data.csv", *, dataset=None, resource: str = "r", **options):
        dataset = dataset or make_dataset()
        return datastore.ingest_file(dataset=dataset, resource_name=resource, data=data, file_name=file_name,
                                     options=datastore.IngestOptions(**options))
    return run


def records(version, **kw):
    return datastore.search_records(version, **kw)
