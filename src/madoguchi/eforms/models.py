"""Forms staff build without code, and their versions (shared data model of issue #14: briefs models.md).

A ``Form`` is the stable thing (slug, period, department); what citizens fill in is a ``FormVersion``'s
``definition`` (format: ``eforms.definition``). A version is never edited once an application used it:
publishing saves a new version (``services.save_version``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Form(models.Model):
    KIND_CHOICES = [("generic", "一般"), ("bulky", "粗大ごみ")]

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    procedure = models.ForeignKey("procedures.Procedure", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="forms")
    #: the processing department's name (same strings as ``Procedure.department``)
    department = models.CharField(max_length=200, blank=True)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    #: 保存期間 of the applications, in days
    retention_days = models.PositiveIntegerField(default=365 * 5)
    fee_yen = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=KIND_CHOICES, default="generic")
    published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title

    def current_version(self) -> FormVersion | None:
        """The version with the highest number, or None before the first publish."""
        return self.versions.order_by("-number").first()


class FormVersion(models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    #: ``{"fields": [FieldDef, …], "attachments_note": str}`` (``eforms.definition``)
    definition = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["form", "number"]
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="eforms_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.form.slug} v{self.number}"


class FormDraft(models.Model):
    """The fields staff are editing (rows of the builder, not yet checked); publishing copies it into a new
    ``FormVersion``. Private to eforms' staff pages."""

    form = models.OneToOneField(Form, on_delete=models.CASCADE, related_name="draft")
    #: ``{"fields": [FieldDef-like rows …], "attachments_note": str}`` — may be incomplete
    definition = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    def __str__(self) -> str:
        return f"{self.form.slug} (draft)"
