"""Citizen reports (Open311 GeoReport v2 service requests, DESIGN.md section 3 ``ServiceRequest``).

A ``Service`` is a category (service_code); a ``Ward`` is an area with its polygon (GeoJSON) and the
department that handles reports in it; a ``ServiceRequest`` is one report with its place, status and
moderation state; ``Photo`` rows hold stripped, resized images; ``StatusChange`` is the history (public
notes are shown and mailed); ``ApiKey`` is an app's Open311 key (only its SHA-256 hash is stored).
"""

from __future__ import annotations

import uuid

from django.db import models


class Service(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    group = models.CharField(max_length=100, blank=True)
    keywords = models.CharField(max_length=300, blank=True)
    department = models.CharField("担当課（既定）", max_length=200, blank=True)
    #: GeoReport attributes: [{"code", "datatype", "required", "description", "order", "values": [{key, name}]}]
    attributes = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Ward(models.Model):
    name = models.CharField(max_length=100, unique=True)
    #: GeoJSON geometry (Polygon or MultiPolygon), [lon, lat] positions
    geometry = models.JSONField(null=True, blank=True)
    department = models.CharField("担当課", max_length=200, blank=True)
    #: department per service code, overriding ``department`` ({"road": "道路公園センター"})
    departments_by_service = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "受付"
        IN_PROGRESS = "in_progress", "対応中"
        CLOSED = "closed", "完了"
        DECLINED = "declined", "対応不可"

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="requests")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    description = models.TextField("内容（原文）")
    public_description = models.TextField("内容（公開用）", blank=True)
    address = models.CharField(max_length=300, blank=True)
    postal_code = models.CharField(max_length=7, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    ward = models.ForeignKey(Ward, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests")
    department = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)  # never public
    attributes = models.JSONField(default=dict, blank=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="duplicates")
    published = models.BooleanField("公開", default=False)
    status_notes = models.TextField(blank=True)
    channel = models.CharField(max_length=20, default="web")  # web | api
    requested_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.service.name}"

    @property
    def open311_status(self) -> str:
        """GeoReport status: ``open`` (受付, 対応中) or ``closed`` (完了, 対応不可)."""
        return "closed" if self.status in (self.Status.CLOSED, self.Status.DECLINED) else "open"


def photo_path(instance: Photo, filename: str) -> str:
    return f"reports/{uuid.uuid4().hex}.jpg"


class Photo(models.Model):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    reviewed = models.BooleanField("確認済み（公開）", default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class StatusChange(models.Model):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=20, choices=ServiceRequest.Status.choices)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    by = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class ApiKey(models.Model):
    name = models.CharField("アプリ名", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
