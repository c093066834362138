"""Plain-Japanese (やさしい日本語) texts staff edit, and the ruby readings they correct."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EasyText(models.Model):
    """The staff-edited plain text of one page (``slug`` one of ``services.PAGES``).

    ``body``: plain text; a blank line starts a new paragraph, a line starting with ``## `` is a
    heading. Without a row, the page shows the built-in text (``services.DEFAULT_TEXTS``)."""

    slug = models.SlugField("ページ", max_length=40, unique=True)
    body = models.TextField("本文")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["slug"]
        verbose_name = "やさしい日本語の本文"
        verbose_name_plural = "やさしい日本語の本文"

    def __str__(self) -> str:
        return self.slug


class RubyOverride(models.Model):
    """A reading staff set where SudachiPy is wrong (表記 → よみ, e.g. 避難所 → ひなんじょ); used on every
    plain page, before SudachiPy (the longest 表記 first)."""

    surface = models.CharField("表記", max_length=50, unique=True)
    reading = models.CharField("よみ (ひらがな)", max_length=100)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["surface"]
        verbose_name = "ふりがなの修正"
        verbose_name_plural = "ふりがなの修正"

    def __str__(self) -> str:
        return f"{self.surface} → {self.reading}"
