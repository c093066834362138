"""Load the bundled real open data (``datasets.toml``) through the ingestion pipeline.

Idempotent: a resource whose current version already has the same bytes
(sha256) is not ingested again, so re-running ``load-bundle`` is cheap.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from madoguchi.catalog import services as catalog
from madoguchi.datastore import services as datastore
from madoguchi.privacy import services as privacy

BUNDLE_DIR = Path(__file__).resolve().parent
MANIFEST = BUNDLE_DIR / "datasets.toml"
FILES = BUNDLE_DIR / "files"


@dataclass
class LoadedFile:
    dataset: str
    resource: str
    file: str
    expected_rows: int | None
    rows: int | None
    skipped: bool


def manifest() -> dict:
    """The parsed ``datasets.toml``."""
    with open(MANIFEST, "rb") as fh:
        return tomllib.load(fh)


def bundle_file_count(only: set[str] | None = None) -> int:
    """Number of files (all versions) the manifest lists for ``only`` (default all) datasets."""
    return sum(len(r.get("versions", [])) + 1 for d in manifest()["dataset"] if not only or d["slug"] in only
               for r in d["resource"])


def load_bundle(*, only: set[str] | None = None, progress: Callable[[str, str, float], None] | None = None
                ) -> list[LoadedFile]:
    """Create organizations, themes and datasets from the manifest and ingest every file.

    :param only: dataset slugs to load (default all)
    :param progress: ``callable(file, stage, fraction)``
    :returns: one ``LoadedFile`` per ingested (or already current) file, in manifest order
    :raises IngestError: if a bundled file cannot be read (a bug: they all can)
    """
    doc = manifest()
    orgs = {o["slug"]: catalog.ensure_organization(**o) for o in doc["organization"]}
    themes = {t["slug"]: catalog.ensure_theme(**t) for t in doc["theme"]}
    loaded: list[LoadedFile] = []
    for spec in doc["dataset"]:
        if only and spec["slug"] not in only:
            continue
        dataset = catalog.ensure_dataset(
            spec["slug"], title=spec["title"], organization=orgs[spec["organization"]],
            description=spec.get("description", ""), themes=[themes[t] for t in spec.get("themes", [])],
            tags=spec.get("tags", []), license_id=spec.get("license", "cc-by-4.0"),
            attribution=spec.get("attribution", ""), source_url=spec.get("source_url", ""),
            update_frequency=spec.get("update_frequency", "IRREG"), private=spec.get("private", False),
            standard=spec.get("standard", ""))
        privacy.declare_overrides(dataset, spec.get("privacy_overrides", []))  # reasons recorded in the audit log
        for res in spec["resource"]:
            for item in [*res.get("versions", []), {"file": res["file"], "rows": res.get("rows")}]:
                loaded.append(_load_file(dataset, res, item, progress))
    return loaded


def _load_file(dataset, res: dict, item: dict, progress) -> LoadedFile:
    path = FILES / item["file"]
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    existing = dataset.resources.filter(name=res["name"]).first()
    if existing and existing.versions.filter(sha256=digest).exists():
        version = existing.versions.get(sha256=digest)
        return LoadedFile(dataset.slug, res["name"], item["file"], item.get("rows"), version.row_count, True)
    options = datastore.IngestOptions(sheet=res.get("sheet"), json_path=res.get("json_path"))
    version = datastore.ingest_file(
        dataset=dataset, resource_name=res["name"], data=data, file_name=path.name, options=options,
        progress=(lambda stage, f: progress(item["file"], stage, f)) if progress else None)
    return LoadedFile(dataset.slug, res["name"], item["file"], item.get("rows"), version.row_count, False)
