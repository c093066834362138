"""Shared fixtures: every test gets its own MEDIA_ROOT; helpers to make datasets and ingest."""

from __future__ import annotations

import pytest

from madoguchi.catalog import services as catalog
from madoguchi.datastore import services as datastore


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


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
