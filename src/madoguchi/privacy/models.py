"""``PrivacyOverride``: the audit log of staff decisions to publish a flagged column.

A row says who (``created_by``), when (``created``) and why (``reason``) a
column flagged by the privacy gate (``privacy.detectors``) may be published.
Rows are never changed or deleted by the UI (read-only in Django admin).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PrivacyOverride(models.Model):
    """Permission to publish column ``column`` of resource ``resource_name`` despite a ``kind`` finding.

    ``resource_name`` blank: the override applies to every resource of the dataset
    (used for overrides declared in the bundle's ``datasets.toml``).
    """

    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.CASCADE, related_name="privacy_overrides",
                                verbose_name="データセット")
    resource_name = models.CharField("リソース名", max_length=300, blank=True,
                                     help_text="空欄はデータセットのすべてのリソースに適用")
    column = models.CharField("列", max_length=300)
    kind = models.CharField("種類", max_length=30)
    reason = models.TextField("理由")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   verbose_name="記録した職員")
    created = models.DateTimeField("日時", auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "個人情報チェックの解除記録"
        verbose_name_plural = "個人情報チェックの解除記録"
        constraints = [models.CheckConstraint(condition=~models.Q(reason=""), name="privacy_override_reason_required")]

    def __str__(self) -> str:
        return f"{self.dataset_id}/{self.resource_name or '*'}/{self.column} ({self.kind})"

    def as_dict(self) -> dict:
        """``{id, reason, by, at}`` as attached to a finding."""
        return {"id": self.pk, "reason": self.reason,
                "by": self.created_by.get_username() if self.created_by_id else "",
                "at": self.created.isoformat() if self.created else None}
