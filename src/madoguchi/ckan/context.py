"""What an action gets besides its parameters: who asks, and how to build absolute URLs."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest


@dataclass
class Context:
    request: HttpRequest
    user: object  # a Django user; AnonymousUser when no (valid) token or session

    @property
    def is_staff(self) -> bool:
        return bool(getattr(self.user, "is_staff", False))

    def url(self, path: str) -> str:
        """Absolute URL of a site path (CKAN returns absolute resource URLs)."""
        return self.request.build_absolute_uri(path)
