"""Datastore metadata: one ``ResourceVersion`` per ingested file, and ``IngestJob``.

A version's table is an immutable Parquet snapshot (``snapshot_path``, relative
to ``MEDIA_ROOT``); the original upload is kept beside it (``original_path``).
A version row is only created when its files are complete, in the same
transaction that points ``Resource.current_version`` at it, so readers never
see a half-written table (DESIGN.md section 2).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class ResourceVersion(models.Model):
    """One published version of a resource (file + optional typed table)."""

    resource = models.ForeignKey("catalog.Resource", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    original_name = models.CharField(max_length=300)
    original_path = models.CharField(max_length=500)
    original_bytes = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    media_type = models.CharField(max_length=100)
    format = models.CharField(max_length=20)
    encoding = models.CharField(max_length=30, blank=True)
    snapshot_path = models.CharField(max_length=500, blank=True)
    row_count = models.BigIntegerField(null=True)
    columns = models.JSONField(default=list, help_text="[{name, type, role, source_name}]")
    report = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["resource", "-number"]
        constraints = [models.UniqueConstraint(fields=["resource", "number"], name="version_unique_number")]

    def __str__(self) -> str:
        return f"{self.resource_id} v{self.number}"

    @property
    def has_table(self) -> bool:
        return bool(self.snapshot_path)


class IngestJob(models.Model):
    """An ingestion started from the staff page; polled by the browser for progress."""

    class State(models.TextChoices):
        QUEUED = "queued", "待機中"
        RUNNING = "running", "処理中"
        DONE = "done", "完了"
        FAILED = "failed", "失敗"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.CASCADE, related_name="+")
    resource_name = models.CharField(max_length=300)
    upload_path = models.CharField(max_length=500)
    original_name = models.CharField(max_length=300)
    options = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    stage = models.CharField(max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="percent")
    error = models.JSONField(null=True, blank=True)
    version = models.ForeignKey(ResourceVersion, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-created"]


class ColumnInfo(models.Model):
    """The data dictionary entry of one column of a resource (CKAN's datastore field ``info``).

    Kept per resource and column name, so it outlives versions: a later upload shows the same
    label and notes, and ``type_override`` (a Frictionless type, empty for inferred) is applied to it
    (``datastore.services.ingest_file``). ``blank_unfit``: cells that do not fit the override become
    empty in the typed table (staff chose 「合わない値を空欄にして公開する」).
    """

    resource = models.ForeignKey("catalog.Resource", on_delete=models.CASCADE, related_name="column_infos")
    column = models.CharField(max_length=300, help_text="column name as published (ResourceVersion.columns name)")
    label = models.CharField("表示名", max_length=300, blank=True)
    notes = models.TextField("説明", blank=True)
    type_override = models.CharField("型の指定", max_length=20, blank=True)
    blank_unfit = models.BooleanField(default=False)
    modified = models.DateTimeField(auto_now=True)
    modified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["resource", "id"]
        constraints = [models.UniqueConstraint(fields=["resource", "column"], name="column_info_unique_column")]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.column}"
