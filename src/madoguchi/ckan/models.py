"""API tokens for the CKAN Action API write actions.

CKAN clients send the token in the ``Authorization`` header (ckanapi's
``apikey=``) or ``X-CKAN-API-Key``. Only a SHA-256 hash is stored; the token
itself is shown once, when it is created (``madoguchi api-token USER``).
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="default")
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} / {self.name}"

    @classmethod
    def issue(cls, user, name: str = "default") -> tuple["ApiToken", str]:
        """Create a token for ``user``; returns ``(ApiToken, token text)`` — the text is not stored."""
        token = "mdg_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, token_hash=hash_token(token)), token
