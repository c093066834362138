"""Stored files of applications and drafts: the one place that deletes them.

Files live in Django's storage (local disk or S3) under ``applications/…``; the database rows that name
them are deleted in a transaction, and the files after it commits (a rolled-back deletion keeps them).
``madoguchi cleanup`` finds orphans left by a process killed in between.
"""

from __future__ import annotations

import logging

from django.core.files.storage import default_storage
from django.db import transaction

from .models import Draft

log = logging.getLogger("madoguchi.applications")


def delete_files(names: list[str]) -> None:
    """Delete stored files now, best effort: a missing file is not a reason to stop deleting the others."""
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            log.exception("could not delete %s", name)


def delete_draft(draft: Draft) -> None:
    """Delete a ``Draft`` and, once the transaction commits, the files uploaded to it
    (``draft.data["__files__"]``: ``{field: {path, name, size, content_type}}``)."""
    paths = [meta["path"] for meta in (draft.data or {}).get("__files__", {}).values()]
    draft.delete()
    transaction.on_commit(lambda: delete_files(paths))
